import { useRef, useState } from 'react';
import type { RoomState } from '../state/room-state.js';
import { useSession } from '../session.js';
import { clock } from '../ui/format.js';
import { usePreview } from './preview.js';
import { LevelMeter } from './level-meter.js';
import { NowSpeaking } from './NowSpeaking.js';
import { useHosts, type HostHealth } from './host-health.js';

const STALE_HOST_MS = 6000;

function HostLine({ room }: { room: RoomState }) {
  const { isAdmin } = useSession();
  const { hosts, at } = useHosts();
  const hostId = room.host?.hostId ?? room.view?.hostId ?? null;
  if (!hostId) return <span className="bad">no render host{room.host?.state === 'lost' ? ' (lost)' : ' — waiting for one'}</span>;
  const h: HostHealth | undefined = hosts.find((x) => x.hostId === hostId);
  const caps = h?.capabilities as { renderer?: string; encoders?: string[] } | undefined;
  const stale = h ? at - h.lastSeen > STALE_HOST_MS : false;
  return (
    <span className={stale ? 'warn' : ''} data-host={hostId}>
      <b>{hostId}</b>
      {room.host?.state === 'lost' && <span className="bad"> lost</span>}
      {h && <>
        <span className="kv">fps <b>{h.fps !== undefined ? h.fps.toFixed(0) : '—'}</b></span>
        <span className="kv">cpu <b>{h.cpu !== undefined ? `${Math.round(h.cpu * 100)} %` : '—'}</b></span>
        <span className="kv">{caps?.renderer ?? '?'} · {caps?.encoders?.[0] ?? '?'}</span>
        <span className="kv">rooms <b>{h.rooms.length}/{h.capacity}</b></span>
        <span className="kv">{stale ? 'silent ' : 'seen '}{Math.max(0, Math.round((at - h.lastSeen) / 1000))} s ago</span>
      </>}
      {!isAdmin && <span className="muted kv">(health: admins)</span>}
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
        <span><span className="label">Lower third</span> {caption ? <b>{caption}</b> : <span className="muted">the spoken words</span>}
          {room.avatar.card && <span className="kv">card <b>{room.avatar.card.title}{room.avatar.card.price ? ` · ${room.avatar.card.price}` : ''}</b></span>}
          {room.avatar.panel && <span className="kv">panel <b>{room.avatar.panel.title ?? 'image'}</b></span>}</span>
        <span><span className="label">Stream</span> <b className={room.live ? 'ok' : 'muted'}>{room.live ? 'live' : 'offline'}</b></span>
        <span><span className="label">Host</span> <HostLine room={room} /></span>
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
