import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

/** Runs a benchmark of bench/ on the built service (dist/) and returns its figures. */
async function bench<T>(script: string): Promise<T> {
  const { stdout } = await run(process.execPath, [`bench/${script}`, '--json'], {
    cwd: ROOT,
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as T;
}

interface GroundingFigures {
  linkRecallAtK: number;
  schemaRecall: number;
  contextTokensMean: number;
  misses: string[];
}

// Grounding without a model must not regress (issue 15): these fail the build when it does.
describe('grounding thresholds (bench/grounding.bench.js, bench/validation.bench.js)', () => {
  it('links ≥ 95% of the gold instance IRIs in the top 5 and retrieves ≥ 98% of the gold vocabulary, the context growing < 2× for a 100× ontology', async () => {
    const f = await bench<
      Record<string, GroundingFigures> & { ontologyGrowth: number; contextGrowth: number }
    >('grounding.bench.js');
    const alone = f.ck25;
    const big = f['ck25+schema.org+dbo'];
    for (const m of [alone, big]) {
      expect(m.linkRecallAtK, m.misses.join('\n')).toBeGreaterThanOrEqual(0.95);
      expect(m.schemaRecall, m.misses.join('\n')).toBeGreaterThanOrEqual(0.98);
    }
    expect(f.ontologyGrowth).toBeGreaterThan(100);
    expect(f.contextGrowth).toBeLessThan(2);
  }, 600_000);

  it('passes every gold query, catches wrong published queries, flags no correct one, and repairs never lower set-F1', async () => {
    const v = await bench<{
      goldPassed: number;
      gold: number;
      wrongCaught: number;
      wrong: number;
      correctFlagged: number;
      meanF1Before: number;
      meanF1After: number;
    }>('validation.bench.js');
    expect(v.goldPassed).toBe(v.gold);
    expect(v.wrongCaught / v.wrong).toBeGreaterThanOrEqual(0.4);
    expect(v.correctFlagged).toBe(0);
    expect(v.meanF1After).toBeGreaterThanOrEqual(v.meanF1Before);
  }, 600_000);
});
