import { describe, expect, it } from 'vitest';
import { keepKnownLinks, settledPrefix } from './citations.js';

const KAREN = 'http://ld.company.org/prod-instances/empl-Karen.Brant%40company.org';

describe('keepKnownLinks', () => {
  it('keeps links to known IRIs and removes invented ones, keeping their text', () => {
    const r = keepKnownLinks(
      `[Karen Brant](${KAREN}) works in [Sales](http://invented.example/sales).`,
      new Set([KAREN]),
    );
    expect(r.text).toBe(`[Karen Brant](${KAREN}) works in Sales.`);
    expect(r.removed).toEqual(['http://invented.example/sales']);
  });

  it('treats %40 and @ as the same IRI, and accepts angle-bracketed targets', () => {
    const r = keepKnownLinks(
      '[Karen](<http://ld.company.org/prod-instances/empl-Karen.Brant@company.org>)',
      new Set([KAREN]),
    );
    expect(r.removed).toEqual([]);
  });
});

describe('settledPrefix', () => {
  it('holds back a link still being written', () => {
    expect(settledPrefix('Managed by [Heinrich](http://ld.co')).toBe('Managed by ');
    expect(settledPrefix('Managed by [Hein')).toBe('Managed by ');
  });

  it('shows complete links and bracketed text that is not a link', () => {
    expect(settledPrefix('See [a](b) and more')).toBe('See [a](b) and more');
    expect(settledPrefix('Items [1] and')).toBe('Items [1] and');
  });
});
