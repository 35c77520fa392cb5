import sparqljs from 'sparqljs';
import type { SparqlQuery } from 'sparqljs';
import { DomainError } from '../common/errors/domain-error.js';

export type QueryForm = 'SELECT' | 'ASK' | 'CONSTRUCT' | 'DESCRIBE';

export interface GatedQuery {
  form: QueryForm;
  /** The text to send: the original, or regenerated with a LIMIT when one had to be imposed. */
  sparql: string;
  /** The LIMIT the query now carries (undefined for ASK). */
  limit?: number;
  limitInjected: boolean;
}

export interface ReadOnlyGateOptions {
  /** SERVICE IRIs a query may call, compared exactly. */
  serviceAllowlist: readonly string[];
  /** Rows a caller may receive; the query is limited to one more so truncation shows. */
  maxResults: number;
}

/**
 * Decides, before anything is sent, whether a query may reach a knowledge graph. Parsing with a real
 * SPARQL grammar (sparqljs) rather than keyword matching: `INSERT` inside a string literal is harmless,
 * while `SERVICE` deep inside a subquery or a FILTER EXISTS is not.
 */
export class SparqlReadOnlyGate {
  private readonly allow: Set<string>;

  constructor(private readonly options: ReadOnlyGateOptions) {
    this.allow = new Set(options.serviceAllowlist);
  }

  check(sparql: string): GatedQuery {
    const parsed = this.parse(sparql);
    if (parsed.type === 'update') {
      const ops = parsed.updates.map((u) =>
        'updateType' in u ? u.updateType.toUpperCase() : u.type.toUpperCase(),
      );
      throw refuse(
        'kg.query_not_read_only',
        `Only SELECT, ASK, CONSTRUCT and DESCRIBE queries are allowed; this is an update (${[...new Set(ops)].join(', ')}).`,
        { operations: [...new Set(ops)] },
      );
    }
    for (const name of serviceNames(parsed)) {
      if (name === undefined || !this.allow.has(name)) {
        throw refuse(
          'kg.service_not_allowed',
          name === undefined
            ? 'SERVICE with a variable endpoint is not allowed.'
            : `SERVICE <${name}> is not on the allow-list (VOICEBOX_SPARQL_SERVICE_ALLOWLIST).`,
          { service: name ?? null },
        );
      }
    }
    const form = parsed.queryType;
    if (form === 'ASK') return { form, sparql, limitInjected: false };
    const cap = this.options.maxResults + 1;
    // The typings omit `limit` on CONSTRUCT, but the grammar and sparqljs allow it on every form.
    const limited = parsed as typeof parsed & { limit?: number };
    if (limited.limit !== undefined && limited.limit <= cap) {
      return { form, sparql, limit: limited.limit, limitInjected: false };
    }
    limited.limit = cap;
    return { form, sparql: generator.stringify(parsed), limit: cap, limitInjected: true };
  }

  private parse(sparql: string): SparqlQuery {
    try {
      // A fresh parser per query: sparqljs parsers keep prefixes and blank-node state between calls.
      return new sparqljs.Parser().parse(sparql);
    } catch (err) {
      const reason = err instanceof Error ? err.message.split('\n')[0] : 'unparseable';
      throw refuse('kg.query_invalid', `The SPARQL query does not parse: ${reason}`, {
        reason,
      });
    }
  }
}

const generator = new sparqljs.Generator({});

function refuse(code: string, message: string, details: Record<string, unknown>): DomainError {
  return new DomainError('invalid_input', code, message, { details });
}

/** Every SERVICE endpoint anywhere in the query (undefined for a variable endpoint). */
function serviceNames(node: unknown, out: (string | undefined)[] = []): (string | undefined)[] {
  if (Array.isArray(node)) {
    for (const item of node) serviceNames(item, out);
  } else if (node !== null && typeof node === 'object') {
    const rec = node as Record<string, unknown>;
    if (rec.type === 'service') {
      const name = rec.name as { termType?: string; value?: string } | undefined;
      out.push(name?.termType === 'NamedNode' ? name.value : undefined);
    }
    for (const value of Object.values(rec)) serviceNames(value, out);
  }
  return out;
}
