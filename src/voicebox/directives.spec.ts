import { describe, expect, it } from 'vitest';
import { parseDirectives } from './directives.js';

describe('parseDirectives', () => {
  it('takes known directives off the question, wherever they stand', () => {
    const p = parseDirectives('#debug Who manages   Heinrich Hoch? #chart');
    expect(p.question).toBe('Who manages Heinrich Hoch?');
    expect([...p.directives].sort()).toEqual(['chart', 'debug']);
  });

  it('is case-insensitive and leaves unknown hashtags and embedded hashes alone', () => {
    const p = parseDirectives('#DEBUG which products use C# or #rust? #debugger');
    expect(p.question).toBe('which products use C# or #rust? #debugger');
    expect([...p.directives]).toEqual(['debug']);
  });

  it('gives an empty set for a plain question', () => {
    expect(parseDirectives('How many employees?').directives.size).toBe(0);
  });
});
