import type { SparqlQuery } from 'sparqljs';
import { DomainError } from '../../common/errors/domain-error.js';
import { SparqlReadOnlyGate } from '../../knowledge-graph/sparql-read-only-gate.js';
import type { GraphVocabulary, TermKind } from './graph-vocabulary.js';
import type { InstanceLookup } from './instance-lookup.js';
import { parseWithPrefixRepair } from './prefix-repair.js';
import { collectQueryTerms } from './query-terms.js';
import {
  isStandardTerm,
  namespaceOf,
  standardTermsLike,
  WELL_KNOWN_PREFIXES,
} from './standard-vocabularies.js';
import { closestTerms } from './term-suggestions.js';

export type ValidationProblemKind =
  | 'empty'
  | 'syntax'
  | 'unknown_prefix'
  | 'not_read_only'
  | 'service_not_allowed'
  | 'unknown_class'
  | 'unknown_property'
  | 'unknown_instance';

/** One reason not to run a query, in words meant for the model that wrote it. */
export interface ValidationProblem {
  kind: ValidationProblemKind;
  message: string;
  /** The IRI or prefix concerned. */
  term?: string;
}

export interface ValidationResult {
  /** The query to run: the input, with missing PREFIXes declared and mistyped IRIs mended. */
  sparql: string;
  problems: ValidationProblem[];
  /** What was mended without a model, in plain words (for #debug). */
  repairs: string[];
}

export interface SparqlValidatorOptions {
  /** The gate the query will pass at execution (its SERVICE allow-list); a strict one by default. */
  gate?: SparqlReadOnlyGate;
}

/** Problems that leave nothing to check further. */
const FATAL = new Set<ValidationProblemKind>([
  'empty',
  'syntax',
  'unknown_prefix',
  'not_read_only',
  'service_not_allowed',
]);

/**
 * Checks a generated query against a graph before it runs, as SIB's sparql-llm does: parse (declaring
 * forgotten PREFIXes), read-only, every class and property it names known to the graph (inside
 * property paths too), and — with one lookup against the store — every instance IRI present.
 * Each problem says what is wrong and, where it can, what was probably meant.
 */
export class SparqlValidator {
  private readonly gate: SparqlReadOnlyGate;

  constructor(
    private readonly vocabulary: GraphVocabulary,
    options: SparqlValidatorOptions = {},
  ) {
    this.gate =
      options.gate ??
      new SparqlReadOnlyGate({ serviceAllowlist: [], maxResults: Number.MAX_SAFE_INTEGER - 1 });
  }

  /** Syntax, PREFIX repair, read-only, vocabulary. Needs no store. */
  validate(sparql: string): ValidationResult {
    return this.checkText(sparql).result;
  }

  /**
   * Instance IRIs (neither classes nor properties) looked up in the graph in one call. An IRI with a
   * raw `@` whose percent-encoded form exists (`empl-Karen.Brant@company.org` for `…%40company.org`)
   * is mended in the query rather than reported.
   */
  async validateInstances(sparql: string, exists: InstanceLookup): Promise<ValidationResult> {
    const outcome = parseWithPrefixRepair(sparql, this.vocabulary);
    if (!outcome.ok) return { sparql, problems: [], repairs: [] };
    return this.instanceProblems(outcome.sparql, outcome.parsed, exists);
  }

  /** `validate`, then, when the query is sound so far, `validateInstances` (on the same parse). */
  async validateAll(sparql: string, exists: InstanceLookup): Promise<ValidationResult> {
    const { result: first, parsed } = this.checkText(sparql);
    if (!parsed || first.problems.some((p) => FATAL.has(p.kind))) return first;
    const second = await this.instanceProblems(first.sparql, parsed, exists);
    return {
      sparql: second.sparql,
      problems: [...first.problems, ...second.problems],
      repairs: [...first.repairs, ...second.repairs],
    };
  }

  /** `validate`, with the parse of the (repaired) text when there is one. */
  private checkText(sparql: string): { result: ValidationResult; parsed?: SparqlQuery } {
    const outcome = parseWithPrefixRepair(sparql, this.vocabulary);
    const repairs = Object.entries(outcome.added).map(
      ([p, ns]) => `declared the missing PREFIX ${p}: <${ns}>`,
    );
    const result = (problems: ValidationProblem[], parsed?: SparqlQuery) => ({
      result: { sparql: outcome.sparql, problems, repairs },
      parsed,
    });
    if (!outcome.ok) {
      if (sparql.trim() === '') return result([emptyProblem()]);
      if (outcome.unresolvedPrefix !== undefined) {
        const p = outcome.unresolvedPrefix;
        return result([
          {
            kind: 'unknown_prefix',
            term: `${p}:`,
            message: `The prefix ${p}: is used but not declared, and it matches no namespace of this graph; declare it with PREFIX ${p}: <namespace IRI> or write full IRIs.`,
          },
        ]);
      }
      return result([
        { kind: 'syntax', message: `The query is not valid SPARQL: ${outcome.reason}` },
      ]);
    }
    const parsed = outcome.parsed;
    // For a text with no query in it sparqljs returns a bare `{ prefixes }`, which its typings omit.
    if ((parsed as { type?: string }).type === undefined) return result([emptyProblem()]);
    // The gate reads the tree just parsed instead of parsing the same text again.
    const gateProblem = this.gateProblem(outcome.sparql, parsed);
    if (gateProblem) return result([gateProblem]);
    return result(
      this.vocabularyProblems(parsed, { ...WELL_KNOWN_PREFIXES, ...parsed.prefixes }),
      parsed,
    );
  }

