import { useEffect, useState } from 'react';
import type { RecordingView } from '../../../../protocol/destinations.js';
import { useSession } from '../../session.js';
import { bytes, clock, duration } from '../../ui/format.js';
import { errorText } from '../../api.js';

/**
 * Recorded shows. Downloads need the bearer token, which a plain link cannot send, so the
 * file is fetched with it and handed to the browser as a blob, with progress.
 */
export function RecordingsPanel({ room }: { room: string }) {
  const { api } = useSession();
  const [list, setList] = useState<RecordingView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [progress, setProgress] = useState<Record<string, string>>({});

  useEffect(() => {
    api.get<{ recordings: RecordingView[] }>(`/api/rooms/${room}/recordings`).then((r) => setList(r.recordings), (e) => setError(errorText(e)));
  }, [api, room]);

  const download = async (rec: RecordingView) => {
    const say = (text: string) => setProgress((p) => ({ ...p, [rec.id]: text }));
    try {
      const res = await api.fetch(rec.mp4);
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      const total = Number(res.headers.get('content-length') ?? 0);
      const reader = res.body.getReader();
      const parts: BlobPart[] = [];
      let got = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parts.push(value);
        got += value.byteLength;
        say(total ? `${Math.round((got / total) * 100)} % of ${bytes(total)}` : bytes(got));
      }
      const url = URL.createObjectURL(new Blob(parts, { type: 'video/mp4' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `${room}-${rec.id}.mp4`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      say(`saved (${bytes(got)})`);
    } catch (err) {
      say(`failed: ${errorText(err)}`);
    }
  };

  return (
    <section className="panel recordings" aria-label="recordings">
      <header><h2>Recordings</h2><span className="muted">MP4 + HLS of every show, written when it ends</span></header>
      {error && <p className="error">{error}</p>}
      <table className="grid">
        <thead><tr><th>started</th><th>ended</th><th>length</th><th>id</th><th /></tr></thead>
        <tbody>
          {list?.length === 0 && <tr><td colSpan={5} className="muted">No recordings yet.</td></tr>}
          {list?.map((r) => (
            <tr key={r.id} data-recording={r.id}>
              <td>{new Date(r.startedAt).toLocaleDateString()} {clock(r.startedAt)}</td>
              <td>{r.endedAt ? clock(r.endedAt) : '—'}</td>
              <td className="num">{duration(r.durationMs)}</td>
              <td><code>{r.id}</code></td>
              <td><button type="button" onClick={() => void download(r)}>Download MP4</button> <span className="muted small">{progress[r.id]}</span></td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
