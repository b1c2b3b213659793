// The HAProxy configuration in front of livehost's server instances, as text. The local
// balancer (haproxy.ts) writes it to a file; docker/haproxy.cfg is the same layout with
// service names instead of loopback ports.

export interface BalancerBackend {
  /** HAProxy's name for the server (letters, digits, - and _). */
  name: string;
  host: string;
  port: number;
}

export interface BalancerConfig {
  bind: { host: string; port: number };
  backends: BalancerBackend[];
  /** Unix socket of HAProxy's runtime API, for the server states (`show stat`). */
  statsSocket?: string;
  /** Health check every this often (`inter`), per server. */
  checkIntervalMs?: number;
  /** Failed checks in a row before a server is out (`fall`), passed ones before it is back (`rise`). */
  fall?: number;
  rise?: number;
  /** Connections at once; absent, HAProxy derives it from the process's file descriptor limit. */
  maxconn?: number;
  /** How long an upgraded WebSocket may stay silent both ways (`timeout tunnel`). */
  tunnelTimeoutS?: number;
}

const NAME = /^[A-Za-z0-9_-]{1,64}$/;
const HOST = /^[A-Za-z0-9.:-]{1,253}$/;

export function haproxyConfig(c: BalancerConfig): string {
  if (c.backends.length === 0) throw new RangeError('haproxyConfig: backends must name at least one server');
  for (const b of c.backends) {
    if (!NAME.test(b.name)) throw new RangeError(`haproxyConfig: backend name "${b.name}" must be letters, digits, - or _`);
    if (!HOST.test(b.host)) throw new RangeError(`haproxyConfig: backend host "${b.host}" is not a host name or address`);
    if (!Number.isInteger(b.port) || b.port < 1 || b.port > 65535) throw new RangeError(`haproxyConfig: backend port ${b.port} is out of range`);
  }
  if (!HOST.test(c.bind.host)) throw new RangeError(`haproxyConfig: bind host "${c.bind.host}" is not an address`);
  const inter = c.checkIntervalMs ?? 500;
  return [
    'global',
    ...(c.maxconn ? [`  maxconn ${c.maxconn}`] : []),
    ...(c.statsSocket ? [`  stats socket ${c.statsSocket} mode 600 level operator`] : []),
    '',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    // Before the upgrade a request is plain HTTP; after it the socket is a tunnel, and a
    // show's WebSocket carries pings every few seconds, so an hour of silence means a dead peer.
    '  timeout client 30s',
    '  timeout server 30s',
    `  timeout tunnel ${c.tunnelTimeoutS ?? 3600}s`,
    '  timeout client-fin 5s',
    '  timeout http-request 10s',
    '  timeout queue 5s',
    // A connection refused by an instance that just died (not yet marked down by the checks)
    // is tried again on another instance, not returned to the client as a 503.
    '  retries 3',
    '  option redispatch 1',
    // A request sent on a reused keep-alive connection that the dead instance closes without
    // a word: HAProxy would close the client's connection for the client to retry, which a
    // browser does and Node's fetch does not. It retries such requests itself instead, on
    // another instance — only reads: a write the instance may have done before it died is
    // the client's to repeat or not.
    '  retry-on conn-failure empty-response',
    `  default-server inter ${inter} fastinter ${inter} downinter ${inter} fall ${c.fall ?? 2} rise ${c.rise ?? 1}`,
    '',
    'frontend livehost',
    `  bind ${c.bind.host}:${c.bind.port}`,
    '  default_backend servers',
    '',
    'backend servers',
    // WebSockets are long: least connections spreads the sockets a dead instance leaves
    // behind over the ones left. No stickiness: a session resumes on any instance.
    '  balance leastconn',
    '  http-request disable-l7-retry unless METH_GET',
    '  option httpchk GET /readyz',
    '  http-check expect status 200',
    ...c.backends.map((b) => `  server ${b.name} ${b.host}:${b.port} check`),
    '',
  ].join('\n');
}
