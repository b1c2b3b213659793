// Preload (NODE_OPTIONS=--import) that CPU-profiles a part run by a bench: `--cpu-prof`
// itself is not allowed in NODE_OPTIONS, and the parts are started as `node --import tsx
// <entry>`. Writes a .cpuprofile (Chrome DevTools, speedscope) into BENCH_CPU_PROF_DIR when
// the process exits (the server exits through process.exit on SIGTERM).
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

const dir = process.env.BENCH_CPU_PROF_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 500 });
  session.post('Profiler.start');
  // A session on the process's own thread answers synchronously, so this works inside 'exit'.
  process.on('exit', () => {
    session.post('Profiler.stop', (err, result) => {
      if (!err) writeFileSync(path.join(dir, `part-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
