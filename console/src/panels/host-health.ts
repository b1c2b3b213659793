import { useEffect, useState } from 'react';
import type { Static } from '@sinclair/typebox';
import type { HostList } from '../../../protocol/rest.js';
import { useSession } from '../session.js';

/**
 * A render host as GET /api/hosts describes it. fps and cpu come from the host's heartbeat
 * when the server reports them (they are optional here so the panel shows them the day it does).
 */
export type HostHealth = Static<typeof HostList>['hosts'][number] & { fps?: number; cpu?: number };

const POLL_MS = 5000;

/** The fleet's hosts, polled while a panel shows them; only admins may list hosts. */
export function useHosts(): { hosts: HostHealth[]; error: string | null; at: number } {
  const { api, isAdmin } = useSession();
  const [state, setState] = useState<{ hosts: HostHealth[]; error: string | null; at: number }>({ hosts: [], error: null, at: 0 });
  useEffect(() => {
    if (!isAdmin) return;
    let stopped = false;
    const load = () => api.get<{ hosts: HostHealth[] }>('/api/hosts').then(
      (r) => !stopped && setState({ hosts: r.hosts, error: null, at: Date.now() }),
      (e: Error) => !stopped && setState((s) => ({ ...s, error: e.message })),
    );
    void load();
    const t = setInterval(() => void load(), POLL_MS);
    return () => { stopped = true; clearInterval(t); };
  }, [api, isAdmin]);
  return state;
}
