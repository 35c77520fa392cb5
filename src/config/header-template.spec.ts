import { describe, expect, it } from 'vitest';
import { HeaderTemplate, HeaderTemplateError, parseTemplate } from './header-template.js';

describe('HeaderTemplate (Python string.Template rules)', () => {
  const env = { PROJECT_ID: 'proj-1', TEAM: 'kg' };

  it('substitutes $NAME and ${NAME} from the environment', () => {
    expect(HeaderTemplate.compile('$PROJECT_ID/${TEAM}x', env).render(undefined)).toBe(
      'proj-1/kgx',
    );
  });

  it('turns $$ into a literal dollar and leaves text around it alone', () => {
    expect(HeaderTemplate.compile('cost: $$5 for $TEAM', env).render(undefined)).toBe(
      'cost: $5 for kg',
    );
  });

  it('stops the identifier at the first character that cannot belong to it', () => {
    expect(HeaderTemplate.compile('$TEAM-$TEAM.x', env).render(undefined)).toBe('kg-kg.x');
  });

  it('keeps $VOICEBOX_USER for each request', () => {
    const t = HeaderTemplate.compile('user=$VOICEBOX_USER;p=${PROJECT_ID}', env);
    expect(t.usesRequestUser).toBe(true);
    expect(t.render('alice@example.com')).toBe('user=alice@example.com;p=proj-1');
    expect(t.render('bob')).toBe('user=bob;p=proj-1');
  });

  it('refuses an undefined variable, naming it', () => {
    expect(() => HeaderTemplate.compile('x-$MISSING', env)).toThrow(
      new HeaderTemplateError('environment variable MISSING is not defined'),
    );
  });

  it.each(['$', 'a $ b', '${unclosed', '${1abc}', '$1'])(
    'refuses the invalid placeholder in %j',
    (t) => {
      expect(() => parseTemplate(t)).toThrow(/invalid placeholder/);
    },
  );
});
