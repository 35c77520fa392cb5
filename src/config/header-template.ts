/**
 * Python `string.Template` semantics for `provider_args.headers` values, so that configuration
 * files written for the Python service keep working: `$$` is a literal `$`, `$NAME` and `${NAME}`
 * substitute (NAME = `[_a-zA-Z][_a-zA-Z0-9]*`), and any other `$` is an invalid placeholder.
 * Environment variables are resolved once at start-up; `$VOICEBOX_USER` is left for each request.
 */
export const REQUEST_USER_VARIABLE = 'VOICEBOX_USER';

type Part = { literal: string } | { variable: string };

export class HeaderTemplateError extends Error {}

const PATTERN = /\$(?:(\$)|([_a-zA-Z][_a-zA-Z0-9]*)|\{([_a-zA-Z][_a-zA-Z0-9]*)\}|())/g;

export function parseTemplate(template: string): Part[] {
  const parts: Part[] = [];
  let last = 0;
  for (const m of template.matchAll(PATTERN)) {
    const index = m.index;
    if (index > last) parts.push({ literal: template.slice(last, index) });
    const [, escaped, named, braced, invalid] = m;
    if (escaped !== undefined) parts.push({ literal: '$' });
    else if (named !== undefined || braced !== undefined)
      parts.push({ variable: (named ?? braced) });
    else if (invalid !== undefined) {
      throw new HeaderTemplateError(`invalid placeholder at position ${index + 1}`);
    }
    last = index + m[0].length;
  }
  if (last < template.length) parts.push({ literal: template.slice(last) });
  return parts;
}

/** A header value with the environment applied; only the request user remains to fill in. */
export class HeaderTemplate {
  private constructor(private readonly parts: Part[]) {}

  static compile(template: string, env: Record<string, string | undefined>): HeaderTemplate {
    const resolved = parseTemplate(template).map((part): Part => {
      if ('literal' in part || part.variable === REQUEST_USER_VARIABLE) return part;
      const value = env[part.variable];
      if (value === undefined) {
        throw new HeaderTemplateError(`environment variable ${part.variable} is not defined`);
      }
      return { literal: value };
    });
    return new HeaderTemplate(resolved);
  }

  get usesRequestUser(): boolean {
    return this.parts.some((p) => 'variable' in p);
  }

  render(requestUser: string | undefined): string {
    return this.parts.map((p) => ('literal' in p ? p.literal : (requestUser ?? ''))).join('');
  }
}
