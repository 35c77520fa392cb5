import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';

/** One NDJSON line as a client received it, with its arrival time. */
export interface StreamedLine<T> {
  at: number;
  event: T;
}

/** An open NDJSON response read over a real connection: lines as they arrive. */
export interface OpenNdjsonStream<T> {
  req: ClientRequest;
  res: IncomingMessage;
  lines: Array<StreamedLine<T>>;
  /** Resolves once the server ends the stream (or the connection closes). */
  ended: Promise<void>;
  nextLine(): Promise<T>;
}

/** POSTs `body` as JSON and reads the NDJSON answer line by line, as a streaming client does. */
export function openNdjsonStream<T>(
  url: string,
  headers: Record<string, string>,
  body: object,
): Promise<OpenNdjsonStream<T>> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        const lines: Array<StreamedLine<T>> = [];
        const waiters: Array<() => void> = [];
        let buffered = '';
        let read = 0;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffered += chunk;
          for (let i = buffered.indexOf('\n'); i >= 0; i = buffered.indexOf('\n')) {
            lines.push({ at: Date.now(), event: JSON.parse(buffered.slice(0, i)) as T });
            buffered = buffered.slice(i + 1);
          }
          for (const w of waiters.splice(0)) w();
        });
        const ended = new Promise<void>((done) => {
          res.on('end', done);
          res.on('close', done);
        });
        resolve({
          req,
          res,
          lines,
          ended,
          async nextLine() {
            while (read >= lines.length) await new Promise<void>((w) => waiters.push(w));
            return lines[read++].event;
          },
        });
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}