  private async instanceProblems(
    sparql: string,
    parsed: SparqlQuery,
    exists: InstanceLookup,
  ): Promise<ValidationResult> {
    const terms = collectQueryTerms(parsed);
    const instances = [...terms.others].filter(
      (iri) => !this.vocabulary.has(iri) && isStandardTerm(iri) === undefined,
    );
    if (instances.length === 0) return { sparql, problems: [], repairs: [] };
    const variants = new Map<string, string>();
    for (const iri of instances) {
      const encoded = encodeIriVariant(iri);
      if (encoded !== iri) variants.set(iri, encoded);
    }
    const found = await exists([...instances, ...variants.values()]);
    let text = sparql;
    const problems: ValidationProblem[] = [];
    const repairs: string[] = [];
    for (const iri of instances) {
      if (found.has(iri)) continue;
      const variant = variants.get(iri);
      if (variant && found.has(variant) && text.includes(`<${iri}>`)) {
        text = text.split(`<${iri}>`).join(`<${variant}>`);
        repairs.push(`wrote <${iri}> as it is in the graph: <${variant}>`);
        continue;
      }
      problems.push({
        kind: 'unknown_instance',
        term: iri,
        message: `<${iri}> is not in this graph; use the IRI of an entity found for the question, or find the entity by its label instead of guessing its IRI.`,
      });
    }
    return { sparql: text, problems, repairs };
  }

  private gateProblem(sparql: string, parsed: SparqlQuery): ValidationProblem | undefined {
    try {
      this.gate.check(sparql, parsed);
      return undefined;
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      const kind: ValidationProblemKind =
        err.code === 'kg.query_not_read_only'
          ? 'not_read_only'
          : err.code === 'kg.service_not_allowed'
            ? 'service_not_allowed'
            : 'syntax';
      return { kind, message: err.message };
    }
  }

  private vocabularyProblems(
    parsed: SparqlQuery,
    prefixes: Record<string, string>,
  ): ValidationProblem[] {
    const terms = collectQueryTerms(parsed);
    const problems: ValidationProblem[] = [];
    for (const iri of terms.classes) {
      const p = this.termProblem(iri, 'class', prefixes);
      if (p) problems.push(p);
    }
    for (const iri of terms.properties) {
      const p = this.termProblem(iri, 'property', prefixes);
      if (p) problems.push(p);
    }
    return problems;
  }

  private termProblem(
    iri: string,
    kind: TermKind,
    prefixes: Record<string, string>,
  ): ValidationProblem | undefined {
    if (this.vocabulary.has(iri, kind)) return undefined;
    const standard = isStandardTerm(iri);
    if (standard === true) return undefined;
    const name = compact(iri, prefixes);
    const problemKind = kind === 'class' ? 'unknown_class' : 'unknown_property';
    const other: TermKind = kind === 'class' ? 'property' : 'class';
    if (this.vocabulary.has(iri, other)) {
      return {
        kind: problemKind,
        term: iri,
        message: `${name} is a ${other} of this graph, not a ${kind}.`,
      };
    }
    const candidates =
      standard === false
        ? [
            ...standardTermsLike(iri).map((i) => ({ iri: i, text: '' })),
            ...this.vocabulary.termsOf(kind),
          ]
        : this.vocabulary.termsOf(kind);
    const close = closestTerms(iri, candidates).map((c) => compact(c, prefixes));
    const hint =
      close.length > 0
        ? `did you mean ${orList(close)}?`
        : `use one of the ${kind === 'class' ? 'classes' : 'properties'} in the schema.`;
    return {
      kind: problemKind,
      term: iri,
      message: `${name} is not a ${kind} of this graph; ${hint}`,
    };
  }
}

function emptyProblem(): ValidationProblem {
  return { kind: 'empty', message: 'There is no query: the text is empty or only comments.' };
}

/** `pv:memberOf` when a prefix of the query (or a well-known one) covers the IRI, else `<iri>`. */
function compact(iri: string, prefixes: Record<string, string>): string {
  const ns = namespaceOf(iri);
  const local = iri.slice(ns.length);
  if (/^[A-Za-z_][\w-]*$/.test(local)) {
    for (const [p, n] of Object.entries(prefixes)) if (n === ns) return `${p}:${local}`;
  }
  return `<${iri}>`;
}

function orList(items: string[]): string {
  return items.length === 1 ? items[0] : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

/** The IRI with characters graphs usually percent-encode in identifiers (`@`) encoded. */
function encodeIriVariant(iri: string): string {
  return iri.replace(/@/g, '%40');
}
