import type { AvatarLook } from '../../protocol/index.js';
export type { Viseme } from '../../protocol/index.js';
export type Action = 'Idle' | 'Talk1' | 'Talk2' | 'Talk3' | 'Talk4';
export type AvatarLookState = AvatarLook;
