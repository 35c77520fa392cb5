import sparqljs from 'sparqljs';
import type { SparqlQuery } from 'sparqljs';
import type { GraphVocabulary } from './graph-vocabulary.js';
import { WELL_KNOWN_PREFIXES } from './standard-vocabularies.js';

export type ParseOutcome =
  | { ok: true; sparql: string; parsed: SparqlQuery; added: Record<string, string> }
  | {
      ok: false;
      sparql: string;
      added: Record<string, string>;
      /** The parser's first line, or the prefix nobody could resolve. */
      reason: string;
      unresolvedPrefix?: string;
    };

const UNKNOWN_PREFIX = /^Unknown prefix: ?(.*)$/;
/** A query uses at most a handful of prefixes; the loop ends long before this. */
const MAX_REPAIRS = 32;

/**
 * Parses a query, declaring the prefixes it uses without declaring: the well-known ones
 * (rdf, rdfs, owl, xsd, skos, foaf, schema, dc, dcterms) and the graph's own namespaces when exactly
 * one of them fits. sparqljs names the first unknown prefix it meets, so each round adds one and
 * parses again, as sparql-llm's validator does with rdflib's "Unknown namespace prefix".
 */
export function parseWithPrefixRepair(sparql: string, vocabulary: GraphVocabulary): ParseOutcome {
  const added: Record<string, string> = {};
  let text = sparql;
  for (let round = 0; round <= MAX_REPAIRS; round++) {
    try {
      // A fresh parser per query: sparqljs parsers keep prefixes and blank-node state between calls.
      const parsed = new sparqljs.Parser().parse(text);
      return { ok: true, sparql: text, parsed, added };
    } catch (err) {
      const reason = err instanceof Error ? err.message.split('\n')[0] : 'unparseable';
      const m = UNKNOWN_PREFIX.exec(reason);
      if (!m) return { ok: false, sparql: text, added, reason };
      const prefix = m[1];
      const ns = resolvePrefix(prefix, text, vocabulary);
      if (!ns) return { ok: false, sparql: text, added, reason, unresolvedPrefix: prefix };
      added[prefix] = ns;
      text = `PREFIX ${prefix}: <${ns}>\n${text}`;
    }
  }
  return { ok: false, sparql: text, added, reason: 'too many undeclared prefixes' };
}

/** The namespace an undeclared prefix most likely stands for, or undefined when unsure. */
export function resolvePrefix(
  prefix: string,
  sparql: string,
  vocabulary: GraphVocabulary,
): string | undefined {
  const known = WELL_KNOWN_PREFIXES[prefix];
  if (known) return known;
  const own = vocabulary.namespaces;
  // The empty prefix conventionally names the graph's main vocabulary.
  if (prefix === '') return own[0];
  const used = localNamesUsed(prefix, sparql);
  // The namespace defining the most of the names used with this prefix, when it is the only one.
  const byTerms = own
    .map((ns) => {
      const names = vocabulary.localNames(ns);
      return { ns, hits: used.filter((u) => names.has(u)).length };
    })
    .filter((c) => c.hits > 0)
    .sort((a, b) => b.hits - a.hits);
  if (byTerms.length === 1 || (byTerms.length > 1 && byTerms[0].hits > byTerms[1].hits)) {
    return byTerms[0].ns;
  }
  // Otherwise a namespace whose name the prefix abbreviates (pv → prod-vocab).
  const byName = own.filter((ns) => abbreviations(ns).has(prefix.toLowerCase()));
  return byName.length === 1 ? byName[0] : undefined;
}

function localNamesUsed(prefix: string, sparql: string): string[] {
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
  const re = new RegExp(`(?<![\\w<:-])${escaped}:([A-Za-z_][\\w-]*(?:\\.[\\w-]+)*)`, 'g');
  return [...new Set([...sparql.matchAll(re)].map((m) => m[1]))];
}

/** Short names a namespace is commonly given: its last path word and its words' initials. */
function abbreviations(namespace: string): Set<string> {
  const path = namespace.replace(/^[a-z]+:\/\/[^/]+/i, '').replace(/[#/]+$/, '');
  const last = path.split('/').pop() ?? '';
  const parts = last.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const out = new Set<string>();
  if (last) out.add(last.toLowerCase());
  if (parts.length > 0) {
    out.add(parts.join('').toLowerCase());
    out.add(
      parts
        .map((p) => p[0])
        .join('')
        .toLowerCase(),
    );
  }
  return out;
}
