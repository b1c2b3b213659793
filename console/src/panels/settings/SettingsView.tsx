import { navigate, SETTINGS_SECTIONS, type SettingsSection } from '../../router.js';
import type { RoomState } from '../../state/room-state.js';
import { useSession } from '../../session.js';
import { RoomSettingsForm } from './RoomSettingsForm.js';
import { KnowledgeEditor } from './KnowledgeEditor.js';
import { DestinationsPanel } from './DestinationsPanel.js';
import { RecordingsPanel } from './RecordingsPanel.js';
import { TokensPanel } from './TokensPanel.js';

const TITLES: Record<SettingsSection, string> = {
  room: 'Room', knowledge: 'Knowledge base', destinations: 'Destinations', recordings: 'Recordings', tokens: 'Tokens',
};

export function SettingsView({ room, section }: { room: RoomState; section: SettingsSection }) {
  const { isAdmin } = useSession();
  const sections = SETTINGS_SECTIONS.filter((s) => s !== 'tokens' || isAdmin);
  return (
    <main className="settings" data-room={room.id}>
      <nav className="subnav" aria-label="settings sections">
        {sections.map((s) => (
          <a key={s} href="#" aria-current={s === section} onClick={(e) => { e.preventDefault(); navigate({ page: 'settings', room: room.id, section: s }); }}>{TITLES[s]}</a>
        ))}
      </nav>
      <div className="settings-body">
        {section === 'room' && <RoomSettingsForm room={room} />}
        {section === 'knowledge' && <KnowledgeEditor room={room.id} />}
        {section === 'destinations' && <DestinationsPanel room={room.id} />}
        {section === 'recordings' && <RecordingsPanel room={room.id} />}
        {section === 'tokens' && (isAdmin ? <TokensPanel room={room.id} /> : <p className="muted">Only admins manage tokens.</p>)}
      </div>
    </main>
  );
}
