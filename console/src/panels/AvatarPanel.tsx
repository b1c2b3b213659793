import { useState, type FormEvent } from 'react';
import type { AvatarCommand } from '../../../protocol/avatar.js';
import type { RoomState } from '../state/room-state.js';
import { useSession } from '../session.js';
import { OutcomeText, useAction } from '../ui/outcome.js';
import { ACTIONS, CAMERAS, CHARACTERS, SCENES } from '../vocabulary.js';
import { clock } from '../ui/format.js';
import { useWho } from '../ui/who.js';
import { commandText } from './show/show-text.js';

/** Sends a command and, once the render host acknowledges it, records what is now shown. */
function useCommand(room: RoomState, label: string) {
  const { client, store } = useSession();
  const [status, run] = useAction(room.id, label);
  const send = (command: AvatarCommand, what: string) => run(async () => {
    const outcome = await client.command(room.id, command);
    if (outcome.ok) store.commandApplied(room.id, command);
    return outcome;
  }, what);
  return [status, send] as const;
}

function ChoiceRow<T extends string>({ room, label, name, values, current, make }: {
  room: RoomState; label: string; name: string; values: readonly T[]; current: string | null; make: (v: T) => AvatarCommand;
}) {
  const [status, send] = useCommand(room, label);
  return (
    <div className="row" role="group" aria-label={label} data-command={name}>
      <span className="label">{label}</span>
      <span className="choices">
        {values.map((v) => (
          <button key={v} type="button" aria-pressed={current === v} onClick={() => void send(make(v), `${label}: ${v}`)}>{v}</button>
        ))}
      </span>
      <OutcomeText status={status} />
    </div>
  );
}

export function AvatarPanel({ room }: { room: RoomState }) {
  const look = room.avatar.look ?? room.view?.look ?? null;
  const last = room.avatar.last;
  const who = useWho();
  const [panelStatus, sendPanel] = useCommand(room, 'Panel');
  const [captionStatus, sendCaption] = useCommand(room, 'Caption');
  const [cardStatus, sendCard] = useCommand(room, 'Card');
  const [card, setCard] = useState({ title: '', price: '', imageUrl: '' });
  const [stopStatus, sendStop] = useCommand(room, 'Stop');
  const [imageUrl, setImageUrl] = useState('');
  const [title, setTitle] = useState('');
  const [caption, setCaption] = useState('');

  const showPanel = (e: FormEvent) => {
    e.preventDefault();
    void sendPanel({ name: 'panel.show', imageUrl: imageUrl.trim(), ...(title.trim() ? { title: title.trim() } : {}) }, `Panel: ${title.trim() || imageUrl.trim()}`);
  };
  const setCaptionText = (e: FormEvent) => {
    e.preventDefault();
    void sendCaption({ name: 'caption', text: caption }, caption ? `Caption: ${caption}` : 'Caption cleared');
  };

  return (
    <section className="panel avatar" aria-label="avatar">
      <header>
        <h2>Avatar</h2>
        {last
          ? <span className="last-change" data-by={last.by ?? ''} title={last.by ?? ''}>last: <b>{commandText(last.command)}</b> by <b>{who(last.by)}</b> · {clock(last.at)}</span>
          : <span className="muted">each change is confirmed by the render host</span>}
      </header>
      <ChoiceRow room={room} label="Character" name="character" values={CHARACTERS} current={look?.character ?? null} make={(character) => ({ name: 'character', character })} />
      <ChoiceRow room={room} label="Scene" name="scene" values={SCENES} current={look?.scene ?? null} make={(scene) => ({ name: 'scene', scene })} />
      <ChoiceRow room={room} label="Camera" name="camera" values={CAMERAS} current={look?.camera ?? null} make={(camera) => ({ name: 'camera', camera })} />
      <ChoiceRow room={room} label="Action" name="action" values={ACTIONS} current={room.avatar.action} make={(action) => ({ name: 'action', action })} />
      <form className="row" onSubmit={showPanel} aria-label="Panel" data-command="panel">
        <span className="label">Panel</span>
        <input type="url" placeholder="https://… image" value={imageUrl} onChange={(e) => setImageUrl(e.target.value)} required pattern="https?://.+" maxLength={2048} aria-label="panel image URL" />
        <input placeholder="title" value={title} onChange={(e) => setTitle(e.target.value)} maxLength={120} aria-label="panel title" className="short" />
        <button type="submit">Show</button>
        <button type="button" onClick={() => void sendPanel({ name: 'panel.hide' }, 'Panel hidden')} disabled={!room.avatar.panel}>Hide</button>
        <OutcomeText status={panelStatus} />
      </form>
      <form className="row" aria-label="Card" data-command="card" onSubmit={(e) => {
        e.preventDefault();
        const title = card.title.trim();
        void sendCard({ name: 'card.show', title, ...(card.price.trim() ? { price: card.price.trim() } : {}), ...(card.imageUrl.trim() ? { imageUrl: card.imageUrl.trim() } : {}) }, `Card: ${title}`);
      }}>
        <span className="label">Card</span>
        <input placeholder="product" value={card.title} onChange={(e) => setCard({ ...card, title: e.target.value })} required maxLength={80} aria-label="card product" className="short" />
        <input placeholder="price" value={card.price} onChange={(e) => setCard({ ...card, price: e.target.value })} maxLength={24} aria-label="card price" className="tiny" />
        <input type="url" placeholder="picture URL (optional)" value={card.imageUrl} onChange={(e) => setCard({ ...card, imageUrl: e.target.value })} pattern="https?://.+" maxLength={2048} aria-label="card picture" />
        <button type="submit">Show</button>
        <button type="button" onClick={() => void sendCard({ name: 'card.hide' }, 'Card hidden')} disabled={!room.avatar.card}>Hide</button>
        <OutcomeText status={cardStatus} />
      </form>
      <form className="row" onSubmit={setCaptionText} aria-label="Caption" data-command="caption">
        <span className="label">Caption</span>
        <input placeholder="lower third (empty clears)" value={caption} onChange={(e) => setCaption(e.target.value)} maxLength={200} aria-label="caption text" />
        <button type="submit">Set</button>
        <OutcomeText status={captionStatus} />
      </form>
      <div className="row" data-command="stop">
        <span className="label">Speech</span>
        <button type="button" className="danger" onClick={() => void sendStop({ name: 'stop' }, 'Stop speaking')}>■ Stop speaking &amp; clear</button>
        <OutcomeText status={stopStatus} />
      </div>
    </section>
  );
}
