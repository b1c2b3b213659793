import { useEffect, useRef, useState } from 'react';
import type { BannedUser, ChatMessage, NewsroomCommand } from '../../../protocol/newsroom.js';
import type { RoomState } from '../state/room-state.js';
import { useSession } from '../session.js';
import { OutcomeText, useAction } from '../ui/outcome.js';
import { clock } from '../ui/format.js';
import { errorText } from '../api.js';

const SHOWN = 150;

function ChatRow({ room, m }: { room: string; m: ChatMessage }) {
  const { client } = useSession();
  const [status, run] = useAction(room, 'Chat');
  const cmd = (c: NewsroomCommand, label: string) => void run(() => client.show(room, c), label);
  return (
    <li data-message={m.messageId}>
      <span className="t">{clock(m.at)}</span>
      {m.platform && <span className="platform">{m.platform}</span>}
      <b className="user" title={m.user.id}>{m.user.name}</b>
      <span className="txt">{m.text}</span>
      <span className="acts">
        <button type="button" className="ghost" title="make it a question" onClick={() => cmd({ name: 'chat.promote', messageId: m.messageId }, `Promote: ${m.text.slice(0, 40)}`)}>→ Q</button>
        <button type="button" className="ghost danger-text" title={`ban ${m.user.name}`} onClick={() => cmd({ name: 'user.ban', userId: m.user.id, userName: m.user.name }, `Ban ${m.user.name}`)}>Ban</button>
      </span>
      <OutcomeText status={status} okText="done" />
    </li>
  );
}

/** The room's chat as the bots relay it (after moderation), newest at the bottom; promote a message or ban its author. */
export function ChatPanel({ room }: { room: RoomState }) {
  const { api, client } = useSession();
  const list = useRef<HTMLOListElement | null>(null);
  const [follow, setFollow] = useState(true);
  const [bans, setBans] = useState<{ bans: BannedUser[]; dropped: Record<string, number> } | null>(null);
  const [bansError, setBansError] = useState<string | null>(null);
  const [unbanStatus, runUnban] = useAction(room.id, 'Chat');
  const shown = room.chat.slice(-SHOWN);
  const last = shown.at(-1)?.messageId;

  useEffect(() => {
    // Stays at the newest message unless the operator scrolled up to read.
    if (follow && list.current) list.current.scrollTop = list.current.scrollHeight;
  }, [last, follow]);

  const loadBans = () => api.get<{ bans: BannedUser[]; dropped: Record<string, number> }>(`/api/rooms/${room.id}/bans`).then(setBans, (e) => setBansError(errorText(e)));

  return (
    <section className="panel chat" aria-label="chat">
      <header>
        <h2>Chat</h2>
        <span className="muted">{room.chat.length} messages</span>
        <span className="grow" />
        {!follow && <button type="button" className="ghost" onClick={() => setFollow(true)}>↓ newest</button>}
      </header>
      <ol className="chat-list" ref={list} onScroll={(e) => {
        const el = e.currentTarget;
        setFollow(el.scrollHeight - el.scrollTop - el.clientHeight < 24);
      }}>
        {shown.length === 0 && <li className="muted empty-row">No chat yet.</li>}
        {shown.map((m) => <ChatRow key={m.messageId} room={room.id} m={m} />)}
      </ol>
      <details className="bans" onToggle={(e) => { if ((e.target as HTMLDetailsElement).open) void loadBans(); }}>
        <summary>Banned viewers{bans ? ` (${bans.bans.length})` : ''}</summary>
        {bansError && <p className="error">{bansError}</p>}
        <ul>
          {bans?.bans.length === 0 && <li className="muted">Nobody.</li>}
          {bans?.bans.map((b) => (
            <li key={b.userId}>
              <b>{b.name ?? b.userId}</b> <span className="muted small">{clock(b.at)}{b.reason ? ` · ${b.reason}` : ''} · {bans.dropped[b.userId] ?? 0} dropped since</span>
              <button type="button" className="ghost" onClick={() => void runUnban(async () => {
                const o = await client.show(room.id, { name: 'user.unban', userId: b.userId });
                await loadBans();
                return o;
              }, `Unban ${b.name ?? b.userId}`)}>Unban</button>
            </li>
          ))}
        </ul>
        <OutcomeText status={unbanStatus} okText="done" />
      </details>
    </section>
  );
}
