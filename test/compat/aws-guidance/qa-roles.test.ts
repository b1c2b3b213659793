import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../helpers/media.js';
import { startOpenAiServer, type OpenAiServer } from '../../helpers/openai-server.js';
import { segmentJobId } from '../../../workers/tts/tts-worker.js';
import { consoleItem, startCompat, until, type CompatServer } from './harness.js';

// What each role's persona makes the (local, OpenAI-compatible) model say.
const REPLIES: Array<[RegExp, string]> = [
  [/导游/, '欢迎来到外滩，这里的夜景最美。'],
  [/亚马逊云科技/, '亚马逊云科技提供两百多项云服务。'],
  [/expert on cars/, 'This car charges to eighty percent in twenty minutes.'],
  [/digital twin/, 'Hi, I am Ming, and I love a live show!'],
  [/医疗健康/, '每天走路三十分钟，对心脏很好。'],
  [/云计算讲师/, '云计算让资源按需使用。'],
];

const ROLES = [
  { role: 'role_tourist_guide', language: 'zh-CN', named: 'Simplified Chinese', voice: 'Zhiyu-CHN', catalog: 'zh-CN-female', character: 'rp_emma_female_white', persona: /导游/ },
  { role: 'role_expert_AWS', language: 'zh-CN', named: 'Simplified Chinese', voice: 'Zhiyu-CHN', catalog: 'zh-CN-female', character: 'rp_rin_female_asian', persona: /亚马逊云科技专家/ },
  { role: 'role_expert_auto_en', language: 'en-GB', named: 'English (British)', voice: 'UK-En-Male', catalog: 'en-GB-male', character: 'rp_brandon_male_white', persona: /expert on cars/ },
  { role: 'role_3D_avatar_en', language: 'en-GB', named: 'English (British)', voice: 'UK-En-Male', catalog: 'en-GB-male', character: 'rp_ming_male_asian', persona: /digital twin/ },
  { role: 'role_expert_auto_cn', language: 'zh-CN', named: 'Simplified Chinese', voice: 'Zhiyu-CHN', catalog: 'zh-CN-female', character: 'rp_deloris_female_asian', persona: /医疗健康专家/ },
] as const;

interface Item { text: string; voice: string; character: string; audio_path: string; random_id: string; playing: boolean; scene: string; index: string }

