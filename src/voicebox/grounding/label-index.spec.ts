import { describe, expect, it } from 'vitest';
import { LabelIndex, type NameRow } from './label-index.js';
import { contentWords, editDistance, localName, nameTokens } from './label-text.js';

const EX = 'http://example.org/';

describe('label text', () => {
  it('folds case, accents, ligatures and punctuation, and cuts plurals and possessives', () => {
    expect(nameTokens('Jürgen Straße-Müller')).toEqual(['jurgen', 'strasse', 'muller']);
    expect(nameTokens("Sensor Switches, Batteries & Boxes; Brant's")).toEqual([
      'sensor',
      'switch',
      'battery',
      'box',
      'brant',
    ]);
    expect(nameTokens('status analysis address')).toEqual(['status', 'analysis', 'address']);
  });

  it('drops function words and honorifics from a question, keeps acronyms', () => {
    expect(contentWords('In which department is Ms. Brant?').map((w) => w.norm)).toEqual([
      'department',
      'brant',
    ]);
    expect(contentWords('Which suppliers are in the US?').map((w) => w.raw)).toEqual([
      'suppliers',
      'US',
    ]);
    expect(contentWords('Where is Dr. Hoch, and Mr Adam?').map((w) => w.norm)).toEqual([
      'hoch',
      'adam',
    ]);
  });

  it('decodes IRI local names', () => {
    expect(localName('http://ld.company.org/prod-instances/empl-Karen.Brant%40company.org')).toBe(
      'empl Karen Brant company org',
    );
    expect(localName('http://dbpedia.org/resource/United_States')).toBe('United States');
    expect(localName('http://example.org/onto#hasPart')).toBe('hasPart');
    expect(localName('http://example.org/things/')).toBe('things');
    expect(localName('http://example.org/bad%zz')).toBe('bad%zz');
  });

  it('counts edits with transpositions and gives up past the limit', () => {
    expect(editDistance('brant', 'brandt', 2)).toBe(1);
    expect(editDistance('hienrich', 'heinrich', 2)).toBe(1);
    expect(editDistance('kitten', 'sitting', 2)).toBe(3);
  });
});

describe('LabelIndex', () => {
  const rows: NameRow[] = [
    { iri: `${EX}karen`, text: 'Karen Brant', source: 'label' },
    { iri: `${EX}karen`, text: `${EX}empl-Karen.Brant%40example.org`, source: 'iri' },
    { iri: `${EX}hr`, text: 'Human Resources', source: 'label' },
    { iri: `${EX}res`, text: 'Resources', source: 'label' },
    { iri: `${EX}w501`, text: 'W501-5990901', source: 'name' },
    { iri: `${EX}film`, text: 'Film Memristor Resonator Compensator', source: 'name' },
  ];
  const types = new Map([[`${EX}karen`, [`${EX}Employee`]]]);
  const index = LabelIndex.build(rows, types);
  const top = (q: string) => index.search(q, 3)[0]?.iri;

  it('ranks a full match above a partial one, labels first', () => {
    const [karen] = index.search('Karen Brant', 3);
    expect(karen).toMatchObject({
      iri: `${EX}karen`,
      label: 'Karen Brant',
      types: [`${EX}Employee`],
      matched: 'Karen Brant',
    });
    expect(top('resources')).toBe(`${EX}res`);
    expect(top('human resources')).toBe(`${EX}hr`);
  });

  it('matches typos, word prefixes, identifiers and initials', () => {
    expect(top('Karren Brnat')).toBe(`${EX}karen`);
    expect(top('memris compensat')).toBe(`${EX}film`);
    expect(top('w501-5990901')).toBe(`${EX}w501`);
    expect(top('Who works in HR?')).toBe(`${EX}hr`);
  });

  it('finds nothing for a question that names nothing', () => {
    expect(index.search('How many are there?', 5)).toEqual([]);
    expect(index.search('zebra', 5)).toEqual([]);
  });

  it('skips excluded IRIs and stays within its bound', () => {
    const bounded = LabelIndex.build(rows, types, { maxEntries: 2, exclude: new Set([`${EX}hr`]) });
    expect(bounded.size).toBe(2);
    expect(bounded.search('human resources', 5).map((e) => e.iri)).not.toContain(`${EX}hr`);
  });
});
