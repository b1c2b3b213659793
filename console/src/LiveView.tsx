import type { RoomState } from './state/room-state.js';
import type { Activity } from './state/store.js';
import { ProgramPanel } from './panels/ProgramPanel.js';
import { AvatarPanel } from './panels/AvatarPanel.js';
import { SayPanel } from './panels/SayPanel.js';
import { QuestionsPanel } from './panels/QuestionsPanel.js';
import { ActivityPanel } from './panels/ActivityPanel.js';

/** The live page: program on the left, controls below it, the question queue on the right. */
export function LiveView({ room, activity }: { room: RoomState; activity: Activity[] }) {
  return (
    <main className="live" data-room={room.id}>
      <ProgramPanel room={room} />
      <QuestionsPanel room={room} />
      <AvatarPanel room={room} />
      <SayPanel room={room} />
      <ActivityPanel activity={activity} />
    </main>
  );
}
