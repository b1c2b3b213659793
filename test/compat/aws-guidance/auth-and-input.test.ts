import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, startServer } from '../../helpers/server.js';
import { consoleItem, PREFIX, startCompat, until, type CompatServer } from './harness.js';

// No workers: nothing here needs audio. Real server, real Redis, real sockets.
describe('the AWS guidance adapter refuses what it should', () => {
  let c: CompatServer;
  let moduleToken: string;
  let otherModuleToken: string;

  const ROUTES: Array<{ method: string; route: string; body?: unknown }> = [
    { method: 'POST', route: 'set_material_metadata', body: consoleItem() },
    { method: 'POST', route: 'get_material_metadata_bykey', body: { user_id: 'VR-demo' } },
    { method: 'GET', route: 'get_material_metadata_to_be_played_bykey?vr_module=0001' },
    { method: 'POST', route: 'VRplaybykey', body: { id: '1', random_id: '2', vr_module: '0001' } },
    { method: 'POST', route: 'delete_dynamodb_metadata', body: { operation: 'delete', tableName: 'vr-demo', payload: { Key: { demo_name: 'VR-demo', index: '1' } } } },
    { method: 'GET', route: 'get_img_upload_presign_url' },
    { method: 'POST', route: 'set_qa_metadata_bykey', body: { ...consoleItem(), text: 'Hi?', role: 'role_tourist_guide' } },
    { method: 'POST', route: 'vr_module_tokens', body: { vr_module: '0001' } },
    { method: 'GET', route: 'roles' },
    { method: 'PUT', route: 'roles/role_tourist_guide', body: { persona: 'x' } },
  ];

  beforeAll(async () => {
    c = await startCompat({
      rooms: [{ id: 'mall' }, { id: 'expo' }], modules: { '0001': 'mall', '0002': 'expo' },
      config: { compatAwsGuidanceCorsOrigins: ['https://console.example'] },
    });
    const issue = async (vrModule: string) => (await c.call('POST', 'vr_module_tokens', { body: { vr_module: vrModule }, token: c.srv.adminToken })).body as { token: string };
    moduleToken = (await issue('0001')).token;
    otherModuleToken = (await issue('0002')).token;
  });
  afterAll(async () => c.close());

  for (const r of ROUTES) {
    it(`${r.method} ${r.route.split('?')[0]} refuses a missing, a malformed and a wrong token`, async () => {
      for (const headers of [{}, { authorization: 'Token abc' }, { authorization: 'Bearer not-a-jwt' }] as Array<Record<string, string>>) {
        const res = await c.call(r.method, r.route, { body: r.body, token: null, headers });
        expect(res.status, JSON.stringify(headers)).toBe(401);
        expect(res.body).toMatchObject({ error: { code: 'unauthorized' } });
      }
    });
  }

  it('takes a token in the URL only on the poll, and only the one bound to that vr_module', async () => {
    expect((await c.call('GET', `get_material_metadata_to_be_played_bykey?vr_module=0001&token=${moduleToken}`, { token: null })).body).toBe('noaction');
    const other = await c.call('GET', `get_material_metadata_to_be_played_bykey?vr_module=0001&token=${otherModuleToken}`, { token: null });
    expect(other.status).toBe(403);
    expect(other.body).toMatchObject({ error: { message: expect.stringContaining('another vr_module') } });
    // A general token does not travel in URLs, even an admin's.
    expect((await c.call('GET', `get_material_metadata_to_be_played_bykey?vr_module=0001&token=${c.srv.adminToken}`, { token: null })).status).toBe(403);
    // Elsewhere a URL token is no token at all.
    expect((await c.call('POST', `get_material_metadata_bykey?token=${moduleToken}`, { body: { user_id: 'VR-demo' }, token: null })).status).toBe(401);
    // And a module token opens nothing but its poll.
    expect((await c.call('POST', 'get_material_metadata_bykey', { body: { user_id: 'VR-demo' }, token: moduleToken })).status).toBe(403);
    expect((await c.call('POST', 'VRplaybykey', { body: { id: '1', vr_module: '0001' }, token: moduleToken })).status).toBe(403);
  });

  it('stops honouring a module token once it is revoked (within a second)', async () => {
    const issued = (await c.call('POST', 'vr_module_tokens', { body: { vr_module: '0001' }, token: c.srv.adminToken })).body as { token: string; tokenId: string; poll_url: string };
    expect(issued.poll_url).toContain(`${PREFIX}get_material_metadata_to_be_played_bykey?vr_module=0001&token=`);
    expect((await c.call('GET', issued.poll_url, { token: null })).status).toBe(200);
    // Listed with the other tokens, and revoked like them.
    const listed = await fetch(`${c.srv.url}/api/tokens`, { headers: { authorization: `Bearer ${c.srv.adminToken}` } });
    expect(((await listed.json()) as { tokens: Array<{ tokenId: string; label: string; role: string }> }).tokens.find((t) => t.tokenId === issued.tokenId))
      .toMatchObject({ label: 'aws-guidance vr_module 0001', role: 'viewer' });
    const revoked = await fetch(`${c.srv.url}/api/tokens/${issued.tokenId}`, { method: 'DELETE', headers: { authorization: `Bearer ${c.srv.adminToken}` } });
    expect(revoked.status).toBe(200);
    const refused = await until(async () => {
      const res = await c.call('GET', issued.poll_url, { token: null });
      return res.status === 200 ? undefined : res;
    }, 'the revoked token refused', 10_000);
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ error: { message: 'token revoked' } });
  });

  it('keeps an operator to the rooms of its token, and names a vr_module that is not configured', async () => {
    const mallOnly = await c.srv.token({ role: 'operator', rooms: ['mall'] });
    const denied = await c.call('POST', 'set_material_metadata', { body: consoleItem({ vr_module: '0002' }), token: mallOnly });
    expect(denied.status).toBe(403);
    expect((await c.call('GET', 'get_material_metadata_to_be_played_bykey?vr_module=0002', { token: mallOnly })).status).toBe(403);
    const unknown = await c.call('POST', 'set_material_metadata', { body: consoleItem({ vr_module: '0009' }) });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error: { message: expect.stringContaining('vr_module 0009 is not configured') } });
    // Only admins hand out module tokens.
    expect((await c.call('POST', 'vr_module_tokens', { body: { vr_module: '0001' } })).status).toBe(403);
  });

  it.each([
    ['character', 'rp_nobody', 'rp_rin_female_asian'],
    ['scene', 'moon', 'shoppingmall'],
    ['voice', 'Klingon-Male', 'Zhiyu-CHN'],
    ['camera', 'drone', 'side_stand'],
    ['action', 'Dance', 'Talk4'],
    ['voice_speed', 'ludicrous', 'x-slow'],
  ])('answers an unknown %s with 400 listing the known ones', async (field, value, known) => {
    const res = await c.call('POST', 'set_material_metadata', { body: consoleItem({ [field]: value }) });
    expect(res.status).toBe(400);
    const message = (res.body as { error: { message: string } }).error.message;
    expect(message).toContain(`unknown ${field} "${value}"`);
    expect(message).toContain(known);
  });

  it('answers an unknown role with 400 listing the five roles, and asks nothing', async () => {
    const res = await c.call('POST', 'set_qa_metadata_bykey', { body: { ...consoleItem(), text: 'Where is the exit?', role: 'role_pirate' } });
    expect(res.status).toBe(400);
    const message = (res.body as { error: { message: string } }).error.message;
    for (const role of ['role_tourist_guide', 'role_expert_AWS', 'role_expert_auto_en', 'role_3D_avatar_en', 'role_expert_auto_cn']) expect(message).toContain(role);
    expect(await c.srv.core.questions.list('mall')).toEqual([]);
  });

  it('refuses a voice of another language than the room speaks, and says how to fix it', async () => {
    const res = await c.call('POST', 'set_material_metadata', { body: consoleItem({ voice: 'Zhiyu-CHN' }) });
    expect(res.status).toBe(400);
    expect((res.body as { error: { message: string } }).error.message).toMatch(/Zhiyu-CHN speaks zh-CN.*room mall, which speaks en-US.*US-En-Male or US-En-Female/);
  });

  it('refuses bodies that are not the console\'s: unknown fields, bad JSON, text bodies', async () => {
    expect((await c.call('POST', 'set_material_metadata', { body: consoleItem({ TableName: 'vr-demo' }) })).status).toBe(400);
    const badJson = await fetch(`${c.srv.url}${PREFIX}set_material_metadata`, { method: 'POST', headers: { authorization: `Bearer ${c.operator}`, 'content-type': 'application/json' }, body: '{"id":' });
    expect(badJson.status).toBe(400);
    const text = await fetch(`${c.srv.url}${PREFIX}set_material_metadata`, { method: 'POST', headers: { authorization: `Bearer ${c.operator}`, 'content-type': 'text/plain' }, body: 'hi' });
    expect(text.status).toBe(415);
  });

  it.each([
    ['a put', { operation: 'create', tableName: 'vr-demo', payload: { Item: { demo_name: 'VR-demo', index: '1' } } }, 'does not run operation "create"'],
    ['another table', { operation: 'delete', tableName: 'users', payload: { Key: { demo_name: 'VR-demo', index: '1' } } }, 'names no table but "vr-demo"'],
    ['a condition', { operation: 'delete', tableName: 'vr-demo', payload: { Key: { demo_name: 'VR-demo', index: '1' }, ConditionExpression: 'attribute_exists(x)' } }, 'payload with a Key and nothing else'],
    ['another key', { operation: 'delete', tableName: 'vr-demo', payload: { Key: { demo_name: 'VR-demo', index: '1', user: 'x' } } }, 'exactly demo_name and index'],
    ['a scan', { operation: 'scan', tableName: 'vr-demo', payload: {} }, 'does not run operation "scan"'],
  ])('the delete route refuses %s with 400 and says what it takes', async (_what, body, message) => {
    const res = await c.call('POST', 'delete_dynamodb_metadata', { body });
    expect(res.status).toBe(400);
    expect((res.body as { error: { message: string } }).error.message).toContain(message);
  });

  it('answers a delete of an item that does not exist with 404', async () => {
    const res = await c.call('POST', 'delete_dynamodb_metadata', { body: { operation: 'delete', tableName: 'vr-demo', payload: { Key: { demo_name: 'VR-demo', index: 123 } } } });
    expect(res.status).toBe(404);
  });

  it('answers a preflight from an allowed origin, and CORS headers on every answer to it (errors too)', async () => {
    const pre = await fetch(`${c.srv.url}${PREFIX}set_material_metadata`, {
      method: 'OPTIONS', headers: { origin: 'https://console.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://console.example');
    expect(pre.headers.get('access-control-allow-methods')).toContain('POST');
    expect(pre.headers.get('access-control-allow-headers')).toContain('authorization');
    expect(pre.headers.get('vary')).toContain('Origin');
    const refused = await c.call('POST', 'get_material_metadata_bykey', { body: { user_id: 'x' }, token: null, headers: { origin: 'https://console.example' } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe('https://console.example');
    const ok = await c.call('POST', 'get_material_metadata_bykey', { body: { user_id: 'x' }, headers: { origin: 'https://console.example' } });
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://console.example');
  });

  it('gives an origin it does not allow no CORS headers, so the browser blocks it', async () => {
    const pre = await fetch(`${c.srv.url}${PREFIX}VRplaybykey`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    const res = await c.call('POST', 'get_material_metadata_bykey', { body: { user_id: 'x' }, headers: { origin: 'https://evil.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('with "*" configured, allows any origin', async () => {
    const any = await startServer({ compatAwsGuidance: true, compatAwsGuidanceModules: { '0001': 'mall' }, compatAwsGuidanceCorsOrigins: ['*'] });
    try {
      const pre = await fetch(`${any.url}${PREFIX}get_material_metadata_to_be_played_bykey`, { method: 'OPTIONS', headers: { origin: 'https://anywhere.example', 'access-control-request-method': 'GET' } });
      expect(pre.status).toBe(204);
      expect(pre.headers.get('access-control-allow-origin')).toBe('*');
      expect(pre.headers.get('access-control-allow-methods')).toContain('GET');
    } finally {
      await cleanup(any);
    }
  });

  it('takes a picture once through its upload URL, checking type and bytes, and serves it at the Key', async () => {
    const { body } = await c.call('GET', 'get_img_upload_presign_url', { headers: { 'content-type': 'text/octet-stream' } });
    const { uploadURL, Key } = body as { uploadURL: string; Key: string };
    expect(Key).toMatch(/^material\/image\/[a-f0-9]{32}\.jpg$/);
    expect(uploadURL.startsWith(`${c.srv.url}${PREFIX}media/${Key}?`)).toBe(true);
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2000, 7)]);
    const put = (data: Buffer, type: string, url = uploadURL) => fetch(url, { method: 'PUT', headers: { 'content-type': type }, body: new Uint8Array(data) });
    expect((await put(jpeg, 'image/png')).status).toBe(415);
    expect((await put(Buffer.from('<svg onload="alert(1)"/>'), 'image/jpeg')).status).toBe(415);
    expect((await put(Buffer.alloc(6 * 1024 * 1024, 0xff), 'image/jpeg')).status).toBe(413);
    const forged = uploadURL.replace(/sig=[^&]+/, 'sig=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    expect((await put(jpeg, 'image/jpeg', forged)).status).toBe(403);
    expect((await put(jpeg, 'image/jpeg')).status).toBe(200);
    expect((await put(jpeg, 'image/jpeg')).status).toBe(403);
    const got = await fetch(`${c.srv.url}${PREFIX}media/${Key}`);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await got.arrayBuffer()).equals(jpeg)).toBe(true);
    expect((await fetch(`${c.srv.url}${PREFIX}media/material/image/${'0'.repeat(32)}.jpg`)).status).toBe(404);
    expect((await c.call('GET', 'get_img_upload_presign_url?content_type=text/html')).status).toBe(400);
  });

  it('refuses an audio URL whose signature is not its own', async () => {
    const res = await fetch(`${c.srv.url}${PREFIX}media/mp3/${'a'.repeat(40)}.mp3?sig=${'b'.repeat(32)}`);
    expect(res.status).toBe(403);
    expect((await fetch(`${c.srv.url}${PREFIX}media/mp3/${'a'.repeat(40)}.mp3`)).status).toBe(403);
  });

  it('edits a role\'s persona and puts it back', async () => {
    const edited = await c.call('PUT', 'roles/role_expert_AWS', { body: { persona: '你是一名云计算讲师。' } });
    expect(edited.body).toMatchObject({ role: 'role_expert_AWS', persona: '你是一名云计算讲师。', edited: true, language: 'zh-CN' });
    const reset = await c.call('PUT', 'roles/role_expert_AWS', { body: { persona: null } });
    expect(reset.body).toMatchObject({ edited: false });
    expect((await c.call('PUT', 'roles/role_chef', { body: { persona: 'x' } })).status).toBe(400);
  });
});

describe('the AWS guidance adapter with S3 holding the assets', () => {
  it('hands out a presigned S3 PUT for a picture, under the asset prefix, with its type signed', async () => {
    const env = { LIVEHOST_ASSET_STORE: 's3', LIVEHOST_S3_BUCKET: 'livehost-assets', LIVEHOST_S3_PREFIX: 'assets/', AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    const srv = await startServer({ compatAwsGuidance: true, compatAwsGuidanceModules: { '0001': 'mall' } });
    try {
      const res = await fetch(`${srv.url}${PREFIX}get_img_upload_presign_url?content_type=image/png&size=2048`, { headers: { authorization: `Bearer ${srv.adminToken}` } });
      expect(res.status).toBe(200);
      const { uploadURL, Key } = await res.json() as { uploadURL: string; Key: string };
      expect(Key).toMatch(/^material\/image\/[a-f0-9]{32}\.png$/);
      const url = new URL(uploadURL);
      expect(`${url.origin}${url.pathname}`).toBe(`https://livehost-assets.s3.eu-west-1.amazonaws.com/assets/${Key}`);
      expect(url.searchParams.get('X-Amz-SignedHeaders')!.split(';')).toEqual(expect.arrayContaining(['content-length', 'content-type', 'host']));
      expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
      const tooBig = await fetch(`${srv.url}${PREFIX}get_img_upload_presign_url?size=${6 * 1024 * 1024}`, { headers: { authorization: `Bearer ${srv.adminToken}` } });
      expect(tooBig.status).toBe(413);
    } finally {
      await cleanup(srv);
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
    }
  });
});

describe('the AWS guidance adapter switched off', () => {
  it('is not there at all', async () => {
    const srv = await startServer();
    try {
      const res = await fetch(`${srv.url}${PREFIX}get_material_metadata_to_be_played_bykey?vr_module=0001`, { headers: { authorization: `Bearer ${srv.adminToken}` } });
      expect(res.status).toBe(404);
    } finally {
      await cleanup(srv);
    }
  });
});
