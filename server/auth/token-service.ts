import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import type { IssueTokenBody, Role, TokenInfo } from '../../protocol/index.js';
import { ROLES } from '../../protocol/index.js';
import type { Claims } from './claims.js';
import { ProtocolError } from './auth-error.js';

const ISSUER = 'livehost';
const AUDIENCE = 'livehost';
const DEFAULT_TTL_S: Record<Role, number> = {
  admin: 12 * 3600, operator: 12 * 3600, 'render-host': 30 * 24 * 3600, bot: 30 * 24 * 3600, viewer: 6 * 3600,
};

/**
 * Signs and verifies JWTs (HS256) and keeps the registry of issued tokens in Redis, so
 * tokens can be listed and revoked. A token itself is never stored: only its id.
 */
export class TokenService {
  private readonly key: Uint8Array;

  constructor(secret: string, private readonly redis: Redis, private readonly prefix: string) {
    this.key = new TextEncoder().encode(secret);
  }

  private infoKey(id: string) { return `${this.prefix}:token:${id}`; }
  private revokedKey(id: string) { return `${this.prefix}:revoked:${id}`; }
  private get indexKey() { return `${this.prefix}:tokens`; }

  /** Checks the role/scope combination before anything is signed. */
  static checkRequest(body: IssueTokenBody): void {
    const rooms = body.rooms ?? [];
    if (body.role === 'render-host' && !body.hostId) throw new ProtocolError('invalid_message', 'a render-host token needs hostId');
    if (body.role !== 'render-host' && body.hostId) throw new ProtocolError('invalid_message', 'hostId is only for render-host tokens');
    if (body.role === 'bot' && (rooms.length !== 1 || rooms[0] === '*')) throw new ProtocolError('invalid_message', 'a bot token is scoped to exactly one room');
    if (body.role === 'operator' && rooms.length === 0) throw new ProtocolError('invalid_message', 'an operator token needs rooms (or ["*"])');
    if ((body.role === 'viewer' || body.role === 'render-host') && rooms.includes('*')) throw new ProtocolError('invalid_message', `a ${body.role} token cannot cover every room`);
  }

  async issue(body: IssueTokenBody): Promise<{ token: string; info: TokenInfo }> {
    TokenService.checkRequest(body);
    const tokenId = `tok-${randomUUID()}`;
    const ttl = body.ttlSeconds ?? DEFAULT_TTL_S[body.role];
    const now = Math.floor(Date.now() / 1000);
    const info: TokenInfo = {
      tokenId, role: body.role, rooms: body.role === 'admin' ? ['*'] : body.rooms ?? [],
      hostId: body.hostId ?? null, label: body.label ?? null, expiresAt: (now + ttl) * 1000, revoked: false,
    };
    const token = await new SignJWT({ role: info.role, rooms: info.rooms, hostId: info.hostId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setJti(tokenId).setIssuer(ISSUER).setAudience(AUDIENCE)
      .setIssuedAt(now).setExpirationTime(now + ttl)
      .sign(this.key);
    // Two keys in two Cluster slots, so no transaction: the record first, then the index
    // (a listed id always has its record; a record missing from the index only goes unlisted).
    await this.redis.set(this.infoKey(tokenId), JSON.stringify(info), 'EX', ttl);
    await this.redis.zadd(this.indexKey, info.expiresAt, tokenId);
    return { token, info };
  }

  /** Verifies signature, expiry and revocation; throws ProtocolError('unauthorized'). */
  async verify(token: string): Promise<Claims> {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] }));
    } catch (err) {
      const why = err instanceof joseErrors.JWTExpired ? 'token expired' : 'invalid token';
      throw new ProtocolError('unauthorized', why);
    }
    const role = payload.role as Role;
    if (!ROLES.includes(role) || typeof payload.jti !== 'string' || !Array.isArray(payload.rooms)) {
      throw new ProtocolError('unauthorized', 'invalid token claims');
    }
    if (await this.isRevoked(payload.jti)) throw new ProtocolError('unauthorized', 'token revoked');
    return {
      tokenId: payload.jti, role, rooms: payload.rooms.map(String),
      hostId: typeof payload.hostId === 'string' ? payload.hostId : null,
      expiresAt: (payload.exp ?? 0) * 1000,
    };
  }

  /** Also asked by what a token minted (the job dashboard's cookie), on each use. */
  async isRevoked(tokenId: string): Promise<boolean> {
    return (await this.redis.exists(this.revokedKey(tokenId))) === 1;
  }

  async revoke(tokenId: string): Promise<TokenInfo> {
    const raw = await this.redis.get(this.infoKey(tokenId));
    if (!raw) throw new ProtocolError('not_found', 'no such token');
    const info = JSON.parse(raw) as TokenInfo;
    const ttl = Math.max(1, Math.ceil((info.expiresAt - Date.now()) / 1000));
    info.revoked = true;
    // The revocation first (it is what verify checks), then the record that lists it as revoked.
    await this.redis.set(this.revokedKey(tokenId), '1', 'EX', ttl);
    await this.redis.set(this.infoKey(tokenId), JSON.stringify(info), 'EX', ttl);
    return info;
  }

  async list(): Promise<TokenInfo[]> {
    await this.redis.zremrangebyscore(this.indexKey, '-inf', Date.now());
    const ids = await this.redis.zrange(this.indexKey, 0, -1);
    if (ids.length === 0) return [];
    // One GET per record (not MGET): the records live in different Cluster slots.
    const raws = await Promise.all(ids.map((id) => this.redis.get(this.infoKey(id))));
    return raws.filter((r): r is string => r !== null).map((r) => JSON.parse(r) as TokenInfo);
  }
}
