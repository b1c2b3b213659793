import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { AddDestinationBody, DestinationView } from '../../../../protocol/destinations.js';
import { useSession } from '../../session.js';
import { OutcomeText, restOutcome, useAction } from '../../ui/outcome.js';
import { ago } from '../../ui/format.js';
import { errorText } from '../../api.js';

const POLL_MS = 3000;
type Way = 'rtmp' | 'ivs-endpoint' | 'ivs-arn' | 'ivs-create' | 'ivs-stage';

function body(way: Way, id: string, f: Record<string, string>): AddDestinationBody {
  switch (way) {
    case 'rtmp': return { id, kind: 'rtmp', url: f.url ?? '' };
    case 'ivs-endpoint': return { id, kind: 'ivs-channel', ingestEndpoint: f.endpoint ?? '', streamKey: f.key ?? '' };
    case 'ivs-arn': return { id, kind: 'ivs-channel', channelArn: f.arn ?? '' };
    case 'ivs-create': return { id, kind: 'ivs-channel', create: { latencyMode: 'LOW' } };
    case 'ivs-stage': return { id, kind: 'ivs-stage', stageArn: f.arn ?? '' };
  }
}

/** Where the show goes besides the preview, with each destination's live state and bitrate. */
export function DestinationsPanel({ room }: { room: string }) {
  const { api } = useSession();
  const [list, setList] = useState<DestinationView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [way, setWay] = useState<Way>('rtmp');
  const [id, setId] = useState('');
  const [fields, setFields] = useState<Record<string, string>>({});
  const [addStatus, runAdd] = useAction(room, 'Destination');
  const [removeStatus, runRemove] = useAction(room, 'Destination');

  const load = useCallback(() => api.get<{ destinations: DestinationView[] }>(`/api/rooms/${room}/destinations`)
    .then((r) => { setList(r.destinations); setError(null); }, (e) => setError(errorText(e))), [api, room]);
  useEffect(() => {
    void load();
    const t = setInterval(() => void load(), POLL_MS);
    return () => clearInterval(t);
  }, [load]);

  const add = (e: FormEvent) => {
    e.preventDefault();
    void runAdd(() => restOutcome(async () => {
      await api.post(`/api/rooms/${room}/destinations`, body(way, id.trim(), fields));
      // The key is sent once and forgotten here too.
      setFields({});
      setId('');
      await load();
    }), `Add destination ${id.trim()}`);
  };
  const field = (name: string, label: string, props: Record<string, unknown> = {}) => (
    <input placeholder={label} aria-label={label} value={fields[name] ?? ''} onChange={(e) => setFields({ ...fields, [name]: e.target.value })} required {...props} />
  );

  return (
    <section className="panel destinations" aria-label="destinations">
      <header><h2>Destinations</h2><span className="muted">health from the gateway, every {POLL_MS / 1000} s</span></header>
      {error && <p className="error">{error}</p>}
      <table className="grid">
        <thead><tr><th>id</th><th>kind</th><th>target</th><th>state</th><th>bitrate</th><th>reconnects</th><th>since</th><th>last error</th><th /></tr></thead>
        <tbody>
          {list?.length === 0 && <tr><td colSpan={9} className="muted">No destinations: the show goes to the preview (and the recording) only.</td></tr>}
          {list?.map((d) => (
            <tr key={d.id} data-destination={d.id} data-state={d.health.state}>
              <td><b>{d.id}</b></td>
              <td>{d.kind}</td>
              <td><code>{d.target}</code>{d.playbackUrl && <div className="muted small">{d.playbackUrl}</div>}</td>
              <td><span className={`pill ${d.health.state}`}>{d.health.state}</span></td>
              <td className="num">{d.health.bitrateKbps ? `${Math.round(d.health.bitrateKbps)} kbps` : '—'}</td>
              <td className="num">{d.health.reconnects}</td>
              <td>{d.health.since ? ago(d.health.since) : '—'}</td>
              <td className="small">{d.health.lastError ?? ''}</td>
              <td><button type="button" className="ghost" onClick={() => void runRemove(() => restOutcome(async () => { await api.del(`/api/rooms/${room}/destinations/${d.id}`); await load(); }), `Remove destination ${d.id}`)}>Remove</button></td>
            </tr>
          ))}
        </tbody>
      </table>
      <OutcomeText status={removeStatus} okText="removed" />
      <form className="row add" onSubmit={add} aria-label="add destination">
        <select value={way} onChange={(e) => { setWay(e.target.value as Way); setFields({}); }} aria-label="destination kind">
          <option value="rtmp">RTMP(S) URL</option>
          <option value="ivs-endpoint">IVS channel: ingest endpoint + stream key</option>
          <option value="ivs-arn">IVS channel: existing ARN</option>
          <option value="ivs-create">IVS channel: create a new one</option>
          <option value="ivs-stage">IVS real-time stage ARN</option>
        </select>
        <input placeholder="id (slug)" aria-label="destination id" value={id} onChange={(e) => setId(e.target.value)} pattern="[a-z0-9][a-z0-9\-]{0,62}" required className="short" />
        {way === 'rtmp' && field('url', 'rtmps://host/app/stream-key', { type: 'password', autoComplete: 'off' })}
        {way === 'ivs-endpoint' && <>{field('endpoint', 'ingest endpoint host')}{field('key', 'stream key', { type: 'password', autoComplete: 'off' })}</>}
        {(way === 'ivs-arn' || way === 'ivs-stage') && field('arn', 'arn:aws:ivs:…')}
        <button type="submit" className="primary">Add</button>
        <OutcomeText status={addStatus} okText="added" />
      </form>
    </section>
  );
}
