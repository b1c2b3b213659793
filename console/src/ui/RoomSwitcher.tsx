import { navigate } from '../router.js';
import { useSnapshot } from '../session.js';
import { isWaiting } from '../state/room-state.js';

/** Every room the operator watches: on air or not, speaking, and how many questions wait. */
export function RoomSwitcher({ current, page }: { current: string | null; page: 'live' | 'show' | 'as-run' | 'settings' }) {
  const snap = useSnapshot();
  return (
    <nav className="rooms" aria-label="rooms">
      {snap.order.map((id) => {
        const r = snap.rooms[id]!;
        const waiting = r.questions.filter(isWaiting).length;
        return (
          <button key={id} type="button" className="room-tab" aria-pressed={id === current} data-room={id}
            onClick={() => navigate(page === 'settings' ? { page, room: id, section: 'room' } : { page, room: id })}>
            <span className={`air ${r.live ? 'on' : ''}`} title={r.live ? 'on air' : 'off air'}>{r.live ? 'LIVE' : 'OFF'}</span>
            <span className="name">{r.view?.name ?? id}</span>
            {r.onAir && <span className="speaking" title="speaking">◉</span>}
            <span className={`count ${waiting ? 'some' : ''}`} title="questions waiting" data-waiting={waiting}>{waiting}</span>
          </button>
        );
      })}
    </nav>
  );
}
