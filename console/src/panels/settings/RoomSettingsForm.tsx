import { useState, type FormEvent } from 'react';
import type { Static } from '@sinclair/typebox';
import type { RoomSettings, RoomView, UpdateRoomBody } from '../../../../protocol/rest.js';
import type { RoomState } from '../../state/room-state.js';
import { useSession } from '../../session.js';
import { OutcomeText, restOutcome, useAction } from '../../ui/outcome.js';
import { CAMERAS, CHARACTERS, LANGUAGES, SCENES, SPEEDS, VOICES, every, type Language } from '../../vocabulary.js';

type Settings = Static<typeof RoomSettings>;
// Every setting, checked by the compiler: a new one in protocol/ fails the console's typecheck until the form has it.
const KEYS = every<keyof Settings>()([
  'name', 'review', 'reviewTimeoutS', 'reviewTimeoutAction', 'groupThreshold', 'creditAskers', 'chatHistory', 'asRunRetentionDays',
  'language', 'persona', 'look', 'voice', 'answers', 'fallbackLine', 'blocklist', 'maxAnswerChars', 'allowLinks',
  'backlogLimitS', 'answerStaleS', 'fillerRepeatS',
]);

function pick(view: Static<typeof RoomView>): Settings {
  return Object.fromEntries(KEYS.map((k) => [k, view[k]])) as Settings;
}

/** Only what changed is sent: two operators editing different fields do not undo each other. */
function changes(before: Settings, after: Settings): Static<typeof UpdateRoomBody> {
  const out: Record<string, unknown> = {};
  for (const k of KEYS) if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) out[k] = after[k];
  return out as Static<typeof UpdateRoomBody>;
}

export function RoomSettingsForm({ room }: { room: RoomState }) {
  if (!room.view) return <p className="muted">Loading…</p>;
  return <SettingsForm room={room.id} view={room.view} />;
}

