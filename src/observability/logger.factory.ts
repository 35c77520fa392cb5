import { Writable } from 'node:stream';
import pino, { type DestinationStream, type Logger, type LevelWithSilent } from 'pino';
import pinoPretty from 'pino-pretty';
import type { LogLevel, LogType } from '../config/app-config.js';
import { BufferedLogDestination } from './buffered-log-destination.js';
import { LogScrubber } from './log-scrubber.js';

const LEVELS: Record<LogLevel, LevelWithSilent> = {
  DEBUG: 'debug',
  INFO: 'info',
  WARNING: 'warn',
  ERROR: 'error',
};

const CREDENTIAL_FIELDS = [
  'password',
  'secret',
  'token',
  'apiKey',
  'api_key',
  'client_secret',
  'access_token',
];

/**
 * Header and field paths that carry credentials. Fixed paths only: pino compiles them into direct
 * property checks, while each `*.x` wildcard walked every key of every logged object (measured: about
 * 5 µs a line). The fields are censored where the service could put them (at
 * the top of a log object, in a `credential` or a `body`); a secret anywhere else is still caught by
 * the LogScrubber, which sees every serialised line.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-sd-auth-token"]',
  'req.headers["x-voicebox-app-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["x-sd-auth-token"]',
  'headers["x-voicebox-app-key"]',
  ...CREDENTIAL_FIELDS.flatMap((f) => [f, `credential.${f}`, `body.${f}`]),
];

/**
 * The stdout destination (buffered-log-destination.ts): lines gather and are written 4 KiB at a time
 * (or every 250 ms when traffic is light), instead of one write(2) per line. Bounded: if stdout
 * stops draining, lines beyond 8 MiB are dropped (and counted in a later line) rather than held in
 * memory. Flushed synchronously on exit, so `process.exit` after shutdown loses nothing; a SIGKILL
 * can lose at most the last 250 ms.
 */
export const LOG_BUFFER = { minLength: 4096, maxLength: 8 * 1024 * 1024, periodicFlushMs: 250 };

export interface LoggerOptions {
  type: LogType;
  level: LogLevel;
  secretValues: readonly string[];
  /** Where lines go; buffered stdout by default. Tests pass their own sink (written at once). */
  destination?: NodeJS.WritableStream;
}

/**
 * pino's isoTime, formatted once per millisecond: at thousands of lines a second most lines share
 * their millisecond, and `toISOString` was the costliest step of writing a line (~1.4 µs of ~9,
 * bench/http.bench.js profile).
 */
export function isoTimeOncePerMs(): string {
  const now = Date.now();
  if (now !== lastTime.ms) {
    lastTime.ms = now;
    lastTime.text = `,"time":"${new Date(now).toISOString()}"`;
  }
  return lastTime.text;
}
const lastTime = { ms: -1, text: '' };

export function createRootLogger(opts: LoggerOptions): Logger {
  const scrubber = new LogScrubber(opts.secretValues);
  const sink: { write(line: string): unknown } =
    opts.destination ?? new BufferedLogDestination({ fd: 1, ...LOG_BUFFER });
  // A plain object with write(): pino accepts it, and it avoids a Node stream's machinery per line.
  const scrubbed: DestinationStream = { write: (line: string) => sink.write(scrubber.scrub(line)) };
  const stream =
    opts.type === 'TEXT'
      ? pinoPretty({
          // pino-pretty pipes into its destination, so it needs a real stream.
          destination: new Writable({
            write(chunk: Buffer | string, _enc, cb) {
              scrubbed.write(chunk.toString());
              cb();
            },
          }),
          colorize: false,
          sync: true,
          translateTime: 'SYS:standard',
          ignore: 'pid,hostname',
        })
      : scrubbed;
  return pino(
    {
      level: LEVELS[opts.level],
      base: { service: 'voicebox' },
      timestamp: isoTimeOncePerMs,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      serializers: { err: pino.stdSerializers.err },
    },
    stream,
  );
}
