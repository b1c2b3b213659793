import { useEffect, useState, type RefObject } from 'react';

export type PreviewStatus = 'offline' | 'connecting' | 'playing' | 'buffering' | 'retrying' | 'unsupported';

/** mpegts.js is most of the console's weight: it loads with the first preview, not with the page. */
const loadMpegts = () => import('mpegts.js').then((m) => {
  m.default.LoggingControl.applyConfig({ enableAll: false });
  return m.default;
});

/**
 * Plays a room's low-latency HTTP-FLV preview in a <video> while the room is live. The play
 * URL comes from the public viewer-token route (it carries a play token when the gateway
 * checks them), minted again on every start so a two-hour show never outlives its token.
 */
export function usePreview(video: RefObject<HTMLVideoElement | null>, room: string, live: boolean): PreviewStatus {
  const [status, setStatus] = useState<PreviewStatus>('offline');
  useEffect(() => {
    const el = video.current;
    if (!el || !live) return;
    let stopped = false;
    let player: { destroy(): void } | null = null;
    let retry: ReturnType<typeof setTimeout> | null = null;
    let failures = 0;
    const onPlaying = () => { failures = 0; setStatus('playing'); };
    const onWaiting = () => setStatus('buffering');
    el.addEventListener('playing', onPlaying);
    el.addEventListener('waiting', onWaiting);

    const again = (ms: number) => {
      player?.destroy();
      player = null;
      if (stopped) return;
      setStatus('retrying');
      retry = setTimeout(() => void start(), ms);
    };
    const start = async () => {
      setStatus('connecting');
      const res = await fetch(`/api/public/rooms/${encodeURIComponent(room)}/viewer-token`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}',
      }).catch(() => null);
      if (stopped) return;
      // The route allows one token per address every 2 s: another console on this machine may have just had one.
      if (!res?.ok) return again(res?.status === 429 ? 2100 : Math.min(10_000, 1000 * 2 ** failures++));
      const { preview } = await res.json() as { preview: string };
      const mpegts = await loadMpegts();
      if (stopped) return;
      if (!mpegts.isSupported()) return setStatus('unsupported');
      const p = mpegts.createPlayer({ type: 'flv', isLive: true, url: preview, hasAudio: true, hasVideo: true }, {
        enableStashBuffer: false, liveBufferLatencyChasing: true, liveBufferLatencyMaxLatency: 1.5, liveBufferLatencyMinRemain: 0.3,
        lazyLoad: false, autoCleanupSourceBuffer: true,
      });
      p.attachMediaElement(el);
      p.on(mpegts.Events.ERROR, () => again(Math.min(10_000, 1000 * 2 ** failures++)));
      p.load();
      void el.play()?.catch(() => undefined);
      player = p;
    };
    void start();
    return () => {
      stopped = true;
      if (retry) clearTimeout(retry);
      player?.destroy();
      el.removeEventListener('playing', onPlaying);
      el.removeEventListener('waiting', onWaiting);
    };
  }, [video, room, live]);
  return live ? status : 'offline';
}
