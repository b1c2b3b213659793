import { useRef, useState } from 'react';
import type { RoomState } from '../state/room-state.js';
import { clock } from '../ui/format.js';
import { useNow } from '../ui/use-now.js';
import { usePreview } from './preview.js';
import { LevelMeter } from './level-meter.js';
import { NowSpeaking } from './NowSpeaking.js';
import { cpuTone, fpsTone, hostTone, SILENT_HOST_MS, useRoomHost } from './host-health.js';

/** The room's render host at a glance: a health light, its id, fps, cpu and when it was last heard from. */
function HostHealth({ room }: { room: RoomState }) {
  const placedId = room.host?.hostId ?? room.view?.hostId ?? null;
  const { host, skewMs, loaded } = useRoomHost(room.id, placedId);
  const now = useNow(1000);
  const lost = room.host?.state === 'lost';
  if (!placedId && !host) {
    return <span className="host-health" data-tone="bad"><span className="main"><span className="dot" /><b className="host-id">none</b> {lost ? 'lost — moving the room' : 'waiting for a render host'}</span></span>;
  }
  if (!host) return <span className="host-health" data-host={placedId}><b className="host-id">{placedId}</b> <span className="muted">{loaded ? 'no report yet' : '…'}</span></span>;
  const age = Math.max(0, now + skewMs - host.lastSeen);
  const tone = lost ? 'bad' : hostTone(host, age);
  const caps = host.capabilities;
  return (
    <span className="host-health" data-host={host.hostId} data-tone={tone}>
      <span className="main">
        <span className="dot" title={tone === 'ok' ? 'healthy' : tone === 'warn' ? 'struggling' : 'in trouble'} />
        <b className="host-id">{host.hostId}</b>
        <span className="metric"><b data-metric="fps" data-tone={fpsTone(host.fps)}>{host.fps !== undefined ? host.fps.toFixed(0) : '—'}</b> fps</span>
        <span className="metric"><b data-metric="cpu" data-tone={cpuTone(host.cpu)}>{host.cpu !== undefined ? `${Math.round(host.cpu * 100)} %` : '—'}</b> cpu</span>
        <span className="seen" data-tone={age > SILENT_HOST_MS || host.suspect || lost ? 'bad' : 'ok'} data-seen>{lost ? 'lost' : host.suspect ? 'reconnecting…' : `seen ${Math.round(age / 1000)} s ago`}</span>
      </span>
      <span className="sub">{caps.renderer} renderer · {caps.encoders[0] ?? '?'} · {host.roomCount}/{host.capacity} rooms</span>
    </span>
  );
}

const LINE_ICON = { sent: '…', playing: '▶', done: '✓', interrupted: '✂' } as const;

export function ProgramPanel({ room }: { room: RoomState }) {
  const video = useRef<HTMLVideoElement | null>(null);
  const status = usePreview(video, room.id, room.live);
  const [monitor, setMonitor] = useState(false);
  const recent = room.lines.slice(-6);
  const caption = room.avatar.caption;
  return (
    <section className="panel program" aria-label="program" data-preview={status} data-live={room.live}>
      <header>
        <h2>Program</h2>
        <span className={`onair ${room.live ? 'on' : ''}`} data-onair={room.live}>{room.live ? 'ON AIR' : 'OFF AIR'}</span>
        {room.onAir && <span className="speaking-pill">SPEAKING</span>}
        <span className="muted">{room.view?.name}</span>
        <span className="grow" />
        <button type="button" className={monitor ? 'toggle on' : 'toggle'} aria-pressed={monitor} onClick={() => setMonitor((m) => !m)}>
          {monitor ? 'Monitor: on' : 'Monitor: off'}
        </button>
      </header>
      <div className="program-body">
        <div className="screen">
          <video ref={video} id="program-video" playsInline muted autoPlay />
          {!room.live && <div className="screen-status">Off air — the preview starts when the render host publishes</div>}
          {room.live && (status === 'connecting' || status === 'unsupported') && <div className="screen-status">{status === 'connecting' ? 'Connecting to the preview…' : 'This browser cannot play the preview (no Media Source Extensions)'}</div>}
          {room.live && (status === 'buffering' || status === 'retrying') && <div className="screen-badge">{status === 'buffering' ? 'buffering' : 'preview lost — retrying'}</div>}
        </div>
        <LevelMeter video={video} monitor={monitor} />
      </div>
      <div className="now-row">
        <span className="label">Now</span>
        <NowSpeaking onAir={room.onAir} />
      </div>
      <div className="facts">
        <div className="fact" data-fact="stream">
          <span className="label">Stream</span>
          <b className={room.live ? 'ok' : 'muted'}>{room.live ? '● live' : 'offline'}</b>
        </div>
        <div className="fact" data-fact="host">
          <span className="label">Render host</span>
          <HostHealth room={room} />
        </div>
        <div className="fact wide" data-fact="graphics">
          <span className="label">Lower third</span>
          <span>{caption ? <b>{caption}</b> : <span className="muted">automatic: the words being spoken</span>}
            {room.avatar.card && <span className="kv">card <b>{room.avatar.card.title}{room.avatar.card.price ? ` · ${room.avatar.card.price}` : ''}</b></span>}
            {room.avatar.panel && <span className="kv">panel <b>{room.avatar.panel.title ?? 'image'}</b></span>}</span>
        </div>
      </div>
      <ol className="transcript" aria-label="recent lines">
        {recent.length === 0 && <li className="muted">Nothing said yet.</li>}
        {recent.map((l) => (
          <li key={l.segmentId} className={`line ${l.state}`} data-segment={l.segmentId} data-state={l.state}>
            <span className="t">{clock(l.startedAt ?? l.sentAt)}</span>
            <span className="st" title={l.state}>{LINE_ICON[l.state]}</span>
            <span className="src">{l.questionId ? 'answer' : l.segmentId.startsWith('say-') ? 'say' : 'line'}</span>
            <span className="txt">{l.text}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