/** The form starts from the room as it was when opened; Save sends what the operator changed. */
function SettingsForm({ room: roomId, view }: { room: string; view: Static<typeof RoomView> }) {
  const { api, store } = useSession();
  const [form, setForm] = useState<Settings>(() => pick(view));
  const [blocklist, setBlocklist] = useState(() => view.blocklist.join('\n'));
  const [status, run] = useAction(roomId, 'Room settings');

  const set = <K extends keyof Settings>(k: K, v: Settings[K]) => setForm({ ...form, [k]: v });
  const next: Settings = { ...form, blocklist: blocklist.split('\n').map((l) => l.trim()).filter(Boolean) };
  const diff = changes(pick(view), next);
  const dirty = Object.keys(diff).length > 0;
  const save = (e: FormEvent) => {
    e.preventDefault();
    void run(() => restOutcome(async () => {
      const updated = await api.patch<Static<typeof RoomView>>(`/api/rooms/${roomId}`, diff);
      store.setRoomView(updated);
      setForm(pick(updated));
      setBlocklist(updated.blocklist.join('\n'));
    }), `Settings: ${Object.keys(diff).join(', ')}`);
  };

  return (
    <form className="panel form-grid" onSubmit={save} aria-label="room settings">
      <header><h2>Room <code>{roomId}</code></h2><span className="grow" />
        <OutcomeText status={status} okText="saved" />
        <button type="button" disabled={!dirty} onClick={() => { setForm(pick(view)); setBlocklist(view.blocklist.join('\n')); }}>Revert</button>
        <button type="submit" className="primary" disabled={!dirty}>Save{dirty ? ` (${Object.keys(diff).length})` : ''}</button>
      </header>
      <label>Name<input value={form.name} onChange={(e) => set('name', e.target.value)} maxLength={120} required /></label>
      <label>Review
        <select value={form.review} onChange={(e) => set('review', e.target.value as Settings['review'])}>
          <option value="auto">auto — answered at once</option>
          <option value="questions">questions — an operator approves each question</option>
          <option value="answers">answers — each drafted answer waits for approval</option>
          <option value="tiered">tiered — confident knowledge-base answers at once, the rest wait</option>
        </select>
      </label>
      <label>Review timeout, s (0: wait)
        <input type="number" min={0} max={3600} value={form.reviewTimeoutS} onChange={(e) => set('reviewTimeoutS', Number(e.target.value))} />
      </label>
      <label>When it runs out
        <select value={form.reviewTimeoutAction} onChange={(e) => set('reviewTimeoutAction', e.target.value as Settings['reviewTimeoutAction'])}>
          <option value="expire">expire — never airs</option>
          <option value="air">air by itself</option>
        </select>
      </label>
      <label className="check"><input type="checkbox" checked={form.creditAskers} onChange={(e) => set('creditAskers', e.target.checked)} /> Credit the askers (“Ana and 3 others asked…”)</label>
      <label className="check"><input type="checkbox" checked={form.allowLinks} onChange={(e) => set('allowLinks', e.target.checked)} /> Answers may say links and e-mail addresses</label>
      <label>Language
        <select value={form.language} onChange={(e) => set('language', e.target.value as Language)}>
          {LANGUAGES.map((l) => <option key={l}>{l}</option>)}
        </select>
      </label>
      <label>Answers from
        <select value={form.answers} onChange={(e) => set('answers', e.target.value as Settings['answers'])}>
          <option value="kb">knowledge base</option>
          <option value="openai">LLM (OpenAI-compatible) with the KB as context</option>
        </select>
      </label>
      <label>Character
        <select value={form.look.character} onChange={(e) => set('look', { ...form.look, character: e.target.value as Settings['look']['character'] })}>
          {CHARACTERS.map((c) => <option key={c}>{c}</option>)}
        </select>
      </label>
      <label>Scene
        <select value={form.look.scene} onChange={(e) => set('look', { ...form.look, scene: e.target.value as Settings['look']['scene'] })}>
          {SCENES.map((c) => <option key={c}>{c}</option>)}
        </select>
      </label>
      <label>Camera
        <select value={form.look.camera} onChange={(e) => set('look', { ...form.look, camera: e.target.value as Settings['look']['camera'] })}>
          {CAMERAS.map((c) => <option key={c}>{c}</option>)}
        </select>
      </label>
      <label>Voice
        <select value={form.voice.voice ?? ''} onChange={(e) => set('voice', { ...form.voice, voice: (e.target.value || undefined) as Settings['voice']['voice'] })}>
          <option value="">language default</option>
          {VOICES.map((v) => <option key={v}>{v}</option>)}
        </select>
      </label>
      <label>Speed
        <select value={form.voice.prosody?.speed ?? ''} onChange={(e) => set('voice', { ...form.voice, prosody: { ...form.voice.prosody, speed: (e.target.value || undefined) as NonNullable<Settings['voice']['prosody']>['speed'] } })}>
          <option value="">medium</option>
          {SPEEDS.map((v) => <option key={v}>{v}</option>)}
        </select>
      </label>
      <label>Longest answer (characters)<input type="number" min={20} max={4000} value={form.maxAnswerChars} onChange={(e) => set('maxAnswerChars', Number(e.target.value))} /></label>
      <label>Answer backlog limit (s of audio)<input type="number" min={5} max={3600} value={form.backlogLimitS} onChange={(e) => set('backlogLimitS', Number(e.target.value))} /></label>
      <label>Drop an answer not started after (s)<input type="number" min={5} max={3600} value={form.answerStaleS} onChange={(e) => set('answerStaleS', Number(e.target.value))} /></label>
      <label>Never repeat a filler within (s)<input type="number" min={0} max={86400} value={form.fillerRepeatS} onChange={(e) => set('fillerRepeatS', Number(e.target.value))} /></label>
      <label className="wide">Fallback line (when no confident answer exists)<input value={form.fallbackLine} onChange={(e) => set('fallbackLine', e.target.value)} maxLength={500} required /></label>
      <label className="wide">Persona (the LLM's system prompt)<textarea rows={5} value={form.persona} onChange={(e) => set('persona', e.target.value)} maxLength={4000} /></label>
      <label className="wide">Blocklist — one pattern per line (case-insensitive regular expressions; matching questions and lines are never spoken)
        <textarea rows={5} value={blocklist} onChange={(e) => setBlocklist(e.target.value)} spellCheck={false} />
      </label>
    </form>
  );
}
