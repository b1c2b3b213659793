import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../helpers/media.js';
import { FakeHost } from '../../helpers/fake-host.js';
import { consoleItem, startCompat, until, type CompatServer } from './harness.js';

interface Item {
  demo_name: string; index: string; text: string; character: string; voice: string; scene: string; action: string; camera: string;
  voice_speed: string; vr_module: string; item_id: string; user_id: string; pic_path: string; audio_path: string; playing: boolean; random_id: string;
}

async function probe(file: string): Promise<{ format: string; codec: string; durationMs: number }> {
  const out = JSON.parse((await run('ffprobe', ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', file])).toString());
  return { format: out.format.format_name, codec: out.streams[0].codec_name, durationMs: Number(out.format.duration) * 1000 };
}

// The original console's and render module's traffic, against a real server and real
// workers (flite and espeak-ng synthesize every item), rooms without a render host: the
// legacy module is the renderer there. The last part adds a livehost render host.
describe('items from the console, played by the render module', () => {
  let c: CompatServer;
  let moduleToken: string;
  let zhModuleToken: string;
  let host: FakeHost;
  const poll = async (vrModule = '0001', token = moduleToken) =>
    (await c.call('GET', `get_material_metadata_to_be_played_bykey?vr_module=${vrModule}&token=${token}`, { token: null })).body as Item | 'noaction';
  const list = async () => (await c.call('POST', 'get_material_metadata_bykey', { body: { user_id: 'VR-demo' } })).body as { Items: Item[]; Count: number; ScannedCount: number };
  const download = async (url: string, name: string) => {
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/mpeg');
    const file = path.join(c.dir, name);
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    return probe(file);
  };

  beforeAll(async () => {
    c = await startCompat({
      rooms: [{ id: 'mall' }, { id: 'expo', language: 'zh-CN' }, { id: 'stage', placed: true }],
      modules: { '0001': 'mall', '0002': 'expo', '0003': 'stage' }, workers: {},
    });
    host = await FakeHost.connect(c.srv.wsUrl, await c.srv.token({ role: 'render-host', hostId: 'h1' }), { manual: true });
    await until(async () => (await c.srv.core.placement.lookup('stage')) ?? undefined, 'stage placed on the host');
    const issue = async (m: string) => ((await c.call('POST', 'vr_module_tokens', { body: { vr_module: m }, token: c.srv.adminToken })).body as { token: string }).token;
    moduleToken = await issue('0001');
    zhModuleToken = await issue('0002');
  }, 120_000);
  afterAll(async () => {
    host?.close();
    await c?.close();
  });

  it('creates an item, lists it back as the console sent it, then with its MP3 once synthesized', async () => {
    const sent = consoleItem({ id: '1700000000001' });
    const res = await c.call('POST', 'set_material_metadata', { body: sent });
    expect(res).toMatchObject({ status: 200, body: 'success' });
    const first = await list();
    expect(first.Count).toBe(1);
    expect(first.ScannedCount).toBe(1);
    expect(first.Items[0]).toMatchObject({
      demo_name: 'VR-demo', user_id: 'VR-demo', index: '1700000000001', text: sent.text, character: 'rp_rin_female_asian', scene: 'shoppingmall',
      voice: 'US-En-Female', action: 'Talk1', camera: 'front_stand', voice_speed: 'medium', vr_module: '0001', item_id: 'item1',
      pic_path: sent.image_url, playing: false, random_id: '',
    });
    // What it became in livehost: a library material with the mapped look.
    const material = await until(async () => {
      const m = (await c.srv.core.library.list('mall')).find((x) => x.tags.includes('aws-guidance'));
      return m?.status === 'ready' ? m : undefined;
    }, 'the material synthesized');
    expect(material).toMatchObject({ text: sent.text, look: { character: 'ava', scene: 'shopping-mall', camera: 'front', action: 'Talk1' }, panel: { imageUrl: sent.image_url }, voice: { voice: 'en-US-female' } });
    const listed = (await list()).Items[0]!;
    expect(listed.audio_path).toMatch(/\/compat\/aws-guidance\/prod\/media\/mp3\/[a-f0-9]{40}\.mp3\?sig=/);
    const mp3 = await download(listed.audio_path, 'listed.mp3');
    expect(mp3.format).toBe('mp3');
    expect(mp3.codec).toBe('mp3');
    expect(Math.abs(mp3.durationMs - material.durationMs!)).toBeLessThan(100);
  });

  it('starts it: the poll returns it with a new random_id at every start, the same item twice included', async () => {
    expect(await poll()).toBe('noaction');
    const started = await c.call('POST', 'VRplaybykey', { body: { id: '1700000000001', random_id: '1700000000999', vr_module: '0001' } });
    expect(started.status).toBe(200);
    expect(started.body).toEqual([expect.objectContaining({ index: '1700000000001', playing: true })]);
    const a = await poll();
    expect(a).toMatchObject({ index: '1700000000001', playing: true, vr_module: '0001' });
    const { random_id: first, audio_path: audio } = a as Item;
    const material = (await c.srv.core.library.list('mall')).find((x) => x.tags.includes('aws-guidance'))!;
    const mp3 = await download(audio, 'polled.mp3');
    expect(mp3.format).toBe('mp3');
    expect(Math.abs(mp3.durationMs - material.durationMs!)).toBeLessThan(100);
    expect((await poll() as Item).random_id).toBe(first);

    // The console sends the same random_id again: the start still gets a nonce of its own.
    await c.call('POST', 'VRplaybykey', { body: { id: '1700000000001', random_id: '1700000000999', vr_module: '0001' } });
    const second = (await poll() as Item).random_id;
    expect(second).not.toBe(first);
    await c.call('POST', 'VRplaybykey', { body: { id: 1700000000001, vr_module: '0001' } });
    const third = (await poll() as Item).random_id;
    expect(new Set([first, second, third]).size).toBe(3);
    const listed = (await list()).Items[0]!;
    expect(listed).toMatchObject({ playing: true, random_id: third });
  });

  it('stops when started with an id that matches nothing', async () => {
    const res = await c.call('POST', 'VRplaybykey', { body: { id: 'nothing-here', random_id: '1', vr_module: '0001' } });
    expect(res).toMatchObject({ status: 200, body: [] });
    expect(await poll()).toBe('noaction');
    expect((await list()).Items[0]).toMatchObject({ playing: false, random_id: '' });
  });

  it('is polled the moment its audio exists when it is started before it is synthesized', async () => {
    const sent = consoleItem({ id: '1700000000002', text: 'Fresh bread is on the second floor, next to the fountain.' });
    await c.call('POST', 'set_material_metadata', { body: sent });
    await c.call('POST', 'VRplaybykey', { body: { id: '1700000000002', vr_module: '0001' } });
    const seen: Array<Item | 'noaction'> = [];
    const item = await until(async () => {
      const p = await poll();
      seen.push(p);
      return p === 'noaction' ? undefined : p;
    }, 'the item on the poll');
    expect(item).toMatchObject({ index: '1700000000002', text: sent.text });
    expect(item.audio_path).not.toBe('');
    // Until then the module was told there was nothing to play, never an item without audio.
    expect(seen.slice(0, -1).every((p) => p === 'noaction')).toBe(true);
  });

  it('replacing an item resynthesizes it and stops it, as the original\'s put did', async () => {
    await until(async () => (await poll()) !== 'noaction' || undefined, 'item 2 playing');
    const before = (await c.srv.core.library.list('mall')).find((m) => m.text.startsWith('Fresh bread'))!;
    const res = await c.call('POST', 'set_material_metadata', { body: consoleItem({ id: '1700000000002', text: 'Fresh bread is now on the ground floor.', scene: 'supermarket' }) });
    expect(res.body).toBe('success');
    const after = await c.srv.core.library.get('mall', before.id);
    expect(after).toMatchObject({ text: 'Fresh bread is now on the ground floor.', version: before.version + 1, look: { scene: 'shopping-mall' } });
    expect(await poll()).toBe('noaction');
    expect((await list()).Items.find((i) => i.index === '1700000000002')).toMatchObject({ scene: 'supermarket', playing: false });
  });

  it('deletes an item from the console\'s request (index as a number), material and all', async () => {
    await c.call('POST', 'VRplaybykey', { body: { id: '1700000000002', vr_module: '0001' } });
    const material = (await c.srv.core.library.list('mall')).find((m) => m.text.startsWith('Fresh bread is now'))!;
    const res = await c.call('POST', 'delete_dynamodb_metadata', { body: { operation: 'delete', tableName: 'vr-demo', payload: { Key: { demo_name: 'VR-demo', index: 1700000000002 } } } });
    expect(res).toMatchObject({ status: 200, body: 'success' });
    expect((await list()).Items.map((i) => i.index)).toEqual(['1700000000001']);
    await expect(c.srv.core.library.get('mall', material.id)).rejects.toMatchObject({ code: 'not_found' });
    expect(await poll()).toBe('noaction');
    // And a start of it now is a stop.
    expect((await c.call('POST', 'VRplaybykey', { body: { id: '1700000000002', vr_module: '0001' } })).body).toEqual([]);
  });

  it('speaks a Chinese item with the Chinese voice in a Chinese room, as an MP3 of its length', async () => {
    const text = '欢迎光临，今天全场八折。';
    const res = await c.call('POST', 'set_material_metadata', { body: consoleItem({ id: 'zh-1', text, voice: 'Zhiyu-CHN', vr_module: '0002', character: 'rp_wang_female_asian', camera: 'side_stand' }) });
    expect(res.body).toBe('success');
    await c.call('POST', 'VRplaybykey', { body: { id: 'zh-1', vr_module: '0002' } });
    const item = await until(async () => {
      const p = await poll('0002', zhModuleToken);
      return p === 'noaction' ? undefined : p;
    }, 'the Chinese item on the poll');
    expect(item).toMatchObject({ text, voice: 'Zhiyu-CHN', camera: 'side_stand' });
    const material = (await c.srv.core.library.list('expo'))[0]!;
    expect(material.voice.voice).toBe('zh-CN-female');
    const { payload } = await c.srv.core.library.materialPayload('expo', material.id);
    expect(payload!.language).toBe('zh-CN');
    const mp3 = await download(item.audio_path, 'zh.mp3');
    expect(Math.abs(mp3.durationMs - material.durationMs!)).toBeLessThan(100);
    // A module's poll never shows another module's item.
    expect(await poll('0001')).toBe('noaction');
  });

  it('in a room with a livehost render host, a start goes on air through the director too, a stop stops it, and a question is answered on air', async () => {
    const text = 'The keynote starts in five minutes in hall three.';
    await c.call('POST', 'set_material_metadata', { body: consoleItem({ id: 'stage-1', text, vr_module: '0003' }) });
    const material = await until(async () => {
      const m = (await c.srv.core.library.list('stage'))[0];
      return m?.status === 'ready' ? m : undefined;
    }, 'the stage material synthesized');
    const started = await c.call('POST', 'VRplaybykey', { body: { id: 'stage-1', vr_module: '0003' } });
    expect(started.status).toBe(200);
    const segment = await host.started(0);
    expect(segment).toMatchObject({ room: 'stage', text, priority: 'urgent' });
    expect(segment.cues).toEqual(expect.arrayContaining([{ atMs: 0, command: { name: 'character', character: 'ava' } }, { atMs: 0, command: { name: 'scene', scene: 'shopping-mall' } }]));
    const view = await c.srv.core.show.view('stage');
    expect(view.onAir).toMatchObject({ text, source: { kind: 'say', materialId: material.id } });
    const moduleTokenStage = ((await c.call('POST', 'vr_module_tokens', { body: { vr_module: '0003' }, token: c.srv.adminToken })).body as { token: string }).token;
    expect(await poll('0003', moduleTokenStage)).toMatchObject({ index: 'stage-1', playing: true });

    await c.call('POST', 'VRplaybykey', { body: { id: 'nothing', vr_module: '0003' } });
    await until(async () => (host.client.frames.some((f) => f.type === 'speech.stop') ? true : undefined), 'the host told to stop');
    await until(async () => ((await c.srv.core.show.view('stage')).onAir === null ? true : undefined), 'nothing on air');
    expect(await poll('0003', moduleTokenStage)).toBe('noaction');

    // A question there is answered on air by livehost's host; the module is handed it as well.
    const asked = await c.call('POST', 'set_qa_metadata_bykey', { body: { ...consoleItem({ vr_module: '0003', user_id: 'stage-viewer' }), text: 'Is there parking?', role: 'role_expert_auto_en' } });
    expect(asked).toMatchObject({ status: 200, body: 'success' });
    const answer = await host.started(1);
    expect(answer).toMatchObject({ room: 'stage', priority: 'answer', text: 'That is a good question; let me come back to it in a moment.', language: 'en-GB' });
    expect(await poll('0003', moduleTokenStage)).toMatchObject({ text: answer.text, voice: 'UK-En-Male' });
    host.finish();
    const q = await until(async () => {
      const found = (await c.srv.core.questions.list('stage')).find((x) => x.text === 'Is there parking?');
      return found?.status === 'answered' ? found : undefined;
    }, 'the question answered on air');
    expect(q.answer).toBe(answer.text);
  });
});
