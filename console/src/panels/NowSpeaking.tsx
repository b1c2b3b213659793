import { useEffect, useState } from 'react';
import type { OnAir } from '../state/room-state.js';

/** Index of the word being spoken `elapsed` ms into the line (-1 before the first). */
export function wordAt(words: OnAir['words'], elapsed: number): number {
  let current = -1;
  for (let i = 0; i < words.length; i++) {
    if (words[i]!.startMs <= elapsed) current = i;
    else break;
  }
  return current;
}

/**
 * The line on air, each word lit as it is spoken: the host's start report sets the clock,
 * the line's word timeline does the rest (follow-along at the host's pace; the preview
 * player adds its own latency on top).
 */
export function NowSpeaking({ onAir }: { onAir: OnAir | null }) {
  const [elapsed, setElapsed] = useState(0);
  useEffect(() => {
    if (!onAir || onAir.words.length === 0) return;
    const tick = () => setElapsed(performance.now() - onAir.startedLocal);
    tick();
    const t = setInterval(tick, 50);
    return () => clearInterval(t);
  }, [onAir]);

  if (!onAir) return <p className="now idle" aria-live="polite">Not speaking</p>;
  if (onAir.words.length === 0) return <p className="now" aria-live="polite">{onAir.text}</p>;
  const current = wordAt(onAir.words, elapsed);
  // The timeline's words lose the line's punctuation; when the line splits into as many words, show those.
  const tokens = onAir.text.split(/\s+/).filter(Boolean);
  const shown = tokens.length === onAir.words.length ? tokens : onAir.words.map((w) => w.text);
  return (
    <p className="now" aria-live="polite" data-segment={onAir.segmentId}>
      {shown.map((text, i) => (
        <span key={i} className={i === current ? 'word current' : i < current ? 'word spoken' : 'word'}>{text} </span>
      ))}
    </p>
  );
}
