import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseJsonReply } from './json-reply.js';

const schema = z.object({ answer: z.string() });

describe('parseJsonReply', () => {
  it('takes the object out of a fence or surrounding prose', () => {
    expect(parseJsonReply('```json\n{"answer":"a"}\n```', schema)).toEqual({
      ok: true,
      value: { answer: 'a' },
    });
    expect(parseJsonReply('Here you go: {"answer":"b"} Hope it helps.', schema)).toEqual({
      ok: true,
      value: { answer: 'b' },
    });
  });

  it('names the problem: no JSON, broken JSON, or the wrong shape', () => {
    expect(parseJsonReply('no json here', schema)).toEqual({
      ok: false,
      problem: 'no JSON object found',
    });
    const broken = parseJsonReply('{"answer": }', schema);
    expect(broken.ok).toBe(false);
    expect(!broken.ok && broken.problem).toMatch(/^invalid JSON/);
    const shape = parseJsonReply('{"answer": 1}', schema);
    expect(!shape.ok && shape.problem).toMatch(/answer/);
  });
});
