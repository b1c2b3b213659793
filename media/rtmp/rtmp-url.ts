import { isIP } from 'node:net';

/** Where to publish: rtmp(s)://host[:port]/app/stream-name, the name keeping its query (?key=…). */
export interface RtmpTarget {
  tls: boolean;
  host: string;
  port: number;
  app: string;
  /** The stream name (the stream key, for most services): sent inside the session only, never logged. */
  streamName: string;
  /** rtmp(s)://host:port/app — what `connect` names; no stream name, so no key. */
  tcUrl: string;
}

/** A URL that cannot be published to; the message never repeats the URL (it holds the key). */
export class RtmpUrlError extends Error {
  override readonly name = 'RtmpUrlError';
}

/**
 * Splits a publish URL the way ffmpeg and OBS do: the app is the first path segment, or
 * the first two when three or more follow the host (`rtmp://host/app/_definst_/stream`:
 * app `app/_definst_`); the rest is the stream name. A backslash counts as a slash, as in
 * protocol's `redactTarget`, so a key pasted after one (`rtmp://host/app\key`) is the name.
 */
export function parseRtmpUrl(url: string): RtmpTarget {
  const m = /^(rtmps?):\/\/([^/?#\\]+)[/\\]+([^?#]+(?:\?[^#]*)?)$/i.exec(url);
  if (!m) throw new RtmpUrlError('publish URL must be rtmp(s)://host/app/stream');
  const [, rawScheme, authority, rawPath] = m as unknown as [string, string, string, string];
  const scheme = rawScheme.toLowerCase();
  // RTMP services take the key in the stream name; user:password@ would need Adobe's or
  // Limelight's challenge auth, which no ingest this project targets asks for.
  if (authority.includes('@')) throw new RtmpUrlError('credentials in a publish URL (user:password@) are not supported: the stream key goes in the path');
  const hp = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(authority);
  if (!hp) throw new RtmpUrlError('publish URL host must be host[:port]');
  const host = hp[1]!.replace(/^\[|\]$/g, '');
  const port = hp[2] ? Number(hp[2]) : scheme === 'rtmps' ? 443 : 1935;
  if (port < 1 || port > 65535) throw new RtmpUrlError('publish URL port must be 1-65535');
  const query = rawPath.indexOf('?');
  const path = (query < 0 ? rawPath : rawPath.slice(0, query)).replace(/\\/g, '/');
  const segments = path.split('/').filter(Boolean);
  if (segments.length < 2) throw new RtmpUrlError('publish URL must be rtmp(s)://host/app/stream');
  const appSegments = segments.length >= 3 ? 2 : 1;
  const app = segments.slice(0, appSegments).join('/');
  const streamName = segments.slice(appSegments).join('/') + (query < 0 ? '' : rawPath.slice(query));
  return { tls: scheme === 'rtmps', host, port, app, streamName, tcUrl: `${scheme}://${authority}/${app}` };
}

/** The TLS server name to send: a host name, never an address (RFC 6066 forbids IP literals in SNI). */
export function serverName(target: RtmpTarget): string | undefined {
  return isIP(target.host) ? undefined : target.host;
}