// The Q&A route against real workers answering through a local OpenAI-compatible model,
// in a room without a render host: the render module plays the answer.
describe('the Q&A route answers with the persona, language and voice of each role', () => {
  let c: CompatServer;
  let llm: OpenAiServer;
  let moduleToken: string;
  const poll = async (vrModule = '0001') =>
    (await c.call('GET', `get_material_metadata_to_be_played_bykey?vr_module=${vrModule}`, { token: moduleToken })).body as Item | 'noaction';

  beforeAll(async () => {
    llm = await startOpenAiServer({ reply: (messages) => REPLIES.find(([p]) => p.test(messages[0]?.content ?? ''))?.[1] ?? 'Unexpected persona.' });
    c = await startCompat({
      rooms: [{ id: 'mall', answers: 'openai' }, { id: 'kiosk', answers: 'kb' }], modules: { '0001': 'mall', '0002': 'kiosk' },
      workers: { OPENAI_BASE_URL: llm.url, OPENAI_API_KEY: 'sk-test', LIVEHOST_LLM_MODEL: 'test-model' },
    });
    moduleToken = c.srv.adminToken;
  }, 120_000);
  afterAll(async () => {
    await c?.close();
    await llm?.close();
  });

  const ask = (role: string, text: string, user: string, vrModule = '0001') =>
    c.call('POST', 'set_qa_metadata_bykey', { body: { ...consoleItem({ user_id: user, vr_module: vrModule }), text, role } });

  for (const [n, r] of ROLES.entries()) {
    it(`${r.role} answers in ${r.language} with ${r.voice}, and the module plays the answer`, async () => {
      const question = `Question ${n} for ${r.role}?`;
      const res = await ask(r.role, question, `viewer-${n}`);
      expect(res).toMatchObject({ status: 200, body: 'success' });

      // The model was asked with the role's persona and told the role's language.
      const sent = llm.requests.find((q) => q.body.messages.at(-1)?.content.includes(question))!;
      expect(sent.body.messages[0]!.content).toMatch(r.persona);
      expect(sent.body.messages[0]!.content).toContain(`Answer in ${r.named}`);
      const reply = REPLIES.find(([p]) => p.test(sent.body.messages[0]!.content))![1];

      // The moment the route says success, the poll has it.
      const item = await poll();
      expect(item).toMatchObject({ text: reply, voice: r.voice, character: r.character, scene: 'shoppingmall', playing: true });

      // Its lines were voiced in the role's language, with the role's voice.
      const q = (await c.srv.core.questions.list('mall')).find((x) => x.text === question)!;
      const job = await c.srv.core.queues.tts.getJob(segmentJobId(`${q.questionId}.0`));
      expect(job!.data).toMatchObject({ language: r.language, voice: { voice: r.catalog } });
      const durationMs = (job!.returnvalue as { durationMs: number }).durationMs;

      const res2 = await fetch((item as Item).audio_path);
      expect(res2.status).toBe(200);
      const file = path.join(c.dir, `${r.role}.mp3`);
      writeFileSync(file, Buffer.from(await res2.arrayBuffer()));
      const probed = JSON.parse((await run('ffprobe', ['-v', 'error', '-show_format', '-of', 'json', file])).toString());
      expect(probed.format.format_name).toBe('mp3');
      expect(Math.abs(Number(probed.format.duration) * 1000 - durationMs)).toBeLessThan(100);

      // livehost does not air it (no render host here), and says why.
      const settled = await until(async () => {
        const now = (await c.srv.core.questions.list('mall')).find((x) => x.questionId === q.questionId)!;
        return now.status === 'queued' ? undefined : now;
      }, 'the question settled');
      expect(settled).toMatchObject({ status: 'dropped', reason: expect.stringContaining('render module of vr_module 0001') });
    });
  }

  it('gives every answer its own random_id', async () => {
    const before = (await poll() as Item).random_id;
    await ask('role_expert_auto_en', 'Does it come in red?', 'viewer-red');
    const after = (await poll() as Item).random_id;
    expect(after).not.toBe(before);
  });

  it('answers with a persona an operator edited', async () => {
    const edited = await c.call('PUT', 'roles/role_expert_AWS', { body: { persona: '你是一名云计算讲师，名叫艾玛。' } });
    expect(edited.status).toBe(200);
    const res = await ask('role_expert_AWS', '什么是云计算？', 'viewer-edit');
    expect(res.body).toBe('success');
    expect((await poll() as Item).text).toBe('云计算让资源按需使用。');
    await c.call('PUT', 'roles/role_expert_AWS', { body: { persona: null } });
  });

  it('from the embedded knowledge base, a question it cannot answer gets the role\'s fallback, in the role\'s language', async () => {
    const res = await ask('role_tourist_guide', '火星上有地铁吗？', 'viewer-kb', '0002');
    expect(res.body).toBe('success');
    const item = await poll('0002');
    expect(item).toMatchObject({ text: '这个问题问得好，我稍后再为您解答。', voice: 'Zhiyu-CHN' });
  });

  it('tells a viewer who asks twice at once to wait, clearly', async () => {
    // Sent together: whichever arrives second is the one refused.
    const both = await Promise.all([ask('role_3D_avatar_en', 'Where are you from?', 'viewer-quick'), ask('role_3D_avatar_en', 'And what do you do?', 'viewer-quick')]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 429]);
    expect(both.find((r) => r.status === 429)!.body).toMatchObject({ error: { code: 'rate_limited', message: 'one question at a time, please' } });
  });
});
