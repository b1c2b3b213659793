import { useState, type FormEvent, type KeyboardEvent } from 'react';
import type { SayRequest } from '../../../protocol/speech.js';
import type { RoomState, SpokenLine } from '../state/room-state.js';
import { useSession } from '../session.js';
import { OutcomeText, useAction } from '../ui/outcome.js';
import { SAY_PRIORITIES, SPEEDS, VOICES, type SayPriority, type Speed, type VoiceId } from '../vocabulary.js';

interface Said { segmentId: string; text: string }

const MAX_SAID = 8;
const STATE_TEXT: Record<SpokenLine['state'] | 'synthesizing', string> = {
  synthesizing: 'synthesizing…', sent: 'queued at the host', playing: 'speaking now', done: 'spoken', interrupted: 'cut off',
};

/** Say-now: a line in the room's voice (or another), spoken as soon as it is synthesized. */
export function SayPanel({ room }: { room: RoomState }) {
  const { api } = useSession();
  const [text, setText] = useState('');
  const [voice, setVoice] = useState<VoiceId | ''>('');
  const [speed, setSpeed] = useState<Speed | ''>('');
  const [priority, setPriority] = useState<SayPriority>('script');
  const [said, setSaid] = useState<Said[]>([]);
  const [status, run] = useAction(room.id, 'Say');

  const send = (e?: FormEvent) => {
    e?.preventDefault();
    const line = text.trim();
    if (!line) return;
    const body: SayRequest = {
      text: line, priority,
      ...(voice || speed ? { voice: { ...(voice ? { voice } : {}), ...(speed ? { prosody: { speed } } : {}) } } : {}),
    };
    void run(async () => {
      const t0 = performance.now();
      try {
        const { segmentId } = await api.post<{ segmentId: string }>(`/api/rooms/${room.id}/say`, body);
        setSaid((s) => [{ segmentId, text: line }, ...s].slice(0, MAX_SAID));
        setText('');
        return { ok: true, ms: Math.round(performance.now() - t0) };
      } catch (err) {
        const ex = err as { code?: 'internal'; message: string };
        return { ok: false, ms: Math.round(performance.now() - t0), code: ex.code ?? 'internal', message: ex.message };
      }
    }, `Say: ${line.slice(0, 60)}`);
  };
  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      send();
    }
  };
  const roomVoice = room.view?.voice.voice ?? 'default';

  return (
    <section className="panel say" aria-label="say">
      <header><h2>Say now</h2><span className="muted">Enter sends · Shift+Enter new line</span></header>
      <form onSubmit={send}>
        <textarea value={text} onChange={(e) => setText(e.target.value)} onKeyDown={onKey} maxLength={2000} rows={3}
          placeholder="A line for the host to say…" aria-label="line to say" />
        <div className="row">
          <select value={voice} onChange={(e) => setVoice(e.target.value as VoiceId | '')} aria-label="voice">
            <option value="">room voice ({roomVoice})</option>
            {VOICES.map((v) => <option key={v} value={v}>{v}</option>)}
          </select>
          <select value={speed} onChange={(e) => setSpeed(e.target.value as Speed | '')} aria-label="speed">
            <option value="">room speed</option>
            {SPEEDS.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
          <select value={priority} onChange={(e) => setPriority(e.target.value as SayPriority)} aria-label="priority">
            {SAY_PRIORITIES.map((p) => <option key={p} value={p}>{p === 'urgent' ? 'urgent (cuts in)' : 'in turn'}</option>)}
          </select>
          <button type="submit" className="primary" disabled={!text.trim()}>Say</button>
        </div>
        <OutcomeText status={status} okText="accepted" />
      </form>
      <ul className="said" aria-label="lines said from this console">
        {said.map((s) => {
          const line = room.lines.find((l) => l.segmentId === s.segmentId);
          const state = line?.state ?? 'synthesizing';
          return (
            <li key={s.segmentId} data-segment={s.segmentId} data-state={state}>
              <span className={`state ${state}`}>{STATE_TEXT[state]}</span> <span className="txt">{s.text}</span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
