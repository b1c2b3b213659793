import { createServer } from 'node:net';

/**
 * A port the OS reports free on `host`. node-media-server skips a listener whose port is
 * 0 (falsy), so "any free port" has to be resolved before it starts; the short window
 * between this probe and NMS's listen is acceptable for tests and local runs.
 */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}
