import type sparqljs from 'sparqljs';
import type { SparqlQuery } from 'sparqljs';

/** What the gate learns from one text: facts only; the policy (allow-list, messages) is the gate's. */
export type GateAnalysis =
  | { kind: 'invalid'; reason: string; empty?: boolean; tooComplex?: boolean }
  | { kind: 'update'; operations: string[] }
  | {
      kind: 'query';
      form: 'SELECT' | 'ASK' | 'CONSTRUCT' | 'DESCRIBE';
      /** The text to send: regenerated from the parse, never the caller's text. */
      sparql: string;
      limit?: number;
      limitInjected: boolean;
      /** SERVICE endpoints anywhere in the query; null for a variable endpoint. */
      services: (string | null)[];
    };

/**
 * Parses a query, imposes LIMIT `cap` where it has none or a larger one, regenerates the text and
 * parses that text again: the facts returned (form, SERVICE endpoints, LIMIT) are those of the text
 * that will be sent, so a server cannot be shown another query than the one checked.
 *
 * `parsed`, when the caller has just parsed `sparql` itself (a fresh sparqljs Parser, as here), saves
 * the first parse; it is not changed. The second parse, of the regenerated text, always happens.
 *
 * Self-contained on purpose (no imports, no module state): it also runs in the gate's worker thread,
 * whose source is this function's text (see sparql-gate-worker.ts).
 */
export function analyseSparql(
  lib: typeof sparqljs,
  sparql: string,
  cap: number,
  parsed?: SparqlQuery,
): GateAnalysis {
  const firstLine = (err: unknown): string =>
    err instanceof RangeError
      ? 'too deeply nested to parse or regenerate'
      : err instanceof Error
        ? err.message.split('\n')[0]
        : 'unparseable';
  const parse = (text: string) => new lib.Parser().parse(text);

  const services = (root: unknown): (string | null)[] => {
    const out: (string | null)[] = [];
    // An explicit stack: a deep tree must not be able to overflow this walk.
    const stack: unknown[] = [root];
    while (stack.length > 0) {
      const node = stack.pop();
      if (Array.isArray(node)) {
        for (const item of node) stack.push(item);
      } else if (node !== null && typeof node === 'object') {
        const rec = node as Record<string, unknown>;
        if (rec.type === 'service') {
          const name = rec.name as { termType?: string; value?: string } | undefined;
          out.push(name?.termType === 'NamedNode' && name.value !== undefined ? name.value : null);
        }
        for (const value of Object.values(rec)) stack.push(value);
      }
    }
    return out;
  };

  try {
    const tree = parsed ?? parse(sparql);
    // For a text without a query (empty, comments, PREFIX lines) sparqljs returns a bare `{ prefixes }`.
    if ((tree as { type?: string }).type === undefined) {
      return {
        kind: 'invalid',
        empty: true,
        reason: 'there is no query (the text is empty or only comments and PREFIX declarations)',
      };
    }
    if (tree.type === 'update') {
      const ops = tree.updates.map((u) =>
        'updateType' in u ? u.updateType.toUpperCase() : u.type.toUpperCase(),
      );
      return { kind: 'update', operations: [...new Set(ops)] };
    }
    const form = tree.queryType;
    // The typings omit `limit` on CONSTRUCT, but the grammar and sparqljs allow it on every form.
    // A shallow copy: the LIMIT is a top-level field, and a caller's tree stays as it parsed it.
    const limited = { ...tree } as typeof tree & { limit?: number };
    let limitInjected = false;
    if (form !== 'ASK' && (limited.limit === undefined || limited.limit > cap)) {
      limited.limit = cap;
      limitInjected = true;
    }
    const text = new lib.Generator({}).stringify(limited);
    // A server that expands \u escapes before parsing (as the SPARQL grammar describes) would read an
    // escape left in the text differently from this parser.
    if (/\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}/.test(text)) {
      return {
        kind: 'invalid',
        reason: 'a literal holds a \\u escape sequence that servers may read differently',
      };
    }
    const sent = parse(text) as typeof limited;
    if (
      sent.type !== 'query' ||
      sent.queryType !== form ||
      (form !== 'ASK' && sent.limit !== limited.limit)
    ) {
      return { kind: 'invalid', reason: 'the query does not survive being regenerated' };
    }
    return {
      kind: 'query',
      form,
      sparql: text,
      limit: form === 'ASK' ? undefined : sent.limit,
      limitInjected,
      services: services(sent),
    };
  } catch (err) {
    return { kind: 'invalid', reason: firstLine(err), tooComplex: err instanceof RangeError };
  }
}
