// How `npm start` hands the admin over to the console, without putting the admin token in
// a log: plain Node, like the bootstrap that uses it.
import { chmodSync, writeFileSync } from 'node:fs';

/**
 * Writes data/bootstrap.json (mode 0600): the admin token, the console's sign-in URL and
 * the viewer page's URL. The token rides in the URL's fragment, which a browser never
 * sends to a server or a proxy; the console reads `#token=` and drops it from the address.
 */
export function recordSignIn({ file, base, adminToken }) {
  const consoleUrl = `${base}/console/#token=${adminToken}`;
  writeFileSync(file, `${JSON.stringify({ adminToken, consoleUrl, viewerUrl: `${base}/` }, null, 2)}\n`, { mode: 0o600 });
  // writeFileSync's mode applies only when it creates the file.
  chmodSync(file, 0o600);
  return { consoleUrl };
}

/**
 * What `npm start` says once everything is up. The sign-in URL (it holds the token) only
 * at a terminal — a person reading it; captured output (a file, a CI job, journald) gets
 * where to find it instead.
 */
export function signInLines({ base, consoleUrl, where, terminal }) {
  return [
    terminal
      ? `console:     ${consoleUrl}`
      : `console:     ${base}/console/ — sign in with consoleUrl from ${where} (mode 0600); not printed, as this output is not a terminal`,
    `viewer page: ${base}/`,
    `API docs at ${base}/docs — admin token in ${where} — Ctrl-C stops everything`,
  ];
}
