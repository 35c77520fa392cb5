/**
 * Last line of defence against secrets in logs: every serialised log line passes through here before
 * it is written. Structured redaction (pino `redact`) covers the fields we know; this catches a token
 * that slipped into a message or an upstream error text.
 */
const PATTERNS: Array<[RegExp, string]> = [
  // App keys: anything longer than the 8 characters after "sdc_" that a key's listed `prefix` shows.
  // The prefix itself is no secret (48 of the 256 random bits) and is logged to identify a key.
  [/\bsdc_[A-Za-z0-9_-]{9,}/g, 'sdc_[REDACTED]'],
  // Bearer / Basic credentials in any header-like text.
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{6,}/gi, '$1 [REDACTED]'],
  // Compact JWS (three base64url segments starting with a JSON header).
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, '[REDACTED_JWT]'],
  // Userinfo in URLs (postgres://user:password@host).
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^:/\s@"]+:)[^@\s"]+@/gi, '$1[REDACTED]@'],
];

/**
 * What every pattern above needs somewhere in the line. Most lines (the access log's) hold none of
 * it: one scan of the line instead of four replacements (about 2 µs a line, bench/http.bench.js).
 */
const MAY_HOLD_A_PATTERN = /sdc_|bearer|basic|eyJ|:\/\//i;

export class LogScrubber {
  private readonly literals: string[];

  constructor(secretValues: readonly string[]) {
    // Each secret as written and as JSON serialisation escapes it (a line is JSON when LOG_TYPE=JSON),
    // worked out once here rather than for every line. Longest first, so that a secret containing
    // another is replaced whole.
    const forms = [...new Set(secretValues)]
      .filter((s) => s.length >= 4)
      .flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]);
    this.literals = [...new Set(forms)].sort((a, b) => b.length - a.length);
  }

  scrub(line: string): string {
    let out = line;
    for (const secret of this.literals) {
      if (out.includes(secret)) out = out.split(secret).join('[REDACTED]');
    }
    if (!MAY_HOLD_A_PATTERN.test(out)) return out;
    for (const [re, replacement] of PATTERNS) out = out.replace(re, replacement);
    return out;
  }
}
