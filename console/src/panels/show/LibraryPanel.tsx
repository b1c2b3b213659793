import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { LibraryDocument, LookChange, Material, MaterialInput } from '../../../../protocol/show.js';
import type { RoomState } from '../../state/room-state.js';
import { useSession } from '../../session.js';
import { errorText } from '../../api.js';
import { OutcomeText, restOutcome, useAction } from '../../ui/outcome.js';
import { duration } from '../../ui/format.js';
import { ACTIONS, CAMERAS, CHARACTERS, SCENES, SPEEDS, VOICES, type Speed, type VoiceId } from '../../vocabulary.js';

interface Draft {
  id: string | null;
  title: string;
  text: string;
  voice: VoiceId | '';
  speed: Speed | '';
  look: LookChange;
  panelUrl: string;
  panelTitle: string;
  caption: string;
  tags: string;
}

const EMPTY: Draft = { id: null, title: '', text: '', voice: '', speed: '', look: {}, panelUrl: '', panelTitle: '', caption: '', tags: '' };

function draftOf(m: Material): Draft {
  return {
    id: m.id, title: m.title, text: m.text, voice: m.voice.voice ?? '', speed: m.voice.prosody?.speed ?? '', look: m.look,
    panelUrl: m.panel?.imageUrl ?? '', panelTitle: m.panel?.title ?? '', caption: m.caption ?? '', tags: m.tags.join(', '),
  };
}

function inputOf(d: Draft): Omit<MaterialInput, 'id'> {
  const tags = d.tags.split(',').map((t) => t.trim()).filter(Boolean);
  return {
    title: d.title.trim() || d.text.trim().slice(0, 60), text: d.text.trim(),
    voice: { ...(d.voice ? { voice: d.voice } : {}), ...(d.speed ? { prosody: { speed: d.speed } } : {}) },
    look: Object.fromEntries(Object.entries(d.look).filter(([, v]) => v)) as LookChange,
    panel: d.panelUrl.trim() ? { imageUrl: d.panelUrl.trim(), ...(d.panelTitle.trim() ? { title: d.panelTitle.trim() } : {}) } : null,
    caption: d.caption.trim() || null,
    tags,
  };
}

/** Hear a material before air: its audio needs the bearer token, so it is fetched and played from a blob. */
function usePreviewPlayer() {
  const { api } = useSession();
  const audio = useRef<HTMLAudioElement | null>(null);
  const [playing, setPlaying] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => () => { audio.current?.pause(); }, []);
  const toggle = async (m: Material) => {
    audio.current?.pause();
    if (playing === m.id || !m.audioUrl) return setPlaying(null);
    setError(null);
    try {
      const res = await api.fetch(m.audioUrl);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const url = URL.createObjectURL(await res.blob());
      const a = new Audio(url);
      a.onended = () => { setPlaying(null); URL.revokeObjectURL(url); };
      audio.current = a;
      setPlaying(m.id);
      await a.play();
    } catch (err) {
      setPlaying(null);
      setError(`${m.title}: ${errorText(err)}`);
    }
  };
  return { playing, error, toggle };
}

/**
 * The room's library: prepared lines with their status (synthesizing → ready | failed),
 * duration and tags; hear one before air, play it now or queue it, edit, import and export.
 */
