import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// The bootstrap installs these when run as root; this names the command otherwise.
const hint = process.env.LIVEHOST_INSTALL_HINT
  ?? 'sudo apt-get install -y redis-server redis-tools ffmpeg flite espeak-ng chromium haproxy';
const programs = ['redis-server', 'ffmpeg', 'ffprobe', 'flite', 'espeak-ng', 'chromium', 'haproxy'];

describe('system programs the project runs', () => {
  for (const program of programs) {
    it(`${program} is installed`, () => {
      const found = spawnSync('sh', ['-c', `command -v ${program} || [ -x /usr/sbin/${program} ]`]).status === 0;
      expect(found, `${program} is missing; install it with: ${hint}`).toBe(true);
    });
  }
});
