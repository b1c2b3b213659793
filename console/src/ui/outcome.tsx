import { useCallback, useState } from 'react';
import type { Outcome } from '../operator-client.js';
import { useSession } from '../session.js';

export type ActionState = { state: 'idle' } | { state: 'pending' } | { state: 'done'; outcome: Outcome };

/**
 * Runs an operator action, records it in the activity log, and keeps its outcome for the
 * control that started it: every button shows what became of its last press.
 */
export function useAction(room: string | null, label: string) {
  const { store } = useSession();
  const [status, setStatus] = useState<ActionState>({ state: 'idle' });
  const run = useCallback(async (fn: () => Promise<Outcome>, what = label) => {
    setStatus({ state: 'pending' });
    const outcome = await store.track(room, what, fn);
    setStatus({ state: 'done', outcome });
    return outcome;
  }, [store, room, label]);
  return [status, run] as const;
}

/** The outcome of an action in a few words: pending, ok (by whom, how fast) or the server's error. */
export function OutcomeText({ status, okText }: { status: ActionState; okText?: string }) {
  if (status.state === 'idle') return <span className="outcome" />;
  if (status.state === 'pending') return <span className="outcome pending" role="status">sending…</span>;
  const o = status.outcome;
  if (o.ok) {
    const who = o.hostId ? `ack ${o.hostId}` : (okText ?? 'accepted');
    return <span className="outcome ok" role="status">✓ {who} · {o.ms} ms</span>;
  }
  return <span className="outcome error" role="alert" title={o.code}>✗ {o.message}</span>;
}

/** REST calls reported the same way as WebSocket requests. */
export async function restOutcome(fn: () => Promise<unknown>): Promise<Outcome> {
  const t0 = performance.now();
  try {
    await fn();
    return { ok: true, ms: Math.round(performance.now() - t0) };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    return { ok: false, ms: Math.round(performance.now() - t0), code: (e.code ?? 'internal') as 'internal', message: e.message ?? String(err) };
  }
}
