import { useCallback, useEffect, useState, type FormEvent } from 'react';
import type { Static } from '@sinclair/typebox';
import type { IssueTokenBody, IssuedToken, TokenInfo } from '../../../../protocol/rest.js';
import { useSession } from '../../session.js';
import { OutcomeText, restOutcome, useAction } from '../../ui/outcome.js';
import { dateTime } from '../../ui/format.js';
import { errorText } from '../../api.js';

type Issuable = 'bot' | 'viewer' | 'operator';

/** Tokens for this room's bots, viewers and operators (admin only). A new token is shown once. */
export function TokensPanel({ room }: { room: string }) {
  const { api } = useSession();
  const [tokens, setTokens] = useState<TokenInfo[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [role, setRole] = useState<Issuable>('bot');
  const [label, setLabel] = useState('');
  const [days, setDays] = useState(30);
  const [fresh, setFresh] = useState<Static<typeof IssuedToken> | null>(null);
  const [copied, setCopied] = useState(false);
  const [issueStatus, runIssue] = useAction(room, 'Token');
  const [revokeStatus, runRevoke] = useAction(room, 'Token');

  const load = useCallback(() => api.get<{ tokens: TokenInfo[] }>('/api/tokens').then((r) => setTokens(r.tokens), (e) => setError(errorText(e))), [api]);
  useEffect(() => { void load(); }, [load]);

  const issue = (e: FormEvent) => {
    e.preventDefault();
    const req: IssueTokenBody = { role, rooms: [room], ttlSeconds: Math.round(days * 86400), ...(label.trim() ? { label: label.trim() } : {}) };
    void runIssue(() => restOutcome(async () => {
      setFresh(await api.post<Static<typeof IssuedToken>>('/api/tokens', req));
      setCopied(false);
      setLabel('');
      await load();
    }), `Issue ${role} token`);
  };
  const copy = async () => {
    if (!fresh) return;
    await navigator.clipboard.writeText(fresh.token).then(() => setCopied(true), () => setCopied(false));
  };
  const mine = (tokens ?? []).filter((t) => t.rooms.includes(room) || t.rooms.includes('*'));

  return (
    <section className="panel tokens" aria-label="tokens">
      <header><h2>Tokens</h2><span className="muted">for chat bots, viewers and operators of <code>{room}</code></span></header>
      <form className="row" onSubmit={issue} aria-label="issue token">
        <select value={role} onChange={(e) => setRole(e.target.value as Issuable)} aria-label="role">
          <option value="bot">bot (submits questions and chat)</option>
          <option value="viewer">viewer (watches, asks)</option>
          <option value="operator">operator (runs this room)</option>
        </select>
        <input placeholder="label, e.g. YouTube chat bot" value={label} onChange={(e) => setLabel(e.target.value)} maxLength={120} aria-label="label" />
        <label className="inline">valid <input type="number" min={1} max={365} value={days} onChange={(e) => setDays(Number(e.target.value))} className="tiny" aria-label="days valid" /> days</label>
        <button type="submit" className="primary">Issue</button>
        <OutcomeText status={issueStatus} okText="issued" />
      </form>
      {fresh && (
        <div className="fresh-token" role="alert">
          <p><b>New {fresh.info.role} token</b> — shown this once; the server keeps only its id (<code>{fresh.info.tokenId}</code>).</p>
          <div className="row">
            <input readOnly value={fresh.token} aria-label="new token" onFocus={(e) => e.target.select()} />
            <button type="button" className="primary" onClick={() => void copy()}>{copied ? 'Copied ✓' : 'Copy'}</button>
            <button type="button" className="ghost" onClick={() => setFresh(null)}>Done</button>
          </div>
        </div>
      )}
      {error && <p className="error">{error}</p>}
      <table className="grid">
        <thead><tr><th>label</th><th>role</th><th>rooms</th><th>expires</th><th>id</th><th /></tr></thead>
        <tbody>
          {mine.map((t) => (
            <tr key={t.tokenId} className={t.revoked ? 'revoked' : ''} data-token={t.tokenId}>
              <td>{t.label ?? <span className="muted">—</span>}</td>
              <td>{t.role}</td>
              <td>{t.rooms.join(', ')}</td>
              <td>{dateTime(t.expiresAt)}</td>
              <td><code className="small">{t.tokenId}</code></td>
              <td>{t.revoked ? <span className="pill rejected">revoked</span>
                : <button type="button" className="ghost" onClick={() => void runRevoke(() => restOutcome(async () => { await api.del(`/api/tokens/${t.tokenId}`); await load(); }), `Revoke ${t.label ?? t.tokenId}`)}>Revoke</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <OutcomeText status={revokeStatus} okText="revoked" />
    </section>
  );
}
