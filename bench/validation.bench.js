/* global process, console */
// The SPARQL validator without a model, on the nine published systems' real queries for the CK25
// dev questions (bench/data/ck25, CC BY-SA 4.0 / CC BY 4.0): gold queries pass, wrong published
// queries caught before they run, correct ones flagged, mean set-F1 (against the gold query's own
// result on this engine) before and after the repairs that need no model.
//   npm run bench:validation           (builds first; `-- --json` prints the figures as JSON)
import { devQuestions, measureValidation, openGraph, systemQueries } from './grounding-measures.js';

const g = await openGraph();
const m = await measureValidation(g, await devQuestions(), await systemQueries());
if (process.argv.includes('--json')) {
  console.log(JSON.stringify(m));
} else {
  console.log(`gold queries passing: ${m.goldPassed}/${m.gold}`);
  console.log(`published queries scored: ${m.published} (questions whose gold query runs here)`);
  console.log(`wrong published queries caught before running: ${m.wrongCaught}/${m.wrong}`);
  console.log(`correct published queries flagged: ${m.correctFlagged}/${m.correct}`);
  console.log(`queries mended without a model: ${m.repaired}`);
  console.log(`mean set-F1: ${m.meanF1Before.toFixed(3)} → ${m.meanF1After.toFixed(3)}`);
}
