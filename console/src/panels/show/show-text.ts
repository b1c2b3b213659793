import type { VisualCommand } from '../../../../protocol/avatar.js';
import type { LineSource, RundownItem, ShowState } from '../../../../protocol/show.js';
import { duration } from '../../ui/format.js';

export const STATE_TEXT: Record<ShowState['state'], string> = {
  idle: 'not started', running: 'running', waiting: 'waiting', holding: 'holding', ended: 'ended',
};

export const WAITING_TEXT: Record<NonNullable<ShowState['waitingFor']>, string> = {
  go: 'for GO', time: 'for its time', host: 'for a render host', material: 'for a material to be ready',
};

/** Where a line came from, in a few words. */
export function sourceText(s: LineSource, segmentTitle: (id: string) => string = (id) => id): string {
  switch (s.kind) {
    case 'rundown': return `rundown · ${segmentTitle(s.segmentId)} #${s.item + 1}`;
    case 'answer': return 'answer';
    case 'say': return s.materialId ? `played · ${s.materialId}` : 'say';
    case 'filler': return `filler · ${s.materialId}`;
  }
}

export function itemText(item: RundownItem, materialTitle: (id: string) => string = (id) => id): string {
  switch (item.kind) {
    case 'material': return `▶ ${materialTitle(item.materialId)}`;
    case 'line': return `“${item.text}”`;
    case 'command': return `⚙ ${commandText(item.command)}`;
    case 'pause': return `pause ${duration(item.ms)}`;
    case 'qa': return `Q&A ${duration(item.maxMs)}${item.untilEmpty ? ' or until none wait' : ''}`;
  }
}

/** "+0:12 over" / "0:30 under" / "on time". */
export function overUnder(ms: number): { text: string; tone: 'bad' | 'ok' | 'muted' } {
  if (Math.abs(ms) < 1000) return { text: 'on time', tone: 'muted' };
  return ms > 0 ? { text: `+${duration(ms)} over`, tone: 'bad' } : { text: `${duration(-ms)} under`, tone: 'ok' };
}

export function commandText(c: VisualCommand): string {
  switch (c.name) {
    case 'scene': return `scene ${c.scene}`;
    case 'camera': return `camera ${c.camera}`;
    case 'character': return `character ${c.character}`;
    case 'action': return `action ${c.action}`;
    case 'panel.show': return `panel ${c.title ?? c.imageUrl}`;
    case 'panel.hide': return 'panel off';
    case 'card.show': return `card ${c.title}${c.price ? ` ${c.price}` : ''}`;
    case 'card.hide': return 'card off';
    case 'caption': return c.text ? `caption “${c.text}”` : 'caption off';
    default: return (c as { name: string }).name;
  }
}
