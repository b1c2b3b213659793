import type { QueueLine, ShowCommand } from '../../../../protocol/show.js';
import type { RoomState } from '../../state/room-state.js';
import { useSession } from '../../session.js';
import { OutcomeText, useAction } from '../../ui/outcome.js';
import { duration } from '../../ui/format.js';
import { sourceText } from './show-text.js';

const CLASSES = ['urgent', 'answer', 'script', 'filler'] as const;

/**
 * The room's speech queue as the director holds it: what is on air, then what waits, by
 * class (urgent before answers before the script before fillers). Lines can be moved
 * within their class, removed, and the one on air cut.
 */
export function QueuePanel({ room, compact = false }: { room: RoomState; compact?: boolean }) {
  const { client } = useSession();
  const [status, run] = useAction(room.id, 'Queue');
  const show = room.show;
  const title = (id: string) => show?.segments.find((s) => s.id === id)?.title ?? id;
  const send = (cmd: ShowCommand, label: string) => void run(() => client.show(room.id, cmd), label);
  const short = (t: string) => (t.length > 40 ? `${t.slice(0, 40)}…` : t);
  const queue = show?.queue ?? [];

  const moves = (line: QueueLine) => {
    const same = queue.filter((l) => l.priority === line.priority && l.state === 'waiting');
    const i = same.findIndex((l) => l.lineId === line.lineId);
    return {
      up: i > 0 ? same[i - 1]!.lineId : undefined,
      // Before the one after the next; past the end is "to the end of its class".
      down: i >= 0 && i < same.length - 1 ? (same[i + 2]?.lineId ?? null) : undefined,
    };
  };

  return (
    <section className={`panel queue ${compact ? 'compact' : ''}`} aria-label="speech queue">
      <header>
        <h2>Speech queue</h2>
        <span className="muted">{queue.length} waiting · {duration(show?.backlogMs ?? 0)} of audio</span>
        <span className="grow" />
        <OutcomeText status={status} okText="done" />
      </header>
      <div className="on-air-line" data-line={show?.onAir?.lineId ?? ''}>
        <span className="label">On air</span>
        {show?.onAir
          ? <>
            <span className={`pill ${show.onAir.priority}`}>{show.onAir.priority}</span>
            <span className="txt">{show.onAir.text}</span>
            <button type="button" className="danger" onClick={() => send({ name: 'speech.interrupt', lineId: show.onAir!.lineId }, `Interrupt: ${short(show.onAir!.text)}`)}>✂ Interrupt</button>
          </>
          : <span className="muted">nothing</span>}
      </div>
      <ol className="queue-lines">
        {queue.length === 0 && <li className="muted empty-row">Nothing waits to air.</li>}
        {CLASSES.flatMap((c) => queue.filter((l) => l.priority === c)).map((l) => {
          const m = moves(l);
          return (
            <li key={l.lineId} data-line={l.lineId} data-state={l.state} className={l.state}>
              <span className={`pill ${l.priority}`}>{l.priority}</span>
              <span className="txt" title={l.text}>{l.text}</span>
              <span className="src">{sourceText(l.source, title)}</span>
              <span className="dur">{duration(l.durationMs)}</span>
              <span className="acts">
                <button type="button" className="ghost" title="earlier" disabled={m.up === undefined} onClick={() => m.up !== undefined && send({ name: 'queue.move', lineId: l.lineId, before: m.up }, `Move up: ${short(l.text)}`)}>↑</button>
                <button type="button" className="ghost" title="later" disabled={m.down === undefined} onClick={() => m.down !== undefined && send({ name: 'queue.move', lineId: l.lineId, before: m.down }, `Move down: ${short(l.text)}`)}>↓</button>
                <button type="button" className="ghost" title="remove" disabled={l.state !== 'waiting'} onClick={() => send({ name: 'queue.remove', lineId: l.lineId }, `Remove: ${short(l.text)}`)}>✕</button>
              </span>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
