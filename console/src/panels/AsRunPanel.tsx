import { useCallback, useEffect, useState } from 'react';
import type { Static } from '@sinclair/typebox';
import type { AsRunEntry, AsRunPage } from '../../../protocol/newsroom.js';
import type { RoomState } from '../state/room-state.js';
import { useSession } from '../session.js';
import { errorText } from '../api.js';
import { clock, duration } from '../ui/format.js';
import { sourceText } from './show/show-text.js';
import { useWho } from '../ui/who.js';

const PAGE = 100;
type Source = '' | 'rundown' | 'answer' | 'say' | 'filler';

/**
 * The as-run log: every line the render host reported on air, in order — searchable, by
 * source and time, in pages; exported as CSV or JSON (the server's export, fetched with the
 * token). While unfiltered, it follows the show: a line that ends appears.
 */
export function AsRunPanel({ room }: { room: RoomState }) {
  const { api } = useSession();
  const who = useWho();
  const [q, setQ] = useState('');
  const [source, setSource] = useState<Source>('');
  const [from, setFrom] = useState('');
  const [entries, setEntries] = useState<AsRunEntry[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [exportError, setExportError] = useState<string | null>(null);
  const ended = room.lines.filter((l) => l.state === 'done' || l.state === 'interrupted').length;

  const query = useCallback((after: string | null) => {
    const p = new URLSearchParams({ limit: String(PAGE) });
    if (q.trim()) p.set('q', q.trim());
    if (source) p.set('source', source);
    const fromMs = from ? Date.parse(from) : NaN;
    if (Number.isFinite(fromMs)) p.set('from', String(fromMs));
    if (after) p.set('after', after);
    return api.get<Static<typeof AsRunPage>>(`/api/rooms/${room.id}/as-run?${p}`);
  }, [api, room.id, q, source, from]);

  useEffect(() => {
    let live = true;
    const t = setTimeout(() => query(null).then((page) => {
      if (!live) return;
      setEntries(page.entries);
      setNext(page.next);
      setError(null);
    }, (e) => live && setError(errorText(e))), 150);
    return () => { live = false; clearTimeout(t); };
  }, [query, ended]);

  const more = () => next && void query(next).then((page) => { setEntries((e) => [...e, ...page.entries]); setNext(page.next); }, (e) => setError(errorText(e)));
  const download = (format: 'csv' | 'json') => void (async () => {
    setExportError(null);
    try {
      const res = await api.fetch(`/api/rooms/${room.id}/as-run/export?format=${format}`);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = `as-run-${room.id}.${format}`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      setExportError(errorText(err));
    }
  })();

  return (
    <main className="as-run-page" data-room={room.id}>
      <section className="panel as-run" aria-label="as-run">
        <header>
          <h2>As-run</h2>
          <span className="muted">every line the render host reported on air</span>
          <input type="search" placeholder="search the text…" value={q} onChange={(e) => setQ(e.target.value)} aria-label="search as-run" />
          <select value={source} onChange={(e) => setSource(e.target.value as Source)} aria-label="source">
            <option value="">every source</option><option value="rundown">rundown</option><option value="answer">answers</option>
            <option value="say">said / played</option><option value="filler">fillers</option>
          </select>
          <label className="inline">from <input type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} aria-label="from" /></label>
          <span className="grow" />
          <button type="button" onClick={() => download('csv')}>Export CSV</button>
          <button type="button" onClick={() => download('json')}>Export JSON</button>
        </header>
        {error && <p className="error">{error}</p>}
        {exportError && <p className="error">Export failed: {exportError}</p>}
        <table className="grid as-run-table">
          <thead><tr><th>started</th><th>length</th><th>source</th><th>line</th><th>approved by</th><th>askers</th><th>recording</th><th>host</th></tr></thead>
          <tbody>
            {entries.length === 0 && <tr><td colSpan={8} className="muted">Nothing aired{q || source || from ? ' that matches' : ' yet'}.</td></tr>}
            {entries.map((e) => (
              <tr key={e.id} data-entry={e.id} className={e.interrupted ? 'interrupted' : ''}>
                <td>{clock(e.startedAt)}</td>
                <td className="num">{duration(e.endedAt - e.startedAt)}{e.interrupted ? ' ✂' : ''}</td>
                <td><span className={`pill ${e.priority}`}>{e.priority}</span> <span className="small muted">{sourceText(e.source)}</span></td>
                <td className="line-text">{e.text}</td>
                <td title={e.approvedBy ?? ''}>{e.approvedBy ? who(e.approvedBy) : <span className="muted">auto</span>}</td>
                <td className="num">{e.askers || ''}</td>
                <td className="small">{e.recordingOffsetMs !== null ? `${duration(e.recordingOffsetMs)}` : '—'}</td>
                <td className="small">{e.hostId}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {next && <button type="button" onClick={more}>Load {PAGE} more</button>}
      </section>
    </main>
  );
}
