import { useEffect, useState } from 'react';
import type { RecordingLink, RecordingView } from '../../../../protocol/destinations.js';
import { useSession } from '../../session.js';
import { clock, dateTime, duration } from '../../ui/format.js';
import { errorText } from '../../api.js';

/**
 * Recorded shows. A download cannot carry the bearer token, and a two-hour show is gigabytes:
 * too much to fetch into the page. So the console asks the server for a short-lived link signed
 * for that one file and hands it to the browser, which streams the file to disk itself (with
 * its own progress, pause and resume) while the page holds nothing.
 */
export function RecordingsPanel({ room }: { room: string }) {
  const { api } = useSession();
  const [list, setList] = useState<RecordingView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<Record<string, { ok: boolean; text: string }>>({});

  useEffect(() => {
    api.get<{ recordings: RecordingView[] }>(`/api/rooms/${room}/recordings`).then((r) => setList(r.recordings), (e) => setError(errorText(e)));
  }, [api, room]);

  const download = async (rec: RecordingView) => {
    const say = (ok: boolean, text: string) => setStatus((s) => ({ ...s, [rec.id]: { ok, text } }));
    say(true, 'asking for a link…');
    try {
      const link = await api.post<RecordingLink>(`${rec.mp4}/link`);
      const a = document.createElement('a');
      a.href = link.url;
      a.download = `${room}-${rec.id}-show.mp4`;
      document.body.append(a);
      a.click();
      a.remove();
      say(true, `download started · the browser shows its progress (link valid until ${clock(link.expiresAt)})`);
    } catch (err) {
      say(false, `failed: ${errorText(err)}`);
    }
  };

  return (
    <section className="panel recordings" aria-label="recordings">
      <header><h2>Recordings</h2><span className="muted">MP4 + HLS of every show, written when it ends</span></header>
      {error && <p className="error">{error}</p>}
      <table className="grid">
        <thead><tr><th>started</th><th>ended</th><th className="num">length</th><th>id</th><th /></tr></thead>
        <tbody>
          {list?.length === 0 && <tr><td colSpan={5} className="muted">No recordings yet.</td></tr>}
          {list?.map((r) => (
            <tr key={r.id} data-recording={r.id}>
              <td>{dateTime(r.startedAt)}</td>
              <td>{r.endedAt ? clock(r.endedAt) : '—'}</td>
              <td className="num">{duration(r.durationMs)}</td>
              <td><code>{r.id}</code></td>
              <td>
                <button type="button" onClick={() => void download(r)}>Download MP4</button>
                {status[r.id] && <span className={`outcome ${status[r.id]!.ok ? 'ok' : 'error'}`} role="status"> {status[r.id]!.text}</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
