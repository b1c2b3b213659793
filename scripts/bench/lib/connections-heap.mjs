// Preload (NODE_OPTIONS=--import) for bench:connections: on SIGUSR2 the process collects
// its garbage (twice: a full GC can leave what the next one frees) and writes its memory
// to BENCH_HEAP_FILE, so the bench reads the live heap of a part it did not start with
// --expose-gc (the parts run as `node --import tsx <entry>`). RSS is read from /proc by
// the bench itself.
import { writeFileSync } from 'node:fs';
import { setFlagsFromString, getHeapStatistics } from 'node:v8';
import { runInNewContext } from 'node:vm';

const file = process.env.BENCH_HEAP_FILE;
if (file) {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc');
  process.on('SIGUSR2', () => {
    gc();
    gc();
    const m = process.memoryUsage();
    const h = getHeapStatistics();
    writeFileSync(file, JSON.stringify({ at: Date.now(), rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, mallocedMemory: h.malloced_memory }));
  });
}
