import type { RoomState } from './state/room-state.js';
import { TransportBar } from './panels/show/TransportBar.js';
import { RundownPanel } from './panels/show/RundownPanel.js';
import { QueuePanel } from './panels/show/QueuePanel.js';
import { LibraryPanel } from './panels/show/LibraryPanel.js';

/** The show page: the transport on top, the run of show on the left, the queue and the library on the right. */
export function ShowView({ room }: { room: RoomState }) {
  return (
    <main className="show-page" data-room={room.id}>
      <TransportBar room={room} />
      <RundownPanel room={room} />
      <QueuePanel room={room} />
      <LibraryPanel room={room} />
    </main>
  );
}
