import type { z } from 'zod';

export type JsonReply<T> = { ok: true; value: T } | { ok: false; problem: string };

/**
 * Reads a model's JSON answer. Models often wrap JSON in a markdown fence or a sentence, so the
 * outermost object (or array) is taken before parsing.
 */
export function parseJsonReply<T>(text: string, schema: z.ZodType<T>): JsonReply<T> {
  const candidate = extractJson(text);
  if (candidate === undefined) return { ok: false, problem: 'no JSON object found' };
  let json: unknown;
  try {
    json = JSON.parse(candidate);
  } catch (err) {
    return { ok: false, problem: `invalid JSON (${(err as Error).message})` };
  }
  const result = schema.safeParse(json);
  if (result.success) return { ok: true, value: result.data };
  const problem = result.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'} ${i.message}`)
    .join('; ');
  return { ok: false, problem: `does not match the expected shape: ${problem}` };
}

function extractJson(text: string): string | undefined {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(text);
  const body = (fenced ? fenced[1] : text).trim();
  const starts = [body.indexOf('{'), body.indexOf('[')].filter((i) => i >= 0);
  if (starts.length === 0) return undefined;
  const start = Math.min(...starts);
  const end = Math.max(body.lastIndexOf('}'), body.lastIndexOf(']'));
  return end > start ? body.slice(start, end + 1) : undefined;
}
