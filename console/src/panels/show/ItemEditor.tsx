import type { VisualCommand } from '../../../../protocol/avatar.js';
import type { Material, RundownItem } from '../../../../protocol/show.js';
import { ACTIONS, CAMERAS, CHARACTERS, SCENES } from '../../vocabulary.js';

export const ITEM_KINDS: Array<{ kind: RundownItem['kind']; label: string }> = [
  { kind: 'material', label: 'material' }, { kind: 'line', label: 'line' }, { kind: 'command', label: 'look / graphic' },
  { kind: 'pause', label: 'pause' }, { kind: 'qa', label: 'Q&A window' },
];

export function newItem(kind: RundownItem['kind'], materials: Material[]): RundownItem {
  switch (kind) {
    case 'material': return { kind, materialId: materials[0]?.id ?? 'material' };
    case 'line': return { kind, text: 'A new line.' };
    case 'command': return { kind, command: { name: 'scene', scene: 'park' } };
    case 'pause': return { kind, ms: 2000 };
    case 'qa': return { kind, maxMs: 120_000, untilEmpty: true };
  }
}

const COMMAND_NAMES: Array<VisualCommand['name']> = ['scene', 'camera', 'character', 'action', 'panel.show', 'panel.hide', 'card.show', 'card.hide', 'caption'];

function defaultCommand(name: VisualCommand['name']): VisualCommand {
  switch (name) {
    case 'scene': return { name, scene: 'park' };
    case 'camera': return { name, camera: 'front' };
    case 'character': return { name, character: 'ava' };
    case 'action': return { name, action: 'Idle' };
    case 'panel.show': return { name, imageUrl: 'https://example.com/product.jpg' };
    case 'panel.hide': return { name };
    case 'card.show': return { name, title: 'Product', price: '$0' };
    case 'card.hide': return { name };
    case 'caption': return { name, text: '' };
  }
}

function CommandEditor({ command, onChange }: { command: VisualCommand; onChange: (c: VisualCommand) => void }) {
  const pick = <T extends string>(values: readonly T[], value: T, set: (v: T) => VisualCommand) => (
    <select value={value} onChange={(e) => onChange(set(e.target.value as T))} aria-label="value">{values.map((v) => <option key={v}>{v}</option>)}</select>
  );
  return (
    <>
      <select value={command.name} onChange={(e) => onChange(defaultCommand(e.target.value as VisualCommand['name']))} aria-label="command">
        {COMMAND_NAMES.map((n) => <option key={n}>{n}</option>)}
      </select>
      {command.name === 'scene' && pick(SCENES, command.scene as (typeof SCENES)[number], (scene) => ({ name: 'scene', scene }))}
      {command.name === 'camera' && pick(CAMERAS, command.camera as (typeof CAMERAS)[number], (camera) => ({ name: 'camera', camera }))}
      {command.name === 'character' && pick(CHARACTERS, command.character as (typeof CHARACTERS)[number], (character) => ({ name: 'character', character }))}
      {command.name === 'action' && pick(ACTIONS, command.action as (typeof ACTIONS)[number], (action) => ({ name: 'action', action }))}
      {command.name === 'panel.show' && <>
        <input type="url" value={command.imageUrl} onChange={(e) => onChange({ ...command, imageUrl: e.target.value })} aria-label="panel image URL" />
        <input className="short" value={command.title ?? ''} placeholder="title" onChange={(e) => onChange({ name: 'panel.show', imageUrl: command.imageUrl, ...(e.target.value ? { title: e.target.value } : {}) })} aria-label="panel title" />
      </>}
      {command.name === 'card.show' && <>
        <input className="short" value={command.title} maxLength={80} onChange={(e) => onChange({ ...command, title: e.target.value })} aria-label="card title" />
        <input className="tiny" value={command.price ?? ''} maxLength={24} placeholder="price" onChange={(e) => { const { price: _p, ...rest } = command; onChange(e.target.value ? { ...rest, price: e.target.value } : rest); }} aria-label="card price" />
        <input type="url" value={command.imageUrl ?? ''} placeholder="picture https://…" onChange={(e) => { const { imageUrl: _i, ...rest } = command; onChange(e.target.value ? { ...rest, imageUrl: e.target.value } : rest); }} aria-label="card picture" />
      </>}
      {command.name === 'caption' && <input value={command.text} maxLength={200} placeholder="lower third (empty clears)" onChange={(e) => onChange({ name: 'caption', text: e.target.value })} aria-label="caption" />}
    </>
  );
}

/** One rundown item, edited in place. */
export function ItemEditor({ item, materials, onChange }: { item: RundownItem; materials: Material[]; onChange: (i: RundownItem) => void }) {
  switch (item.kind) {
    case 'material':
      return (
        <span className="item-edit"><span className="kind">material</span>
          <select value={item.materialId} onChange={(e) => onChange({ kind: 'material', materialId: e.target.value })} aria-label="material">
            {!materials.some((m) => m.id === item.materialId) && <option value={item.materialId}>{item.materialId} (missing)</option>}
            {materials.map((m) => <option key={m.id} value={m.id}>{m.title} ({m.status})</option>)}
          </select>
        </span>
      );
    case 'line':
      return <span className="item-edit"><span className="kind">line</span><input value={item.text} maxLength={2000} onChange={(e) => onChange({ ...item, text: e.target.value })} aria-label="line text" /></span>;
    case 'command':
      return <span className="item-edit"><span className="kind">look</span><CommandEditor command={item.command} onChange={(command) => onChange({ kind: 'command', command })} /></span>;
    case 'pause':
      return (
        <span className="item-edit"><span className="kind">pause</span>
          <input type="number" className="tiny" min={0} max={3600} step={0.5} value={item.ms / 1000} onChange={(e) => onChange({ kind: 'pause', ms: Math.round(Number(e.target.value) * 1000) })} aria-label="pause seconds" /> s
        </span>
      );
    case 'qa':
      return (
        <span className="item-edit"><span className="kind">Q&amp;A</span>
          up to <input type="number" className="tiny" min={1} max={14_400} value={item.maxMs / 1000} onChange={(e) => onChange({ ...item, maxMs: Math.max(1000, Math.round(Number(e.target.value) * 1000)) })} aria-label="Q&A seconds" /> s
          <label className="inline"><input type="checkbox" checked={!!item.untilEmpty} onChange={(e) => onChange({ ...item, untilEmpty: e.target.checked })} /> or until none wait</label>
        </span>
      );
  }
}
