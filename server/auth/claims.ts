import type { Role } from '../../protocol/index.js';

/** What a verified token says about its bearer. */
export interface Claims {
  tokenId: string;
  role: Role;
  /** Rooms the bearer may act on; ['*'] means every room. */
  rooms: string[];
  hostId: string | null;
  expiresAt: number;
}

export function canAccessRoom(claims: Claims, room: string): boolean {
  if (claims.role === 'admin') return true;
  return claims.rooms.includes('*') || claims.rooms.includes(room);
}
