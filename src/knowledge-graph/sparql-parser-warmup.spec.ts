import sparqljs from 'sparqljs';
import { describe, expect, it } from 'vitest';
import type { EmbeddedStore } from './embedded/embedded-store.js';
import { KnowledgeGraphModule } from './knowledge-graph.module.js';
import { warmSparqlParser } from './sparql-parser-warmup.js';

describe('SPARQL parser warm-up at boot', () => {
  it('runs the parse and the regeneration the gate runs on every ask', () => {
    const calls = { parse: 0, stringify: 0 };
    // sparqljs's constructors return plain objects, so wrap what they return, not their prototypes.
    function CountingParser(...args: ConstructorParameters<typeof sparqljs.Parser>) {
      const parser = new sparqljs.Parser(...args);
      return {
        parse: (...p: Parameters<typeof parser.parse>) => {
          calls.parse++;
          return parser.parse(...p);
        },
      };
    }
    function CountingGenerator(...args: ConstructorParameters<typeof sparqljs.Generator>) {
      const generator = new sparqljs.Generator(...args);
      return {
        stringify: (...g: Parameters<typeof generator.stringify>) => {
          calls.stringify++;
          return generator.stringify(...g);
        },
      };
    }
    const lib = { ...sparqljs, Parser: CountingParser, Generator: CountingGenerator };

    const ms = warmSparqlParser(lib as unknown as typeof sparqljs);

    expect(ms).toBeGreaterThan(0);
    // The text as written, then the regenerated text with the LIMIT imposed.
    expect(calls).toEqual({ parse: 2, stringify: 1 });
  });

  it('is part of the bootstrap preload, next to starting the embedded store', () => {
    let started = 0;
    const embedded = {
      start: () => {
        started++;
        return Promise.resolve();
      },
    } as unknown as EmbeddedStore;

    const warm = new KnowledgeGraphModule(embedded).preload();

    expect(started).toBe(1);
    expect(warm.sparqlWarmUpMs).toBeGreaterThan(0);
  });
});
