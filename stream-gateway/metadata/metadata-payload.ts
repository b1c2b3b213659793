import type { TimedMetadataEvent } from '../../protocol/index.js';

/** IVS PutMetadata accepts at most 1 KB of metadata per call (IVS service quotas). */
export const IVS_METADATA_MAX_BYTES = 1024;

/** What a player receives: one JSON array per cue, oldest first. */
export interface MetadataItem {
  type: TimedMetadataEvent['kind'];
  text: string;
  segmentId: string;
  questionId?: string;
  final?: boolean;
}

export function toItem(e: TimedMetadataEvent): MetadataItem {
  return {
    type: e.kind, text: e.text, segmentId: e.segmentId,
    ...(e.questionId ? { questionId: e.questionId } : {}), ...(e.final !== undefined ? { final: e.final } : {}),
  };
}

const bytes = (items: MetadataItem[]) => Buffer.byteLength(JSON.stringify(items), 'utf8');

/**
 * Cuts a text to its first n code points plus an ellipsis, largest n whose item still fits
 * in maxBytes as a one-item array. Cutting code points, never bytes or UTF-16 units, keeps
 * every multi-byte character and surrogate pair whole, so the payload stays valid UTF-8.
 */
export function fitItem(item: MetadataItem, maxBytes = IVS_METADATA_MAX_BYTES): MetadataItem {
  if (bytes([item]) <= maxBytes) return item;
  const points = Array.from(item.text);
  let lo = 0;
  let hi = points.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (bytes([{ ...item, text: `${points.slice(0, mid).join('')}…` }]) <= maxBytes) lo = mid;
    else hi = mid - 1;
  }
  return { ...item, text: `${points.slice(0, lo).join('')}…` };
}

/**
 * Takes as many queued items as fit in one payload (at least one, cut to fit) and returns
 * the payload and how many it used.
 */
export function packPayload(items: MetadataItem[], maxBytes = IVS_METADATA_MAX_BYTES): { payload: string; used: number } {
  const taken: MetadataItem[] = [];
  for (const item of items) {
    if (taken.length === 0) {
      taken.push(fitItem(item, maxBytes));
      continue;
    }
    if (bytes([...taken, item]) > maxBytes) break;
    taken.push(item);
  }
  return { payload: JSON.stringify(taken), used: taken.length };
}
