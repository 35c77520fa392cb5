import { DomainError } from '../../common/errors/domain-error.js';
import type { KgConnectionKind } from '../kg-connection.js';
import type { SparqlStore } from './sparql-store.js';

/** One store per connection kind; adding a protocol is one class and one entry here. */
export class SparqlStoreRegistry {
  private readonly byKind: ReadonlyMap<KgConnectionKind, SparqlStore>;

  constructor(stores: readonly SparqlStore[]) {
    this.byKind = new Map(stores.map((s) => [s.kind, s]));
  }

  get(kind: KgConnectionKind): SparqlStore {
    const store = this.byKind.get(kind);
    if (!store) {
      throw new DomainError(
        'unavailable',
        'kg.store_unavailable',
        `No knowledge-graph store of kind '${kind}' is available in this service.`,
      );
    }
    return store;
  }
}
