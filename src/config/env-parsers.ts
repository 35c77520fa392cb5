import { z } from 'zod';

/**
 * Small zod building blocks for environment variables. Environment values are strings; an empty
 * string counts as unset, because Kubernetes manifests and .env files often carry `NAME=` for "off".
 */
const unsetIfEmpty = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

export const envString = () => z.preprocess(unsetIfEmpty, z.string().optional());

export const envBool = (fallback: boolean) =>
  z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .optional()
      .transform((v, ctx) => {
        if (v === undefined) return fallback;
        const s = v.trim().toLowerCase();
        if (['true', '1', 'yes', 'on'].includes(s)) return true;
        if (['false', '0', 'no', 'off'].includes(s)) return false;
        ctx.addIssue({ code: 'custom', message: `must be true or false (got "${v}")` });
        return z.NEVER;
      }),
  );

export const envInt = (fallback: number, min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .optional()
      .transform((v, ctx) => {
        if (v === undefined) return fallback;
        if (!/^-?\d+$/.test(v.trim())) {
          ctx.addIssue({ code: 'custom', message: `must be an integer (got "${v}")` });
          return z.NEVER;
        }
        const n = Number(v);
        if (n < min || n > max) {
          const range =
            max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `between ${min} and ${max}`;
          ctx.addIssue({ code: 'custom', message: `must be ${range} (got ${n})` });
          return z.NEVER;
        }
        return n;
      }),
  );

export const envEnum = <const T extends readonly [string, ...string[]]>(
  values: T,
  fallback?: T[number],
) =>
  z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .optional()
      .transform((v, ctx): T[number] | undefined => {
        if (v === undefined) return fallback;
        const match = values.find((x) => x.toLowerCase() === v.trim().toLowerCase());
        if (match === undefined) {
          ctx.addIssue({
            code: 'custom',
            message: `must be one of ${values.join(', ')} (got "${v}")`,
          });
          return z.NEVER;
        }
        return match;
      }),
  );

/** An absolute http(s) URL. Secret-free by construction, so the value may appear in the message. */
export const envUrl = () =>
  z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .optional()
      .refine((v) => v === undefined || isHttpUrl(v), {
        message: 'must be an absolute http(s) URL',
      }),
  );

/** Comma-separated list; blanks dropped. */
export const envList = (fallback: string[]) =>
  z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .optional()
      .transform((v) =>
        v === undefined
          ? fallback
          : v
              .split(/[,\s]+/)
              .map((s) => s.trim())
              .filter(Boolean),
      ),
  );

export function isHttpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}
