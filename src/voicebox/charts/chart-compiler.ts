import { compile, type TopLevelSpec } from 'vega-lite';

export type CompileCheck = { ok: true } | { ok: false; problem: string };

/**
 * Compiles a Vega-Lite spec to Vega, as a browser would before drawing it. A spec that throws, or
 * that makes Vega-Lite log an error, would not draw: the caller drops it. Warnings (a scale that
 * cannot be zero, a sort that does not apply) still draw, so they pass. Vega-Lite's logger is a
 * singleton that compile swaps for ours and restores, so nothing is printed to the console.
 */
export function checkCompiles(spec: TopLevelSpec): CompileCheck {
  const errors: string[] = [];
  let level = 0;
  const logger = {
    level(l?: number) {
      if (l === undefined) return level;
      level = l;
      return logger;
    },
    error(...args: unknown[]) {
      errors.push(args.map(String).join(' '));
      return logger;
    },
    warn: () => logger,
    info: () => logger,
    debug: () => logger,
  };
  try {
    compile(spec, { logger });
  } catch (err) {
    return { ok: false, problem: err instanceof Error ? err.message : String(err) };
  }
  return errors.length ? { ok: false, problem: errors.join('; ') } : { ok: true };
}
