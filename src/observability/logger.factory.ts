import { Writable } from 'node:stream';
import pino, { type Logger, type LevelWithSilent } from 'pino';
import pinoPretty from 'pino-pretty';
import type { LogLevel, LogType } from '../config/app-config.js';
import { LogScrubber } from './log-scrubber.js';

const LEVELS: Record<LogLevel, LevelWithSilent> = {
  DEBUG: 'debug',
  INFO: 'info',
  WARNING: 'warn',
  ERROR: 'error',
};

/** Header and field paths that carry credentials; censored wherever they appear in a log object. */
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
  '*.password',
  '*.secret',
  '*.token',
  '*.apiKey',
  '*.api_key',
  '*.client_secret',
  '*.access_token',
];

export interface LoggerOptions {
  type: LogType;
  level: LogLevel;
  secretValues: readonly string[];
  /** Where lines go; stdout by default. Tests pass their own sink. */
  destination?: NodeJS.WritableStream;
}

export function createRootLogger(opts: LoggerOptions): Logger {
  const scrubber = new LogScrubber(opts.secretValues);
  const sink = opts.destination ?? process.stdout;
  const scrubbed = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      sink.write(scrubber.scrub(chunk.toString()));
      cb();
    },
  });
  const stream =
    opts.type === 'TEXT'
      ? pinoPretty({
          destination: scrubbed,
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
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      serializers: { err: pino.stdSerializers.err },
    },
    stream,
  );
}
