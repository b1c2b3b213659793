import { useEffect, useState } from 'react';
import type { Connection } from '../state/store.js';

function useSecondsUntil(at: number | null): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (at === null) return;
    const t = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(t);
  }, [at]);
  return at === null ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

const LABEL: Record<Connection['state'], string> = {
  idle: 'Starting', connecting: 'Connecting…', open: 'Connected', backoff: 'Connection lost',
  unauthorized: 'Signed out', replaced: 'Taken over', closed: 'Closed',
};

/** The link's state, always in view; `data-state` is what tests and styles read. */
export function ConnectionBadge({ connection: c }: { connection: Connection }) {
  const tone = c.state === 'open' ? 'ok' : c.state === 'connecting' || c.state === 'idle' ? 'warn' : 'bad';
  const detail = c.state === 'open' && c.instanceId ? `server ${c.instanceId}` : '';
  return (
    <span className={`conn ${tone}`} data-state={c.state} role="status" aria-label="connection" title={detail}>
      <span className="dot" />{LABEL[c.state]}
      {c.resumes > 0 && <span className="muted"> · resumed {c.resumes}×</span>}
    </span>
  );
}

/** A plain, full-width notice while the console is not connected: nothing is sent until it is back. */
export function ConnectionBanner({ connection: c }: { connection: Connection }) {
  const secs = useSecondsUntil(c.state === 'backoff' ? c.retryAt : null);
  if (c.state === 'open' || c.state === 'idle') return null;
  const text = c.state === 'connecting' ? 'Connecting to the server…'
    : c.state === 'backoff' ? `Lost the connection to the server. Retrying${secs ? ` in ${secs} s` : ' now'} — the console resumes where it left off; actions are not sent until then.`
      : c.state === 'replaced' ? 'Another window took over this console session. Reload to take it back.'
        : c.state === 'unauthorized' ? 'The server no longer accepts this token. Sign in again.'
          : 'Disconnected.';
  return <div className={`banner ${c.state === 'connecting' ? 'warn' : 'bad'}`} role="alert" data-state={c.state}>{text}</div>;
}
