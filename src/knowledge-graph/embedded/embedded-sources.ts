import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RdfSource {
  path: string;
  /** oxigraph format (media type). */
  format: string;
  baseIri?: string;
  /** Named graph to load into; default graph when absent. */
  graph?: string;
}

const FORMAT_BY_EXTENSION: Record<string, string> = {
  '.ttl': 'text/turtle',
  '.nt': 'application/n-triples',
  '.nq': 'application/n-quads',
  '.trig': 'application/trig',
  '.n3': 'text/n3',
  '.rdf': 'application/rdf+xml',
  '.owl': 'application/rdf+xml',
  '.xml': 'application/rdf+xml',
};

/** data/ck25 of the repository (three levels up from src/… and from dist/… alike). */
export const CK25_DIR = fileURLToPath(new URL('../../../data/ck25/', import.meta.url));

/** The CK25 demo graph: instances with their inline ontology, plus the labelled vocabulary. */
export function ck25Sources(dir = CK25_DIR): RdfSource[] {
  return [
    { path: `${dir}prod-inst.ttl`, format: 'text/turtle', baseIri: 'http://ld.company.org/' },
    { path: `${dir}prod-vocab.ttl`, format: 'text/turtle', baseIri: 'http://ld.company.org/' },
  ];
}

/** A user's RDF file; the format follows the extension. Throws a message naming the variable. */
export function userSource(path: string): RdfSource {
  const format = FORMAT_BY_EXTENSION[extname(path).toLowerCase()];
  if (!format) {
    throw new Error(
      `VOICEBOX_EMBEDDED_RDF_FILES: cannot tell the RDF format of ${path} (known extensions: ${Object.keys(FORMAT_BY_EXTENSION).join(' ')})`,
    );
  }
  return { path, format };
}
