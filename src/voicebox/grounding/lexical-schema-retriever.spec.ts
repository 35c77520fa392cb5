import { describe, expect, it } from 'vitest';
import type { GraphSchema } from '../../knowledge-graph/schema/graph-schema.js';
import { LexicalSchemaRetriever } from './lexical-schema-retriever.js';

const EX = 'http://example.org/';
const OTHER = 'http://other.example/';

/** A small used vocabulary beside a large unused one with words that compete. */
function schema(): GraphSchema {
  const distractors = Array.from({ length: 400 }, (_, i) => ({
    iri: `${OTHER}prop${i}`,
    kind: 'property' as const,
    label: `employee manager department thing ${i}`,
    comment: 'A property of a distracting vocabulary about employees and departments.',
    domains: [`${OTHER}Thing`],
    ranges: [],
  }));
  return {
    source: 'ontology',
    classes: [
      { iri: `${EX}Agent`, label: 'Agent', superClasses: [] },
      { iri: `${EX}Employee`, label: 'Employee', superClasses: [`${EX}Agent`] },
      { iri: `${EX}Department`, label: 'Department', superClasses: [] },
      { iri: `${OTHER}Thing`, label: 'Thing', superClasses: [] },
    ],
    properties: [
      {
        iri: `${EX}memberOf`,
        kind: 'object',
        label: 'member of',
        comment: 'The department someone works in.',
        domains: [`${EX}Employee`],
        ranges: [`${EX}Department`],
      },
      {
        iri: `${EX}email`,
        kind: 'datatype',
        label: 'email',
        domains: [`${EX}Agent`],
        ranges: ['http://www.w3.org/2001/XMLSchema#string'],
      },
      ...distractors,
    ],
    shapes: [],
    dataShapes: [],
    usage: {
      classes: { [`${EX}Employee`]: 40, [`${EX}Department`]: 5 },
      properties: { [`${EX}memberOf`]: 40, [`${EX}email`]: 40 },
    },
    extractedAt: '',
  };
}

describe('LexicalSchemaRetriever', () => {
  const retriever = new LexicalSchemaRetriever();

  it('keeps the used vocabulary the question needs ahead of a larger unused one, within budget', () => {
    const ctx = retriever.retrieve({
      question: 'In which department does Karen work?',
      schema: schema(),
      entities: [
        { iri: `${EX}karen`, label: 'Karen', types: [`${EX}Employee`], score: 1, matched: 'Karen' },
      ],
      budgetTokens: 300,
    });
    expect(ctx.properties).toEqual(expect.arrayContaining([`${EX}memberOf`, `${EX}email`]));
    expect(ctx.classes).toEqual(expect.arrayContaining([`${EX}Employee`, `${EX}Department`]));
    expect(ctx.tokens).toBeLessThanOrEqual(300);
    expect(ctx.text).toContain(
      `- <${EX}memberOf> : The department someone works in.; domain <${EX}Employee>; range <${EX}Department>`,
    );
    // Labels that only respell the local name are left out; XSD ranges are written short.
    expect(ctx.text).toContain(`- <${EX}email>; domain <${EX}Agent>; range xsd:string`);
  });

  it('ranks by the question’s words when nothing is used', () => {
    const s = { ...schema(), usage: undefined };
    const ctx = retriever.retrieve({
      question: 'thing 17',
      schema: s,
      entities: [],
      budgetTokens: 60,
    });
    expect(ctx.properties[0]).toBe(`${OTHER}prop17`);
  });

  it('serves data-derived class shapes for a graph without a declared schema', () => {
    const data: GraphSchema = {
      source: 'data',
      classes: [],
      properties: [],
      shapes: [],
      dataShapes: [
        {
          class: `${EX}Employee`,
          instances: 40,
          predicates: [
            {
              predicate: `${EX}memberOf`,
              count: 40,
              valueTypes: [{ type: `${EX}Department`, count: 40 }],
            },
          ],
        },
        { class: `${EX}Department`, instances: 5, predicates: [] },
      ],
      extractedAt: '',
    };
    const ctx = retriever.retrieve({
      question: 'Which employees are members of a department?',
      schema: data,
      entities: [],
      budgetTokens: 500,
    });
    expect(ctx.text).toContain(`- <${EX}Employee> (40): <${EX}memberOf> → <${EX}Department> (40)`);
    expect(ctx.classes).toEqual([`${EX}Employee`, `${EX}Department`]);
    expect(ctx.properties).toEqual([`${EX}memberOf`]);
  });
});
