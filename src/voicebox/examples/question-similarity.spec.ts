import { describe, expect, it } from 'vitest';
import { DIRECT_ANSWER_SCORE } from '../grounding/example-queries.js';
import { prepareQuestion, questionSimilarity } from './question-similarity.js';

const score = (a: string, b: string) => questionSimilarity(prepareQuestion(a), prepareQuestion(b));

describe('questionSimilarity', () => {
  it('scores the same question 1', () => {
    expect(score('In which department is Ms. Brant?', 'In which department is Ms. Brant?')).toBe(1);
  });

  it.each([
    ['in which department is ms brant', 'case and punctuation'],
    ['In which department is Ms. Brant ?!', 'punctuation'],
    ['Which department is Ms. Brant in?', 'filler words moved'],
    ['In which departmnt is Ms. Brant?', 'a typo in a long word'],
  ])('answers "%s" directly (%s)', (asked) => {
    expect(score(asked, 'In which department is Ms. Brant?')).toBeGreaterThanOrEqual(
      DIRECT_ANSWER_SCORE,
    );
  });

  it('ignores accents and possessives alike', () => {
    expect(score("Who is Jürgen's manager?", 'Who is Jurgen manager')).toBeGreaterThanOrEqual(
      DIRECT_ANSWER_SCORE,
    );
  });

  it.each([
    [
      'Who is the manager of Heinrich Koch?',
      'Who is the manager of Heinrich Hoch?',
      'another name',
    ],
    [
      'Which products of the catalogue of the company cost more than 200 euros in the shop?',
      'Which products of the catalogue of the company cost more than 100 euros in the shop?',
      'another number in a long question',
    ],
    ['Who does Karen Brant manage?', 'Who manages Karen Brant?', 'the relation reversed'],
    ['Who is not a manager?', 'Who is a manager?', 'a negation'],
    ['How many employees are in Marketing?', 'Which employees are in Marketing?', 'a count'],
  ])('keeps "%s" below the direct-answer score (%s)', (a, b) => {
    const s = score(a, b);
    expect(s).toBeLessThan(DIRECT_ANSWER_SCORE);
    expect(s).toBeGreaterThan(0.3);
  });

  it('ranks a related question above an unrelated one', () => {
    const stored = 'Who is the manager of Heinrich Hoch?';
    expect(score('Who manages Heinrich Hoch?', stored)).toBeGreaterThan(
      score('Which suppliers deliver resistors?', stored),
    );
  });

  it('scores an empty question 0', () => {
    expect(score('?!', 'Who is the manager of Heinrich Hoch?')).toBe(0);
  });
});