export function LibraryPanel({ room }: { room: RoomState }) {
  const { api, client, store } = useSession();
  const [draft, setDraft] = useState<Draft | null>(null);
  const [filter, setFilter] = useState('');
  const [saveStatus, runSave] = useAction(room.id, 'Library');
  const [status, run] = useAction(room.id, 'Library');
  const player = usePreviewPlayer();
  const file = useRef<HTMLInputElement | null>(null);

  const needle = filter.trim().toLowerCase();
  const materials = Object.values(room.materials)
    .filter((m) => !needle || `${m.title} ${m.text} ${m.tags.join(' ')}`.toLowerCase().includes(needle))
    .sort((a, b) => a.title.localeCompare(b.title));

  const save = (e: FormEvent) => {
    e.preventDefault();
    if (!draft) return;
    const body = inputOf(draft);
    void runSave(() => restOutcome(async () => {
      const m = draft.id
        ? await api.patch<Material>(`/api/rooms/${room.id}/materials/${draft.id}`, body)
        : await api.post<Material>(`/api/rooms/${room.id}/materials`, body);
      store.material(room.id, m);
      setDraft(null);
    }), `${draft.id ? 'Edit' : 'New'} material: ${body.title}`);
  };
  const exportLibrary = () => void run(() => restOutcome(async () => {
    const doc = await api.get<LibraryDocument>(`/api/rooms/${room.id}/library`);
    const url = URL.createObjectURL(new Blob([JSON.stringify(doc, null, 2)], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${room.id}-library.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }), 'Library exported');
  const importLibrary = (f: File, mode: 'merge' | 'replace') => void run(() => restOutcome(async () => {
    const doc = JSON.parse(await f.text()) as LibraryDocument;
    const r = await api.post<{ materials: Material[] }>(`/api/rooms/${room.id}/library?mode=${mode}`, doc);
    store.setMaterials(room.id, r.materials);
  }), `Library imported (${mode})`);

  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => draft && setDraft({ ...draft, [k]: v });
  const lookSelect = <K extends keyof LookChange>(k: K, values: readonly string[]) => (
    <label className="inline">{k}
      <select value={draft?.look[k] ?? ''} onChange={(e) => draft && setDraft({ ...draft, look: { ...draft.look, [k]: e.target.value || undefined } })} aria-label={`look ${k}`}>
        <option value="">unchanged</option>
        {values.map((v) => <option key={v}>{v}</option>)}
      </select>
    </label>
  );

  return (
    <section className="panel library" aria-label="library">
      <header>
        <h2>Library</h2>
        <span className="muted">{Object.keys(room.materials).length} materials</span>
        <input type="search" placeholder="filter…" value={filter} onChange={(e) => setFilter(e.target.value)} aria-label="filter library" className="short" />
        <span className="grow" />
        <OutcomeText status={status} okText="done" />
        <button type="button" onClick={exportLibrary}>Export</button>
        <button type="button" onClick={() => file.current?.click()}>Import…</button>
        <input ref={file} type="file" accept="application/json,.json" hidden onChange={(e) => {
          const f = e.target.files?.[0];
          if (f) importLibrary(f, window.confirm('Replace the whole library? (Cancel merges: materials the file does not name are kept.)') ? 'replace' : 'merge');
          e.target.value = '';
        }} />
        <button type="button" className="primary" onClick={() => setDraft({ ...EMPTY })}>+ Material</button>
      </header>
      {player.error && <p className="error">Could not play {player.error}</p>}
      {draft && (
        <form className="material-form" onSubmit={save} aria-label="material">
          <div className="row">
            <input placeholder="title" value={draft.title} onChange={(e) => set('title', e.target.value)} maxLength={120} aria-label="material title" className="short" />
            <input placeholder="tags, comma separated (filler, intro, a product…)" value={draft.tags} onChange={(e) => set('tags', e.target.value)} aria-label="tags" />
          </div>
          <textarea rows={3} placeholder="What the host says" value={draft.text} onChange={(e) => set('text', e.target.value)} maxLength={2000} required aria-label="material text" />
          <div className="row">
            <select value={draft.voice} onChange={(e) => set('voice', e.target.value as VoiceId | '')} aria-label="material voice">
              <option value="">room voice</option>{VOICES.map((v) => <option key={v}>{v}</option>)}
            </select>
            <select value={draft.speed} onChange={(e) => set('speed', e.target.value as Speed | '')} aria-label="material speed">
              <option value="">room speed</option>{SPEEDS.map((v) => <option key={v}>{v}</option>)}
            </select>
            {lookSelect('character', CHARACTERS)}{lookSelect('scene', SCENES)}{lookSelect('camera', CAMERAS)}{lookSelect('action', ACTIONS)}
          </div>
          <div className="row">
            <input type="url" placeholder="panel image https://…" value={draft.panelUrl} onChange={(e) => set('panelUrl', e.target.value)} aria-label="material panel image" />
            <input placeholder="panel title" value={draft.panelTitle} onChange={(e) => set('panelTitle', e.target.value)} className="short" aria-label="material panel title" />
            <input placeholder="lower third while it plays" value={draft.caption} onChange={(e) => set('caption', e.target.value)} maxLength={200} aria-label="material caption" />
          </div>
          <div className="row">
            <button type="submit" className="primary">{draft.id ? 'Save and synthesize' : 'Create and synthesize'}</button>
            <button type="button" onClick={() => setDraft(null)}>Cancel</button>
            <OutcomeText status={saveStatus} okText="saved" />
          </div>
        </form>
      )}
      <ol className="materials">
        {materials.length === 0 && <li className="muted empty-row">{room.materialsLoaded ? 'No materials yet.' : 'Loading…'}</li>}
        {materials.map((m) => (
          <li key={m.id} data-material={m.id} data-status={m.status}>
            <button type="button" className="ghost play" disabled={m.status !== 'ready'} aria-label={`hear ${m.title}`} onClick={() => void player.toggle(m)}>
              {player.playing === m.id ? '■' : '▶'}
            </button>
            <span className="title"><span><b>{m.title}</b>{m.tags.map((t) => <span key={t} className="tag">{t}</span>)}</span>
              <span className="txt muted small">{m.text}</span></span>
            <span className={`pill ${m.status}`} title={m.error ?? ''}>{m.status}</span>
            <span className="dur">{m.durationMs !== null ? duration(m.durationMs) : '—'}</span>
            <span className="acts">
              <button type="button" disabled={m.status !== 'ready'} onClick={() => void run(() => client.show(room.id, { name: 'material.play', materialId: m.id, priority: 'script' }), `Queue: ${m.title}`)}>Queue</button>
              <button type="button" className="danger" disabled={m.status !== 'ready'} onClick={() => void run(() => client.show(room.id, { name: 'material.play', materialId: m.id, priority: 'urgent' }), `Air now: ${m.title}`)}>Air now</button>
              <button type="button" className="ghost" onClick={() => setDraft(draftOf(m))}>Edit</button>
              <button type="button" className="ghost" onClick={() => void run(() => restOutcome(() => api.del(`/api/rooms/${room.id}/materials/${m.id}`)), `Delete: ${m.title}`)}>✕</button>
            </span>
            {m.status === 'failed' && <span className="error small full">failed: {m.error}</span>}
          </li>
        ))}
      </ol>
    </section>
  );
}
