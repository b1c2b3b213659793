import { useCallback, useState } from 'react';
import { forgetToken, saveToken, takeToken } from './auth.js';
import { SessionContext, startSession, type Session } from './session.js';
import { SignIn } from './SignIn.js';
import { Shell } from './Shell.js';

/**
 * The tab's one session (REST + WebSocket), kept outside React: rendering may happen twice,
 * connecting must not. It lives until sign-out or until the server refuses the token.
 */
let current: { token: string; session: Session } | null = null;
function sessionFor(token: string, onUnauthorized: () => void): Session {
  if (current?.token !== token) {
    current?.session.close();
    current = { token, session: startSession(token, onUnauthorized) };
  }
  return current.session;
}
function endSession(): void {
  current?.session.close();
  current = null;
}

/** Signed out: the sign-in form. Signed in: the console. */
export function App() {
  const [token, setToken] = useState<string | null>(() => takeToken());
  const [why, setWhy] = useState<string | null>(null);

  const signOut = useCallback((reason: string | null) => {
    endSession();
    forgetToken();
    // The job dashboard's cookie goes with the session.
    void fetch('/api/jobs/session', { method: 'DELETE' }).catch(() => undefined);
    setWhy(reason);
    setToken(null);
  }, []);

  if (!token) return <SignIn reason={why} onToken={(t) => { saveToken(t); setWhy(null); setToken(t); }} />;
  const session = sessionFor(token, () => signOut('The server refused this token (expired, revoked or wrong). Sign in again.'));
  return (
    <SessionContext.Provider value={session}>
      <Shell onSignOut={() => signOut(null)} />
    </SessionContext.Provider>
  );
}
