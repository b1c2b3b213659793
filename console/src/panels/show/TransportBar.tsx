import { useEffect, useState } from 'react';
import type { ShowCommand } from '../../../../protocol/show.js';
import type { RoomState } from '../../state/room-state.js';
import { useSession } from '../../session.js';
import { OutcomeText, useAction } from '../../ui/outcome.js';
import { duration } from '../../ui/format.js';
import { useNow } from '../../ui/use-now.js';
import { overUnder, STATE_TEXT, WAITING_TEXT } from './show-text.js';

type Simple = Exclude<ShowCommand, { name: 'show.jump' | 'speech.interrupt' | 'speech.stop' | 'queue.remove' | 'queue.move' | 'material.play' }>['name'];

/** The transport, with the keys that drive it from anywhere on the page (not while typing). */
export const TRANSPORT: Array<{ cmd: Simple; label: string; key: string; keyLabel: string }> = [
  { cmd: 'show.go', label: 'GO', key: ' ', keyLabel: 'Space' },
  { cmd: 'show.hold', label: 'Hold', key: 'h', keyLabel: 'H' },
  { cmd: 'show.resume', label: 'Resume', key: 'r', keyLabel: 'R' },
  { cmd: 'show.skip', label: 'Skip', key: 's', keyLabel: 'S' },
  { cmd: 'show.back', label: 'Back', key: 'b', keyLabel: 'B' },
];
const STOP_CONFIRM_MS = 3000;

const typing = (t: EventTarget | null) => t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName));

/** Where the show stands and its transport: segment, elapsed and remaining, the next hard cue, over/under. */
export function TransportBar({ room }: { room: RoomState }) {
  const { client } = useSession();
  const [status, run] = useAction(room.id, 'Show');
  const [armedStop, setArmedStop] = useState(false);
  const now = useNow();
  const show = room.show;

  const send = (cmd: ShowCommand, label: string) => void run(() => client.show(room.id, cmd), label);
  const stop = () => {
    if (!armedStop) return setArmedStop(true);
    setArmedStop(false);
    send({ name: 'show.stop' }, 'Show: stop');
  };
  useEffect(() => {
    if (!armedStop) return;
    const t = setTimeout(() => setArmedStop(false), STOP_CONFIRM_MS);
    return () => clearTimeout(t);
  }, [armedStop]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
      const t = TRANSPORT.find((x) => x.key === e.key.toLowerCase());
      if (!t) return;
      e.preventDefault();
      void run(() => client.show(room.id, { name: t.cmd } as ShowCommand), `Show: ${t.label} (${t.keyLabel})`);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [client, room.id, run]);

  const since = now - room.showAt;
  const running = show?.state === 'running';
  const seg = show?.segments.find((s) => s.id === show.segmentId) ?? null;
  const elapsed = show?.segmentElapsedMs !== null && show?.segmentElapsedMs !== undefined ? show.segmentElapsedMs + (running ? since : 0) : null;
  const remaining = show?.segmentRemainingMs !== null && show?.segmentRemainingMs !== undefined ? show.segmentRemainingMs - (running ? since : 0) : null;
  const cue = show?.nextHardCue ?? null;
  const cueIn = cue ? cue.inMs - since : null;
  const ou = overUnder(show?.overUnderMs ?? 0);
  // Before the first GO (or after a stop) there is no clock to read: say what to do instead.
  const started = show !== null && show.state !== 'idle';

  return (
    <section className="panel transport" aria-label="transport" data-show-state={show?.state ?? 'unknown'}>
      <div className="show-now">
        <span className={`show-state ${show?.state ?? ''}`} data-state={show?.state}>
          {show ? STATE_TEXT[show.state] : '—'}{show?.state === 'waiting' && show.waitingFor ? ` ${WAITING_TEXT[show.waitingFor]}` : ''}
        </span>
        <span className="seg-title" data-segment={seg?.id ?? ''}>{seg ? seg.title : <span className="muted">no segment</span>}</span>
        {seg && <span className="kv">item <b>{(show?.itemIndex ?? 0) + 1}</b>{show?.loops ? ` · loop ${show.loops + 1}` : ''}</span>}
        {started ? <>
          <span className="kv">elapsed <b className="clock" data-elapsed>{elapsed !== null ? duration(elapsed) : '—'}</b>{seg ? ` / ${duration(seg.plannedMs)}` : ''}</span>
          <span className="kv">remaining <b className={`clock ${remaining !== null && remaining < 0 ? 'bad' : ''}`}>{remaining !== null ? duration(remaining) : '—'}</b></span>
          <span className="kv">next cue <b className="clock">{cue && cueIn !== null ? `${duration(cueIn)}` : '—'}</b>{cue ? ` ${show?.segments.find((s) => s.id === cue.segmentId)?.title ?? cue.segmentId}` : ''}</span>
          <span className={`kv ${ou.tone}`} data-over-under><b>{ou.text}</b></span>
        </> : show && <span className="kv hint">{show.segments.length ? <>press <b>GO</b> (Space) to start “{show.segments[0]!.title}”</> : 'the rundown is empty: build it on the Show page'}</span>}
        {show?.next && <span className="kv next">next: <i>{show.next.text}</i></span>}
      </div>
      <div className="transport-buttons" role="group" aria-label="transport buttons">
        {TRANSPORT.map((t) => (
          <button key={t.cmd} type="button" className={t.cmd === 'show.go' ? 'go' : ''} onClick={() => send({ name: t.cmd } as ShowCommand, `Show: ${t.label}`)}
            disabled={(t.cmd === 'show.resume' && show?.state !== 'holding') || (t.cmd === 'show.hold' && show?.state !== 'running' && show?.state !== 'waiting')}>
            {t.label} <kbd>{t.keyLabel}</kbd>
          </button>
        ))}
        <button type="button" className="danger" onClick={stop}>{armedStop ? 'Confirm stop' : 'Stop show'}</button>
        <OutcomeText status={status} okText="done" />
      </div>
    </section>
  );
}
