import type { RoomState } from './state/room-state.js';
import type { Activity } from './state/store.js';
import { ProgramPanel } from './panels/ProgramPanel.js';
import { AvatarPanel } from './panels/AvatarPanel.js';
import { SayPanel } from './panels/SayPanel.js';
import { QuestionsPanel } from './panels/QuestionsPanel.js';
import { ChatPanel } from './panels/ChatPanel.js';
import { ActivityPanel } from './panels/ActivityPanel.js';
import { TransportBar } from './panels/show/TransportBar.js';
import { QueuePanel } from './panels/show/QueuePanel.js';

/** The live page: transport and program on the left, controls and the speech queue below, the questions on the right. */
export function LiveView({ room, activity }: { room: RoomState; activity: Activity[] }) {
  return (
    <main className="live" data-room={room.id}>
      <TransportBar room={room} />
      <ProgramPanel room={room} />
      <div className="side">
        <QuestionsPanel room={room} />
        <ChatPanel room={room} />
      </div>
      <AvatarPanel room={room} />
      <SayPanel room={room} />
      <QueuePanel room={room} compact />
      <ActivityPanel activity={activity} />
    </main>
  );
}
