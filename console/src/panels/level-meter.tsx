import { useEffect, useRef, useState, type RefObject } from 'react';

const FLOOR_DB = -60;

// An element can feed only one source node, ever: keep it (and its context) for the element's life.
const graphs = new WeakMap<HTMLMediaElement, { ctx: AudioContext; source: MediaElementAudioSourceNode }>();
function graphFor(el: HTMLMediaElement) {
  let g = graphs.get(el);
  if (!g) {
    const ctx = new AudioContext();
    g = { ctx, source: ctx.createMediaElementSource(el) };
    graphs.set(el, g);
  }
  return g;
}

/**
 * The program's audio level (WebAudio AnalyserNode per channel), in dBFS with a peak hold.
 * The element's sound goes through the graph, so "monitor" is a gain after the meter: the
 * meter reads the program whether or not the operator listens. Browsers start audio only
 * after a click, so until then the meter says so.
 */
export function LevelMeter({ video, monitor }: { video: RefObject<HTMLVideoElement | null>; monitor: boolean }) {
  const canvas = useRef<HTMLCanvasElement | null>(null);
  const holder = useRef<HTMLDivElement | null>(null);
  const gain = useRef<GainNode | null>(null);
  const [running, setRunning] = useState(false);

  useEffect(() => {
    const el = video.current;
    if (!el) return;
    const { ctx, source } = graphFor(el);
    const splitter = ctx.createChannelSplitter(2);
    const analysers = [ctx.createAnalyser(), ctx.createAnalyser()];
    const out = ctx.createGain();
    out.gain.value = 0;
    gain.current = out;
    source.connect(splitter);
    analysers.forEach((a, i) => { a.fftSize = 1024; splitter.connect(a, i); });
    source.connect(out).connect(ctx.destination);
    const buf = new Float32Array(1024);
    const peaks = [FLOOR_DB, FLOOR_DB];
    let frame = 0;
    let lastReport = 0;

    const enable = () => {
      void ctx.resume().then(() => {
        el.muted = false;
        setRunning(ctx.state === 'running');
      });
    };
    if (ctx.state === 'running') enable();
    else document.addEventListener('pointerdown', enable, { once: true });

    const draw = (t: number) => {
      frame = requestAnimationFrame(draw);
      const c = canvas.current;
      if (!c) return;
      const g = c.getContext('2d');
      if (!g) return;
      const levels = analysers.map((a) => {
        a.getFloatTimeDomainData(buf);
        let sum = 0;
        for (const v of buf) sum += v * v;
        const rms = Math.sqrt(sum / buf.length);
        return Math.max(FLOOR_DB, 20 * Math.log10(rms || 1e-9));
      });
      g.clearRect(0, 0, c.width, c.height);
      levels.forEach((db, i) => {
        peaks[i] = Math.max(db, peaks[i]! - 0.5);
        const w = (c.width - 2) / 2;
        const x = i * (w + 2);
        const h = ((db - FLOOR_DB) / -FLOOR_DB) * c.height;
        const grad = g.createLinearGradient(0, c.height, 0, 0);
        grad.addColorStop(0, '#2fd08a');
        grad.addColorStop(0.75, '#f5b841');
        grad.addColorStop(0.92, '#ff3b5c');
        g.fillStyle = grad;
        g.fillRect(x, c.height - h, w, h);
        g.fillStyle = '#e6e8ee';
        g.fillRect(x, c.height - ((peaks[i]! - FLOOR_DB) / -FLOOR_DB) * c.height, w, 2);
      });
      // Readable by tests and screen readers, a few times a second.
      if (t - lastReport > 200 && holder.current) {
        lastReport = t;
        const db = Math.max(...levels);
        holder.current.dataset.db = db.toFixed(1);
        holder.current.setAttribute('aria-valuenow', String(Math.round(db)));
      }
    };
    frame = requestAnimationFrame(draw);
    return () => {
      cancelAnimationFrame(frame);
      document.removeEventListener('pointerdown', enable);
      source.disconnect();
      gain.current = null;
    };
  }, [video]);

  useEffect(() => {
    if (gain.current) gain.current.gain.value = monitor ? 1 : 0;
  }, [monitor, running]);

  return (
    <div className="meter" ref={holder} role="meter" aria-label="program audio level (dBFS)" aria-valuemin={FLOOR_DB} aria-valuemax={0}
      data-running={running} title={running ? 'program audio, dBFS' : 'click anywhere to start audio'}>
      <canvas ref={canvas} width={22} height={160} />
      <span className="scale">{running ? 'dB' : 'off'}</span>
    </div>
  );
}
