import { isIP } from 'node:net';
import type { FieldProblem } from '../common/errors/domain-error.js';

/**
 * Where a connection may point. The service sends the stored credential to that address, so an
 * endpoint is also a way to make the service call something on its own network: the cloud metadata
 * services (AWS/GCP/Azure at 169.254.169.254, AWS over IPv6 at fd00:ec2::254) hand out the
 * instance's own credentials to any caller. Link-local and metadata addresses are therefore refused
 * unless VOICEBOX_ALLOW_LINK_LOCAL_ENDPOINTS is on. Addresses are compared after the WHATWG URL
 * parser has normalised them, so decimal, octal and hex spellings of 169.254.169.254 and IPv4-mapped
 * IPv6 forms (`[::ffff:169.254.169.254]`) are caught too. A host *name* that resolves to such an
 * address is not looked up here (that would need DNS at write time and still race a rebinding).
 */
export function endpointProblems(
  field: string,
  value: string,
  opts: { allowLinkLocal: boolean },
): FieldProblem[] {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [{ field, reason: 'must be an absolute http(s) URL' }];
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return [{ field, reason: 'must be an absolute http(s) URL' }];
  const problems: FieldProblem[] = [];
  // Would be stored and returned in plain text: the credential belongs in `credential`.
  if (url.username !== '' || url.password !== '')
    problems.push({
      field,
      reason:
        'must not contain user:password (put them in credential, which is stored encrypted and never returned)',
    });
  if (!opts.allowLinkLocal && isLinkLocalOrMetadata(url.hostname))
    problems.push({
      field,
      reason:
        'is a link-local or cloud metadata address (169.254.0.0/16, fe80::/10, fd00:ec2::254); set VOICEBOX_ALLOW_LINK_LOCAL_ENDPOINTS=true to allow it',
    });
  return problems;
}

/** The URL with any user:password replaced by `***` (for display). */
export function withoutUserinfo(value: string): string {
  try {
    const url = new URL(value);
    if (url.username === '' && url.password === '') return value;
    url.username = '***';
    url.password = url.password === '' ? '' : '***';
    return url.toString();
  } catch {
    return value;
  }
}

/** `hostname` as URL gives it: IPv6 in brackets, IPv4 already in dotted decimal. */
export function isLinkLocalOrMetadata(hostname: string): boolean {
  const host = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  if (isIP(host) === 4) return isLinkLocalV4(host);
  if (isIP(host) !== 6) return false;
  const words = ipv6Words(host);
  if (!words) return false;
  // fe80::/10
  if ((words[0] & 0xffc0) === 0xfe80) return true;
  // fd00:ec2::254 (the AWS metadata service over IPv6)
  const metadata = [0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0254];
  if (words.every((w, i) => w === metadata[i])) return true;
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d) forms, and NAT64 (64:ff9b::/96)
  const v4 = `${words[6] >> 8}.${words[6] & 0xff}.${words[7] >> 8}.${words[7] & 0xff}`;
  const zeroPrefix = words.slice(0, 5).every((w) => w === 0);
  if (zeroPrefix && (words[5] === 0xffff || words[5] === 0)) return isLinkLocalV4(v4);
  const nat64 = words[0] === 0x64 && words[1] === 0xff9b && words.slice(2, 6).every((w) => w === 0);
  return nat64 && isLinkLocalV4(v4);
}

function isLinkLocalV4(ip: string): boolean {
  return ip.startsWith('169.254.');
}

/** Eight 16-bit words of an IPv6 address (with `::` expanded and a trailing dotted IPv4 read). */
function ipv6Words(ip: string): number[] | null {
  let text = ip.split('%')[0];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1].split('.').map(Number);
    text =
      text.slice(0, -dotted[1].length) +
      `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const parse = (s: string | undefined) => (s ? s.split(':').map((w) => parseInt(w, 16)) : []);
  const h = parse(head);
  const t = parse(tail);
  const words =
    tail === undefined ? h : [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  return words.length === 8 && words.every((w) => Number.isInteger(w)) ? words : null;
}
