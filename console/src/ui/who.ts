import { useEffect, useState } from 'react';
import type { TokenInfo } from '../../../protocol/rest.js';
import { useSession, type Session } from '../session.js';

/** Token labels as an admin may list them, loaded once per signed-in session and shared by every panel. */
const labels = new WeakMap<Session, Promise<Map<string, string>>>();

function labelsFor(session: Session): Promise<Map<string, string>> {
  let loaded = labels.get(session);
  if (!loaded) {
    loaded = session.api.get<{ tokens: TokenInfo[] }>('/api/tokens').then(
      (r) => new Map(r.tokens.map((t) => [t.tokenId, t.label ?? `${t.role} ${shortId(t.tokenId)}`])),
      () => new Map(),
    );
    labels.set(session, loaded);
  }
  return loaded;
}

/** `tok-4cd12f78-8c6c-…` → `tok-4cd12f78`: enough to tell two tokens apart on screen. */
export const shortId = (tokenId: string): string => tokenId.split('-').slice(0, 2).join('-');

/**
 * Names the person behind a token id as a producer reads it: "you" (this console's token),
 * the token's label when this console may list tokens (admins), else the short id. The full
 * id stays available as a tooltip.
 */
export function useWho(): (tokenId: string | null) => string {
  const session = useSession();
  const [known, setKnown] = useState<Map<string, string>>(new Map());
  useEffect(() => {
    if (!session.isAdmin) return;
    let live = true;
    void labelsFor(session).then((m) => live && setKnown(m));
    return () => { live = false; };
  }, [session]);
  return (tokenId) => {
    if (tokenId === null || tokenId === session.facts?.tokenId) return 'you';
    // Not a token (a system actor such as a timeout): its own name.
    if (!tokenId.startsWith('tok-')) return tokenId;
    return known.get(tokenId) ?? `operator ${shortId(tokenId)}`;
  };
}
