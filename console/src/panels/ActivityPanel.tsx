import type { Activity } from '../state/store.js';
import { clock } from '../ui/format.js';

/** What this console did and what came of it, newest first (bounded by the store). */
export function ActivityPanel({ activity }: { activity: Activity[] }) {
  return (
    <section className="panel activity" aria-label="activity">
      <header><h2>Activity</h2><span className="muted">your actions and their outcome</span></header>
      <ol>
        {activity.length === 0 && <li className="muted">Nothing yet.</li>}
        {activity.slice(0, 30).map((a) => (
          <li key={a.id} className={`act-${a.state}`} data-state={a.state}>
            <span className="t">{clock(a.at)}</span>
            <span className="st">{a.state === 'pending' ? '…' : a.state === 'ok' ? '✓' : '✗'}</span>
            <span className="room">{a.room}</span>
            <span className="what">{a.label}</span>
            <span className="detail">{a.detail}{a.ms !== null ? ` · ${a.ms} ms` : ''}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
