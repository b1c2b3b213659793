import fs from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Registry } from 'prom-client';
import { collectProcessMetrics } from './process-metrics.js';

afterEach(() => vi.restoreAllMocks());

describe('collectProcessMetrics', () => {
  it('a scrape never walks the process handles or its open files', async () => {
    const handles = vi.spyOn(process as unknown as { _getActiveHandles: () => unknown[] }, '_getActiveHandles');
    const resources = vi.spyOn(process, 'getActiveResourcesInfo');
    const readdir = vi.spyOn(fs, 'readdirSync');
    const registry = new Registry();
    collectProcessMetrics(registry, 'probe_');
    const text = await registry.metrics();
    expect(handles).not.toHaveBeenCalled();
    expect(resources).not.toHaveBeenCalled();
    expect(readdir.mock.calls.filter(([dir]) => String(dir).startsWith('/proc/self/fd'))).toEqual([]);
    expect(text).not.toMatch(/^probe_(process_open_fds|nodejs_active_\w+) /m);
  });

  it('keeps the runtime metrics an operator reads: CPU, memory, heap, GC and event-loop lag', async () => {
    const registry = new Registry();
    collectProcessMetrics(registry, 'probe_');
    const names = registry.getMetricsAsArray().map((m) => m.name);
    for (const name of ['probe_process_cpu_seconds_total', 'probe_process_resident_memory_bytes', 'probe_nodejs_heap_size_used_bytes', 'probe_nodejs_gc_duration_seconds', 'probe_nodejs_eventloop_lag_p99_seconds']) {
      expect(names).toContain(name);
    }
  });
});
