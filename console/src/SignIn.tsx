import { useState, type FormEvent } from 'react';
import { readToken } from './auth.js';

export function SignIn({ reason, onToken }: { reason: string | null; onToken: (token: string) => void }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const token = value.trim();
    const facts = readToken(token);
    if (!facts) return setError('That is not a livehost token.');
    if (facts.role !== 'admin' && facts.role !== 'operator') return setError(`A ${facts.role} token cannot run a show; use an operator or admin token.`);
    onToken(token);
  };
  return (
    <main className="signin">
      <form onSubmit={submit} aria-label="sign in">
        <h1><span className="brand">livehost</span> console</h1>
        <p className="muted">Paste an operator or admin token, or open the console URL that <code>npm start</code> prints
          (it is also in <code>data/bootstrap.json</code> as <code>consoleUrl</code>).</p>
        {reason && <p className="error" role="alert">{reason}</p>}
        <label>Token<textarea name="token" rows={4} value={value} onChange={(e) => setValue(e.target.value)} spellCheck={false} autoFocus /></label>
        {error && <p className="error" role="alert">{error}</p>}
        <button type="submit" className="primary">Sign in</button>
      </form>
    </main>
  );
}
