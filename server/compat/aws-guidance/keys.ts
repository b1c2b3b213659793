import { createHash } from 'node:crypto';

/** A client's free-form name (a user_id) as a key part: hashed, so no input can shape a key. */
export function keyPart(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 32);
}

/**
 * The adapter's own Redis keys. vr_module ids reach them only after they were found in
 * the configured map, token ids only after the token verified; anything else is hashed.
 */
export function compatKeys(prefix: string) {
  const base = `${prefix}:compat:aws-guidance`;
  return {
    /** Hash index → ItemRecord: one legacy user's items (the original's partition). */
    userItems: (userId: string) => `${base}:user:${keyPart(userId)}`,
    /** Hash index → user key part: which user's item a start by index means on a module. */
    moduleItems: (vrModule: string) => `${base}:module:${vrModule}:items`,
    /** What the module's poll answers (PlayState JSON); absent: "noaction". */
    playing: (vrModule: string) => `${base}:module:${vrModule}:playing`,
    /** The vr_module a module token is bound to. */
    moduleToken: (tokenId: string) => `${base}:token:${tokenId}`,
    /** A picture upload URL not used yet (one-time). */
    upload: (name: string) => `${base}:upload:${name}`,
    /** The WAV asset keys behind an MP3 digest. */
    audio: (digest: string) => `${base}:audio:${digest}`,
    /** An answer made into a polled item (its text and audio), by question id. */
    answer: (questionId: string) => `${base}:answer:${keyPart(questionId)}`,
    /** Hash role → persona edited by an operator (the vocabulary has the defaults). */
    personas: `${base}:personas`,
  };
}
export type CompatKeys = ReturnType<typeof compatKeys>;
