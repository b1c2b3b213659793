/** How evenly rooms lie over hosts, by count and against each host's capacity. */
export interface Balance {
  hosts: number;
  rooms: number;
  capacity: number;
  perHost: { min: number; max: number; stddev: number };
  /** rooms / capacity per host, 0–1. */
  fill: { min: number; max: number; stddev: number };
  /**
   * The largest distance, in rooms, of any host from its capacity-proportional share
   * (rooms × its capacity / total capacity): 0 is a perfect split by capacity.
   */
  worstOffShare: number;
  /** Hosts holding more rooms than their capacity (never allowed). */
  overfull: number;
}

const spread = (xs: number[]) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { min: Math.min(...xs), max: Math.max(...xs), stddev: Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / xs.length) };
};

export function balanceOf(hosts: ReadonlyArray<{ capacity: number; rooms: number }>): Balance {
  const rooms = hosts.reduce((n, h) => n + h.rooms, 0);
  const capacity = hosts.reduce((n, h) => n + h.capacity, 0);
  return {
    hosts: hosts.length, rooms, capacity,
    perHost: spread(hosts.map((h) => h.rooms)),
    fill: spread(hosts.map((h) => (h.capacity ? h.rooms / h.capacity : 0))),
    worstOffShare: Math.max(...hosts.map((h) => Math.abs(h.rooms - (rooms * h.capacity) / capacity))),
    overfull: hosts.filter((h) => h.rooms > h.capacity).length,
  };
}
