import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAiWireServer } from '../support/llm-wire/openai-wire-server.js';
import {
  KAREN,
  PV,
  answerReply,
  post,
  promptsOf,
  sparqlReply,
  startVoicebox,
  type VoiceboxTestApp,
} from '../voicebox/voicebox-kit.js';

describe('grounding through the HTTP API (scripted model)', () => {
  let wire: OpenAiWireServer;
  let t: VoiceboxTestApp;
  beforeAll(async () => {
    wire = await OpenAiWireServer.start();
    t = await startVoicebox(wire);
  });
  afterAll(async () => {
    await t?.close();
    await wire?.close();
  });

  it('puts the gold entity, with label and class, and the gold vocabulary in the generation prompt', async () => {
    wire.reply(
      sparqlReply(`SELECT ?d WHERE { <${KAREN}> <${PV}memberOf> ?d . ?d a <${PV}Department> }`),
      answerReply('Marketing.'),
    );
    const res = await post(t, 'ask', { query: 'In which department is Ms. Brant?' });
    expect(res.statusCode).toBe(200);
    const [generation] = promptsOf(wire);
    expect(generation).toContain(`"Brant" → <${KAREN}> (Karen Brant; <${PV}Employee>)`);
    expect(generation).toContain(`<${PV}memberOf>`);
    expect(generation).toContain(`<${PV}Department>`);
  });
});
