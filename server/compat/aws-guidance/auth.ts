import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ProtocolError } from '../../auth/auth-error.js';
import { tokenFrom } from '../../auth/authenticate.js';
import { canAccessRoom, type Claims } from '../../auth/claims.js';
import { allows } from '../../auth/permissions.js';
import type { ServerCore } from '../../core.js';
import type { CompatKeys } from './keys.js';

/** How long a module token lives unless asked otherwise: a render module is configured once. */
const MODULE_TOKEN_TTL_S = 90 * 24 * 3600;
/** Module bindings never change for a token id. */
const BINDING_CACHE = 1000;
/**
 * A poll's token is verified again after this long: verifying (the JWT's HMAC through
 * WebCrypto, the revocation lookup) is most of a poll's cost, and every module polls once
 * a second with the same token. A revoked token is refused within this time — as open
 * WebSockets are closed within a second — and at once on instances the bus tells.
 */
const VERIFIED_FOR_MS = 1000;

/**
 * Who may use the adapter. The console and scripts send `Authorization: Bearer` with an
 * operator or admin token; the room a request acts on comes from its vr_module and must be
 * in the token's scope. The render module, which cannot send headers, polls with
 * `?token=` — a token issued for its vr_module (a viewer token bound to it here), good for
 * that module's poll and nothing else.
 */
export class CompatAuth {
  private readonly bindings = new Map<string, string | null>();
  /** sha256(token) → its claims, until it is to be verified again (tokens themselves are not kept). */
  private readonly verified = new Map<string, { claims: Claims; until: number }>();

  constructor(private readonly core: ServerCore, private readonly keys: CompatKeys, private readonly modules: Readonly<Record<string, string>>) {}

  /** The room a vr_module plays in (404 when it is not configured). */
  roomOf(vrModule: string): string {
    const room = Object.hasOwn(this.modules, vrModule) ? this.modules[vrModule] : undefined;
    if (!room) throw new ProtocolError('not_found', `vr_module ${vrModule} is not configured here (LIVEHOST_COMPAT_AWS_GUIDANCE_MODULES)`);
    return room;
  }

  /** The room of a vr_module, when the request's token may act on it. */
  roomFor(request: FastifyRequest, vrModule: string): string {
    const room = this.roomOf(vrModule);
    if (!canAccessRoom(request.claims!, room)) throw new ProtocolError('forbidden', `no access to vr_module ${vrModule}`);
    return room;
  }

  /** A preValidation hook for the poll: a bearer token with the poll action, or the module's own token. */
  poll() {
    return async (request: FastifyRequest): Promise<void> => {
      const header = tokenFrom(request);
      const token = header ?? tokenFrom(request, { allowQuery: true });
      if (!token) {
        const why = request.headers.authorization !== undefined ? 'the Authorization header is not "Bearer <token>"' : 'missing token (Authorization: Bearer, or ?token= with a vr_module token)';
        throw new ProtocolError('unauthorized', why);
      }
      const claims = await this.verifyRecent(token);
      const vrModule = (request.query as { vr_module?: string }).vr_module ?? '';
      const bound = await this.boundModule(claims.tokenId);
      if (bound !== null) {
        if (bound !== vrModule) throw new ProtocolError('forbidden', `this token is for another vr_module, not ${vrModule}`);
      } else {
        // A token in a URL ends up in logs and histories: only a module's own, narrow one may travel there.
        if (!header) throw new ProtocolError('forbidden', 'a token in the URL must be a vr_module token (POST vr_module_tokens)');
        if (!allows(claims.role, 'compat.aws-guidance.poll')) throw new ProtocolError('forbidden', `role ${claims.role} may not compat.aws-guidance.poll`);
      }
      request.claims = claims;
    };
  }

  private async verifyRecent(token: string): Promise<Claims> {
    const key = createHash('sha256').update(token).digest('base64url');
    const now = Date.now();
    const hit = this.verified.get(key);
    if (hit && hit.until > now) return hit.claims;
    const claims = await this.core.tokens.verify(token);
    if (this.verified.size >= BINDING_CACHE) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(key, { claims, until: Math.min(now + VERIFIED_FOR_MS, claims.expiresAt) });
    return claims;
  }

  /** A token was revoked (the bus says so): verify it again at its next use. */
  forget(tokenId: string): void {
    for (const [key, v] of this.verified) if (v.claims.tokenId === tokenId) this.verified.delete(key);
  }

  /** The vr_module a token was issued for, or null for any other token. */
  private async boundModule(tokenId: string): Promise<string | null> {
    if (this.bindings.has(tokenId)) return this.bindings.get(tokenId)!;
    const bound = await this.core.redis.get(this.keys.moduleToken(tokenId));
    if (this.bindings.size >= BINDING_CACHE) this.bindings.delete(this.bindings.keys().next().value!);
    this.bindings.set(tokenId, bound);
    return bound;
  }

  /**
   * A token for a render module: a viewer token of the module's room (it can do no more
   * than a viewer anyway), bound here to the vr_module. Listed and revoked like any other.
   */
  async issueModuleToken(vrModule: string, ttlSeconds = MODULE_TOKEN_TTL_S): Promise<{ token: string; tokenId: string; expiresAt: number }> {
    const room = this.roomOf(vrModule);
    const { token, info } = await this.core.tokens.issue({ role: 'viewer', rooms: [room], ttlSeconds, label: `aws-guidance vr_module ${vrModule}` });
    await this.core.redis.set(this.keys.moduleToken(info.tokenId), vrModule, 'EX', ttlSeconds);
    this.bindings.delete(info.tokenId);
    return { token, tokenId: info.tokenId, expiresAt: info.expiresAt };
  }
}

export type { Claims };
