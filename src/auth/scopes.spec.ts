import { describe, expect, it } from 'vitest';
import { sameSecret } from './credentials.js';
import { missingScopes, scopesOf } from './scopes.js';

describe('scopesOf', () => {
  it('reads an array (Okta scp) and a space-separated string (scope)', () => {
    expect(scopesOf({ scp: ['a', 'b'] }, ['scp'])).toEqual(['a', 'b']);
    expect(scopesOf({ scope: ' a  b ' }, ['scp', 'scope'])).toEqual(['a', 'b']);
  });

  it('takes the first claim present, and ignores non-string entries', () => {
    expect(scopesOf({ scp: ['x', 7], scope: 'y' }, ['scp', 'scope'])).toEqual(['x']);
    expect(scopesOf({ scope: 'y' }, ['scp'])).toEqual([]);
    expect(scopesOf({ scp: { a: 1 } }, ['scp'])).toEqual([]);
  });

  it('lists the missing required scopes', () => {
    expect(missingScopes(['a', 'b'], ['b', 'c'])).toEqual(['c']);
    expect(missingScopes([], [])).toEqual([]);
  });
});

describe('sameSecret', () => {
  it('matches only the identical secret', () => {
    expect(sameSecret('abcdefghijklmnop', 'abcdefghijklmnop')).toBe(true);
    expect(sameSecret('abcdefghijklmno', 'abcdefghijklmnop')).toBe(false);
    expect(sameSecret('abcdefghijklmnopq', 'abcdefghijklmnop')).toBe(false);
    expect(sameSecret('', 'abcdefghijklmnop')).toBe(false);
  });
});
