import { collectDefaultMetrics, type Registry } from 'prom-client';

/**
 * prom-client's default metrics whose collection walks every handle the process holds:
 * `/proc/self/fd` read synchronously, `process._getActiveHandles()` and
 * `process.getActiveResourcesInfo()` grouped by type. With 10,000 sockets one scrape
 * blocked the event loop for 25–50 ms (bench:connections: a fan-out stall on every scrape).
 * The sockets that matter are counted by the parts themselves (livehost_ws_connections).
 */
const PER_HANDLE = ['process_open_fds', 'nodejs_active_handles', 'nodejs_active_handles_total', 'nodejs_active_resources', 'nodejs_active_resources_total', 'nodejs_active_requests', 'nodejs_active_requests_total'];

/** The process's runtime metrics (CPU, memory, heap, GC, event-loop lag) without those that cost a walk over every handle. */
export function collectProcessMetrics(register: Registry, prefix: string): void {
  collectDefaultMetrics({ register, prefix });
  for (const name of PER_HANDLE) register.removeSingleMetric(prefix + name);
}
