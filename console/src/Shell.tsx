import { lazy, Suspense, useEffect } from 'react';
import { navigate, useRoute, type Route } from './router.js';
import { useSession, useSnapshot } from './session.js';
import { ConnectionBadge, ConnectionBanner } from './ui/Connection.js';
import { RoomSwitcher } from './ui/RoomSwitcher.js';
import { LiveView } from './LiveView.js';

// The live page comes with the first load; the other pages load when first opened.
const SettingsView = lazy(() => import('./panels/settings/SettingsView.js').then((m) => ({ default: m.SettingsView })));
const JobsPanel = lazy(() => import('./panels/JobsPanel.js').then((m) => ({ default: m.JobsPanel })));
const ShowView = lazy(() => import('./ShowView.js').then((m) => ({ default: m.ShowView })));
const AsRunPanel = lazy(() => import('./panels/AsRunPanel.js').then((m) => ({ default: m.AsRunPanel })));

export function Shell({ onSignOut }: { onSignOut: () => void }) {
  const route = useRoute();
  const snap = useSnapshot();
  const { facts, isAdmin, watch } = useSession();
  const roomId = route.page === 'jobs' ? null : route.room ?? snap.order[0] ?? null;

  useEffect(() => {
    if (route.page !== 'jobs' && !route.room && roomId) navigate({ page: 'live', room: roomId }, true);
  }, [route, roomId]);
  useEffect(() => {
    if (roomId) watch(roomId);
  }, [roomId, watch]);

  const go = (r: Route) => (e: React.MouseEvent) => {
    e.preventDefault();
    navigate(r);
  };
  const room = roomId ? snap.rooms[roomId] : undefined;
  return (
    <div className="shell">
      <header className="topbar">
        <span className="brand">livehost</span>
        <RoomSwitcher current={roomId} page={route.page === 'jobs' ? 'live' : route.page} />
        <nav className="pages" aria-label="pages">
          <a href="#" aria-current={route.page === 'live'} onClick={go({ page: 'live', room: roomId })}>Live</a>
          <a href="#" aria-current={route.page === 'show'} onClick={go({ page: 'show', room: roomId })}>Show</a>
          <a href="#" aria-current={route.page === 'as-run'} onClick={go({ page: 'as-run', room: roomId })}>As-run</a>
          <a href="#" aria-current={route.page === 'settings'} onClick={go({ page: 'settings', room: roomId, section: 'room' })}>Settings</a>
          {isAdmin && <a href="#" aria-current={route.page === 'jobs'} onClick={go({ page: 'jobs' })}>Jobs</a>}
        </nav>
        <ConnectionBadge connection={snap.connection} />
        <span className="who" title={facts ? `token ${facts.tokenId}` : ''}>{facts?.role ?? '?'}</span>
        <button type="button" className="ghost" onClick={onSignOut}>Sign out</button>
      </header>
      <ConnectionBanner connection={snap.connection} />
      <Suspense fallback={<p className="empty">Loading…</p>}>
        {route.page === 'jobs' ? <JobsPanel />
          : !roomId ? <p className="empty">No rooms this token may see. An admin creates rooms with <code>POST /api/rooms</code>.</p>
            : !room ? <p className="empty">Loading {roomId}…</p>
              : route.page === 'settings' ? <SettingsView room={room} section={route.section} />
                : route.page === 'show' ? <ShowView room={room} />
                  : route.page === 'as-run' ? <AsRunPanel room={room} />
                    : <LiveView room={room} activity={snap.activity} />}
      </Suspense>
    </div>
  );
}
