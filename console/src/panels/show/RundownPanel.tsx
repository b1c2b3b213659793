import { useCallback, useEffect, useState, type DragEvent } from 'react';
import type { Material, Rundown, RundownItem, RundownSegment, SegmentTiming } from '../../../../protocol/show.js';
import type { RoomState } from '../../state/room-state.js';
import { useSession } from '../../session.js';
import { ApiError, errorText } from '../../api.js';
import { OutcomeText, restOutcome, useAction } from '../../ui/outcome.js';
import { clock, duration } from '../../ui/format.js';
import { useNow } from '../../ui/use-now.js';
import { ItemEditor, newItem, ITEM_KINDS } from './ItemEditor.js';
import { itemText } from './show-text.js';

const newSegmentId = () => `seg-${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;

/** m:ss or h:mm:ss or plain seconds → ms (null when it is not a duration). */
export function parseDuration(text: string): number | null {
  const parts = text.trim().split(':').map((p) => p.trim());
  if (parts.some((p) => !/^\d+$/.test(p)) || parts.length > 3) return null;
  return parts.reduce((acc, p) => acc * 60 + Number(p), 0) * 1000;
}

function startText(start: RundownSegment['start']) {
  if (start.rule === 'at') return <b className="warn">at {clock(typeof start.at === 'number' ? start.at : Date.parse(start.at))}</b>;
  if (start.rule === 'manual') return 'on GO';
  if (start.rule === 'follow') return 'follows';
  // A rule this console does not edit yet: shown as the protocol names it.
  const rest = Object.entries(start).filter(([k]) => k !== 'rule').map(([k, v]) => `${k} ${typeof v === 'number' && k.endsWith('Ms') ? duration(v) : String(v)}`);
  return <b className="warn">{start.rule} {rest.join(' ')}</b>;
}

const atValue = (ms: number) => {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
};

function SegmentEditor({ seg, materials, onChange }: { seg: RundownSegment; materials: Material[]; onChange: (s: RundownSegment) => void }) {
  const [planned, setPlanned] = useState(duration(seg.plannedMs));
  const setItems = (items: RundownItem[]) => onChange({ ...seg, items });
  const at = seg.start.rule === 'at' ? (typeof seg.start.at === 'number' ? seg.start.at : Date.parse(seg.start.at)) : null;
  return (
    <div className="segment-editor" data-editing={seg.id}>
      <div className="row">
        <label className="inline">title <input value={seg.title} onChange={(e) => onChange({ ...seg, title: e.target.value })} maxLength={120} aria-label="segment title" /></label>
        <label className="inline">planned <input className="tiny" value={planned} aria-label="planned duration"
          onChange={(e) => { setPlanned(e.target.value); const ms = parseDuration(e.target.value); if (ms !== null) onChange({ ...seg, plannedMs: ms }); }} /></label>
        <label className="inline">starts
          <select value={seg.start.rule} aria-label="start rule" onChange={(e) => {
            const rule = e.target.value;
            const start: RundownSegment['start'] | null = rule === 'at' ? { rule: 'at', at: Date.now() + 10 * 60_000 }
              : rule === 'manual' ? { rule: 'manual' } : rule === 'follow' ? { rule: 'follow' } : null;
            if (start) onChange({ ...seg, start });
          }}>
            <option value="manual">on GO</option>
            <option value="follow">after the previous</option>
            <option value="at">at a time (hard cue)</option>
            {!['manual', 'follow', 'at'].includes(seg.start.rule) && <option value={seg.start.rule}>{seg.start.rule}</option>}
          </select>
        </label>
        {at !== null && <input type="datetime-local" value={atValue(at)} aria-label="cue time" onChange={(e) => {
          const ms = Date.parse(e.target.value);
          if (Number.isFinite(ms)) onChange({ ...seg, start: { rule: 'at', at: ms } });
        }} />}
        <label className="inline"><input type="checkbox" checked={!!seg.loop} onChange={(e) => onChange({ ...seg, loop: e.target.checked })} /> loop until moved on</label>
      </div>
      <ol className="items">
        {seg.items.map((item, i) => (
          <li key={i} className="row">
            <span className="n">{i + 1}</span>
            <ItemEditor item={item} materials={materials} onChange={(it) => setItems(seg.items.map((x, j) => (j === i ? it : x)))} />
            <span className="acts">
              <button type="button" className="ghost" disabled={i === 0} onClick={() => setItems(seg.items.map((x, j) => (j === i - 1 ? seg.items[i]! : j === i ? seg.items[i - 1]! : x)))}>↑</button>
              <button type="button" className="ghost" disabled={i === seg.items.length - 1} onClick={() => setItems(seg.items.map((x, j) => (j === i + 1 ? seg.items[i]! : j === i ? seg.items[i + 1]! : x)))}>↓</button>
              <button type="button" className="ghost" onClick={() => setItems(seg.items.filter((_, j) => j !== i))}>✕</button>
            </span>
          </li>
        ))}
      </ol>
      <div className="row">
        <span className="label">add</span>
        {ITEM_KINDS.map((k) => <button key={k.kind} type="button" onClick={() => setItems([...seg.items, newItem(k.kind, materials)])}>+ {k.label}</button>)}
      </div>
    </div>
  );
}

/**
 * The run of show: segments with planned and actual times, the current one lit with its
 * elapsed time, jump to any; edited in place (drag to reorder) and saved as one versioned
 * document — a save over someone else's newer version is refused and says so.
 */
export function RundownPanel({ room }: { room: RoomState }) {
  const { api, client } = useSession();
  const [server, setServer] = useState<Rundown | null>(null);
  const [draft, setDraft] = useState<RundownSegment[] | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [dragging, setDragging] = useState<number | null>(null);
  const [conflict, setConflict] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [saveStatus, runSave] = useAction(room.id, 'Rundown');
  const [jumpStatus, runJump] = useAction(room.id, 'Show');
  const now = useNow(1000);

  const load = useCallback(() => api.get<Rundown>(`/api/rooms/${room.id}/rundown`)
    .then((r) => { setServer(r); setLoadError(null); }, (e) => setLoadError(errorText(e))), [api, room.id]);
  useEffect(() => { void load(); }, [load]);
  // Someone saved a newer version: an unedited view follows it, an edited one is told.
  const remoteVersion = Math.max(room.show?.rundownVersion ?? 0, room.rundownVersion ?? 0);
  useEffect(() => {
    if (server && remoteVersion > server.version && draft === null) void load();
  }, [remoteVersion, server, draft, load]);

  if (loadError) return <section className="panel rundown"><p className="error">Could not load the rundown: {loadError}</p></section>;
  if (!server) return <section className="panel rundown"><p className="muted">Loading the rundown…</p></section>;

  const segments = draft ?? server.segments;
  const edit = (next: RundownSegment[]) => setDraft(next);
  const materials = Object.values(room.materials);
  const materialTitle = (id: string) => room.materials[id]?.title ?? id;
  const timing = new Map<string, SegmentTiming>((room.show?.segments ?? []).map((t) => [t.id, t]));
  const current = room.show?.segmentId ?? null;
  const stale = remoteVersion > server.version && draft !== null;

  const save = () => void runSave(() => restOutcome(async () => {
    try {
      const saved = await api.put<Rundown>(`/api/rooms/${room.id}/rundown`, { version: server.version, segments });
      setServer(saved);
      setDraft(null);
      setConflict(false);
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) setConflict(true);
      throw err;
    }
  }), `Rundown saved (${segments.length} segments)`);

  const onDrop = (to: number) => (e: DragEvent) => {
    e.preventDefault();
    if (dragging === null || dragging === to) return setDragging(null);
    const next = segments.slice();
    const [moved] = next.splice(dragging, 1);
    next.splice(to, 0, moved!);
    setDragging(null);
    edit(next);
  };

  return (
    <section className="panel rundown" aria-label="rundown">
      <header>
        <h2>Rundown</h2>
        <span className="muted">v{server.version} · {segments.length} segments · planned {duration(segments.reduce((n, s) => n + s.plannedMs, 0))}</span>
        <span className="grow" />
        <OutcomeText status={jumpStatus} okText="done" />
        <OutcomeText status={saveStatus} okText="saved" />
        {draft && <button type="button" onClick={() => { setDraft(null); setConflict(false); }}>Revert</button>}
        <button type="button" onClick={() => edit([...segments, { id: newSegmentId(), title: 'New segment', plannedMs: 60_000, start: { rule: 'follow' }, items: [] }])}>+ Segment</button>
        <button type="button" className="primary" disabled={!draft} onClick={save}>Save</button>
      </header>
      {(conflict || stale) && (
        <p className="banner warn" role="alert">Someone else saved the rundown (now v{remoteVersion}). Your edits are kept here until you
          <button type="button" onClick={() => { setDraft(null); setConflict(false); void load(); }}>load theirs</button>.</p>
      )}
      <table className="grid rundown-table">
        <thead><tr><th /><th>#</th><th>segment</th><th>starts</th><th>planned</th><th>planned start</th><th>actual</th><th>state</th><th /></tr></thead>
        <tbody>
          {segments.length === 0 && <tr><td colSpan={9} className="muted">No segments. Add one, then GO starts the show.</td></tr>}
          {segments.map((seg, i) => {
            const t = timing.get(seg.id);
            const isCurrent = seg.id === current;
            // Server times against this clock: never show a negative run for a segment that just began.
            const ran = t?.startedAt ? Math.max(0, (t.endedAt ?? now) - t.startedAt) : null;
            return [
              <tr key={seg.id} data-segment={seg.id} data-state={t?.state ?? 'pending'} className={`${isCurrent ? 'current' : ''} ${dragging === i ? 'dragging' : ''}`}
                draggable onDragStart={() => setDragging(i)} onDragOver={(e) => e.preventDefault()} onDrop={onDrop(i)} onDragEnd={() => setDragging(null)}>
                <td className="handle" title="drag to reorder">⋮⋮</td>
                <td className="num">{i + 1}</td>
                <td className="title-cell">
                  <button type="button" className="link" onClick={() => setOpen(open === seg.id ? null : seg.id)} aria-expanded={open === seg.id}>{seg.title}</button>
                  {seg.loop && <span className="pill">loop</span>}
                  <div className="items-line small muted">{seg.items.map((it) => itemText(it, materialTitle)).join(' · ') || 'no items'}</div>
                </td>
                <td>{startText(seg.start)}</td>
                <td className="num">{duration(seg.plannedMs)}</td>
                <td>{t?.plannedStartAt ? clock(t.plannedStartAt) : '—'}</td>
                <td>{t?.startedAt ? `${clock(t.startedAt)} · ${duration(ran ?? 0)}` : '—'}</td>
                {/* Red "on air" only while the room streams: red means on air, nothing else. */}
                <td><span className={`pill ${t?.state ?? ''} ${isCurrent && !room.live ? 'off-air' : ''}`}>{isCurrent ? (room.live ? 'on air' : 'current · off air') : (t?.state ?? 'new')}</span></td>
                <td><button type="button" title="jump to this segment" onClick={() => void runJump(() => client.show(room.id, { name: 'show.jump', segmentId: seg.id }), `Jump: ${seg.title}`)} disabled={!!draft}>Jump</button></td>
              </tr>,
              open === seg.id && (
                <tr key={`${seg.id}-edit`} className="editing"><td /><td colSpan={8}>
                  <SegmentEditor seg={seg} materials={materials} onChange={(s) => edit(segments.map((x) => (x.id === seg.id ? s : x)))} />
                  <div className="row"><button type="button" className="ghost" onClick={() => { edit(segments.filter((x) => x.id !== seg.id)); setOpen(null); }}>Delete segment</button></div>
                </td></tr>
              ),
            ];
          })}
        </tbody>
      </table>
      {draft && <p className="muted small">Unsaved changes — jumping is off until they are saved or reverted.</p>}
    </section>
  );
}
