import { useEffect, useState } from 'react';
import { useSession } from '../session.js';
import { errorText } from '../api.js';

/** The job dashboard's cookie lives 5 minutes; renewed well before that while this page is open. */
const RENEW_MS = 2 * 60_000;

/**
 * The BullMQ queues (qa, tts, segments) in bull-board, served by the server at /jobs/.
 * A page cannot send a bearer header, so an authenticated POST first sets a short-lived,
 * HttpOnly, SameSite=Strict cookie for /jobs — the token itself never goes in a URL.
 */
export function JobsPanel() {
  const { api, isAdmin } = useSession();
  const [ready, setReady] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!isAdmin) return;
    let stopped = false;
    const renew = () => api.post('/api/jobs/session').then(() => !stopped && setReady(true), (e) => !stopped && setError(errorText(e)));
    void renew();
    const t = setInterval(() => void renew(), RENEW_MS);
    return () => { stopped = true; clearInterval(t); };
  }, [api, isAdmin]);

  if (!isAdmin) return <p className="empty">The job dashboard is for admins.</p>;
  return (
    <main className="jobs">
      <section className="panel jobs-panel" aria-label="jobs">
        <header>
          <h2>Jobs</h2><span className="muted">BullMQ queues: qa (answers), tts (voice), segments (director)</span>
          <span className="grow" />
          {ready && <a href="/jobs/" target="_blank" rel="noopener">Open in a new tab ↗</a>}
        </header>
        {error && <p className="error">Could not open the dashboard: {error}</p>}
        {ready && <iframe title="job dashboard" src="/jobs/" className="jobs-frame" />}
      </section>
    </main>
  );
}
