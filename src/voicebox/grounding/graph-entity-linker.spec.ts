import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goldQuestions, goldTerms } from '../../../test/knowledge-graph/ck25-gold.js';
import { openCk25Store, type Ck25Store } from '../../../test/knowledge-graph/ck25-store.js';
import { DEMO_TARGET } from '../../knowledge-graph/demo-target.js';
import type { KnowledgeGraphService } from '../../knowledge-graph/knowledge-graph.service.js';
import type { GraphSchema } from '../../knowledge-graph/schema/graph-schema.js';
import { GraphEntityLinker } from './graph-entity-linker.js';
import { schemaTerms } from './graph-names.js';

const PI = 'http://ld.company.org/prod-instances/';
const KAREN = `${PI}empl-Karen.Brant%40company.org`;
const HEINRICH = `${PI}empl-Heinrich.Hoch%40company.org`;

/** The service's two grounding calls, answered by the embedded CK25 store; counts the selects. */
function ck25Graph(ck25: Ck25Store, schema: { current: GraphSchema }) {
  const graph = {
    selects: 0,
    schema: () => Promise.resolve(schema.current),
    select: async (_t: unknown, sparql: string) => {
      graph.selects++;
      return (await ck25.query(sparql)).results?.bindings ?? [];
    },
  };
  return graph;
}

describe('GraphEntityLinker on CK25 (label index)', () => {
  let ck25: Ck25Store;
  let linker: GraphEntityLinker;
  let graph: ReturnType<typeof ck25Graph>;
  const schema = { current: undefined as unknown as GraphSchema };

  beforeAll(async () => {
    ck25 = await openCk25Store();
    schema.current = await ck25.schema();
    graph = ck25Graph(ck25, schema);
    linker = new GraphEntityLinker(
      graph as unknown as KnowledgeGraphService,
      pino({ level: 'silent' }),
    );
    // The first question builds the index (a few seconds on a busy machine).
    await linker.link({ question: 'warm-up', target: DEMO_TARGET, ctx: {} });
  }, 60_000);
  afterAll(() => ck25?.close());

  const link = (question: string, limit = 5) =>
    linker.link({ question, target: DEMO_TARGET, ctx: {}, limit });
  const iris = async (question: string, limit = 5) =>
    (await link(question, limit)).map((e) => e.iri);

  it('finds "Ms. Brant" among the two Brants, with label and type', async () => {
    const found = await link('In which department is Ms. Brant?');
    expect(
      found
        .slice(0, 2)
        .map((e) => e.label)
        .sort(),
    ).toEqual(['Karen Brant', 'Sylvester Brant']);
    const top = found.find((e) => e.iri === KAREN)!;
    expect(top).toMatchObject({
      iri: KAREN,
      label: 'Karen Brant',
      types: ['http://ld.company.org/prod-vocab/Employee'],
    });
    expect(top.matched).toBe('Brant');
    expect(top.score).toBeGreaterThan(0);
    expect(top.score).toBeLessThanOrEqual(1);
  });

  it('ignores case, accents, punctuation, honorifics and possessives', async () => {
    for (const q of [
      "What is MS KAREN BRANT's department?",
      'Where does Dr. Kären Bránt work?',
      'karen-brant?',
      "Mrs Karen Brant's manager",
      "Karen Brants' office",
    ]) {
      expect((await iris(q, 1))[0], q).toBe(KAREN);
    }
  });

  it('tolerates typos and partial names', async () => {
    expect((await iris('Who manages Heinrich Hoh?', 1))[0]).toBe(HEINRICH);
    expect((await iris('Who manages Hienrich Hoch?', 1))[0]).toBe(HEINRICH);
    expect((await iris('Who manages Heinr Hoch?', 1))[0]).toBe(HEINRICH);
    expect((await iris('Who is Karen Brandt?', 1))[0]).toBe(KAREN);
  });

  it('matches plurals, identifiers and decoded IRI local names', async () => {
    expect(await iris('Who has expertise in Transistors?')).toContain(`${PI}prod-cat-Transistor`);
    expect(await iris('How many Sensor Switches do we offer?')).toEqual(
      expect.arrayContaining([`${PI}prod-cat-Sensor`, `${PI}prod-cat-Switch`]),
    );
    // An identifier (pv:id) and an IRI's local name with its %40 decoded.
    expect((await iris('What is U990-5234138?', 1))[0]).toBe(`${PI}hw-U990-5234138`);
    expect((await iris('karen.brant@company.org', 1))[0]).toBe(KAREN);
  });

  it('finds an unlabelled value by its IRI and an acronym by its initials', async () => {
    expect(await iris('Which products come from US suppliers?')).toContain(
      'http://dbpedia.org/resource/United_States',
    );
  });

  it('never offers the schema’s own classes and properties', async () => {
    const found = await iris('Which department has the most employees?', 10);
    expect(found).not.toContain('http://ld.company.org/prod-vocab/Department');
    expect(found).not.toContain('http://ld.company.org/prod-vocab/Employee');
  });

  it('finds at least 95% of the dev gold queries’ instance IRIs in the top 5', async () => {
    let wanted = 0;
    let found = 0;
    const missed: string[] = [];
    for (const q of goldQuestions()) {
      const gold = goldTerms(q.sparql, schemaTerms(schema.current)).instances;
      const top = await iris(q.question, 5);
      for (const g of gold) {
        wanted++;
        if (top.includes(g)) found++;
        else missed.push(`${q.id}: ${g}`);
      }
    }
    expect(wanted).toBeGreaterThan(10);
    expect(found / wanted, missed.join('\n')).toBeGreaterThanOrEqual(0.95);
  });

  it('builds its index once per schema and again when the schema is reloaded', async () => {
    await link('Ms. Brant');
    const before = graph.selects;
    await link('Heinrich Hoch');
    expect(graph.selects).toBe(before);
    schema.current = { ...schema.current };
    await link('Heinrich Hoch');
    expect(graph.selects).toBe(before + 3);
  });
});
