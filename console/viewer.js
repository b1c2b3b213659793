// The viewer page: pick a show, watch its preview (HTTP-FLV through mpegts.js), ask a question.
const $ = (id) => document.getElementById(id);
const state = { room: null, token: null, player: null };

async function api(path, options = {}) {
  const res = await fetch(path, {
    ...options,
    headers: { 'content-type': 'application/json', ...(state.token ? { authorization: `Bearer ${state.token}` } : {}), ...options.headers },
  });
  const body = res.status === 204 ? null : await res.json();
  if (!res.ok) throw new Error(body?.error?.message ?? `HTTP ${res.status}`);
  return body;
}

function play(url) {
  state.player?.destroy();
  state.player = null;
  const video = $('video');
  if (!window.mpegts?.isSupported()) {
    $('status').textContent = 'This browser cannot play the preview';
    return;
  }
  const player = window.mpegts.createPlayer({ type: 'flv', isLive: true, url }, { enableStashBuffer: false, liveBufferLatencyChasing: true });
  player.attachMediaElement(video);
  player.on(window.mpegts.Events.ERROR, () => { $('status').textContent = 'Waiting for the stream…'; });
  player.load();
  video.play().catch(() => undefined);
  state.player = player;
}

async function pick(room) {
  state.room = room;
  document.querySelectorAll('#rooms button').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.room === room.id)));
  $('status').textContent = room.live ? `● LIVE — ${room.name}` : `${room.name} — offline`;
  const session = await api(`/api/public/rooms/${room.id}/viewer-token`, { method: 'POST', body: '{}' });
  state.token = session.token;
  play(session.preview);
}

async function loadRooms() {
  const { rooms } = await api('/api/public/rooms');
  const list = $('rooms');
  list.replaceChildren(...rooms.map((room) => {
    const li = document.createElement('li');
    const b = document.createElement('button');
    b.dataset.room = room.id;
    b.type = 'button';
    const name = document.createElement('span');
    name.textContent = room.name;
    const badge = document.createElement('span');
    badge.className = `badge${room.live ? ' live' : ''}`;
    badge.textContent = room.live ? 'LIVE' : 'offline';
    b.append(name, badge);
    b.addEventListener('click', () => pick(room).catch((e) => { $('status').textContent = e.message; }));
    li.append(b);
    return li;
  }));
  $('rooms-empty').hidden = rooms.length > 0;
  const wanted = new URLSearchParams(location.search).get('room');
  const first = rooms.find((r) => r.id === wanted) ?? rooms.find((r) => r.live) ?? rooms[0];
  if (first && !state.room) await pick(first);
}

$('name').value = localStorage.getItem('livehost.name') ?? '';
$('ask').addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!state.room) return;
  const name = $('name').value.trim();
  localStorage.setItem('livehost.name', name);
  const userId = localStorage.getItem('livehost.uid') ?? crypto.randomUUID();
  localStorage.setItem('livehost.uid', userId);
  try {
    const r = await api(`/api/rooms/${state.room.id}/questions`, {
      method: 'POST', body: JSON.stringify({ user: { id: userId, name }, text: $('question').value }),
    });
    $('ask-result').textContent = r.status === 'duplicate' ? 'Someone asked that already — the host will answer it.' : 'Thanks! The host will answer on air.';
    $('question').value = '';
  } catch (e) {
    $('ask-result').textContent = `Could not send: ${e.message}`;
  }
});

loadRooms().catch((e) => { $('status').textContent = e.message; });
