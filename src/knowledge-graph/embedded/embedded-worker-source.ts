/**
 * The worker that owns the embedded oxigraph store. oxigraph's JS binding is synchronous WASM: a long
 * query would block whichever thread runs it, so the store lives in a worker thread that the host can
 * terminate when a query outlives its deadline (and then start again from the snapshot or the files).
 *
 * Plain JavaScript run with `eval: true`, so the same text works from the TypeScript sources (tests)
 * and from dist/ without a separate build step for the worker file.
 */
export const EMBEDDED_WORKER_SOURCE = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const ox = require(workerData.oxigraphPath);

function manifestOf(sources) {
  return JSON.stringify(sources.map((s) => {
    const st = fs.statSync(s.path);
    return { path: s.path, format: s.format, graph: s.graph || null, size: st.size, mtimeMs: st.mtimeMs };
  }));
}

function loadSources(store, sources) {
  for (const s of sources) {
    const opts = { format: s.format, lenient: true };
    if (s.baseIri) opts.base_iri = s.baseIri;
    if (s.graph) opts.to_graph_name = ox.namedNode(s.graph);
    store.load(fs.readFileSync(s.path), opts);
  }
}

function open() {
  const started = performance.now();
  const store = new ox.Store();
  const { sources, snapshotDir } = workerData;
  const manifest = manifestOf(sources);
  let from = 'files';
  if (snapshotDir) {
    const nq = path.join(snapshotDir, 'store.nq');
    const mf = path.join(snapshotDir, 'manifest.json');
    let current = null;
    try { current = fs.readFileSync(mf, 'utf8'); } catch {}
    if (current === manifest && fs.existsSync(nq)) {
      store.load(fs.readFileSync(nq), { format: 'application/n-quads', lenient: true });
      from = 'snapshot';
    } else {
      loadSources(store, sources);
      fs.mkdirSync(snapshotDir, { recursive: true });
      // Write then rename: a crash mid-write never leaves a snapshot that matches the manifest.
      fs.writeFileSync(nq + '.tmp', store.dump({ format: 'application/n-quads' }));
      fs.renameSync(nq + '.tmp', nq);
      fs.writeFileSync(mf, manifest);
    }
  } else {
    loadSources(store, sources);
  }
  return { store, from, ms: Math.round(performance.now() - started) };
}

let opened;
try {
  opened = open();
} catch (err) {
  parentPort.postMessage({ type: 'fatal', message: String(err && err.message || err) });
  process.exit(1);
}
const store = opened.store;
parentPort.postMessage({ type: 'ready', size: store.size, ms: opened.ms, from: opened.from });

parentPort.on('message', (msg) => {
  if (msg.type !== 'query') return;
  try {
    const graph = msg.form === 'CONSTRUCT' || msg.form === 'DESCRIBE';
    const opts = { results_format: graph ? 'application/n-triples' : 'application/sparql-results+json' };
    if (msg.namedGraphs.length > 0) {
      opts.default_graph = msg.namedGraphs.map((g) => ox.namedNode(g));
      opts.named_graphs = msg.namedGraphs.map((g) => ox.namedNode(g));
    } else {
      // As Virtuoso and Stardog do by default: the default graph is the union of all graphs.
      opts.use_default_graph_as_union = true;
    }
    const text = store.query(msg.sparql, opts);
    parentPort.postMessage({ type: 'result', id: msg.id, text: String(text) });
  } catch (err) {
    parentPort.postMessage({ type: 'error', id: msg.id, message: String(err && err.message || err) });
  }
});
`;
