/* global process, console, performance */
// The cost of one JWT verification that misses the verified-token cache: our passport-jwt strategy
// (jwks-rsa keys parsed once into KeyObjects) against the default passport-jwt + jwks-rsa stack
// (passportJwtSecret, which hands jsonwebtoken a PEM string that it parses on every call).
//
//   npm run build && node bench/jwt-verify.bench.js
//
// Env: BENCH_TOKENS (distinct tokens, default 3000), BENCH_ROUNDS (default 3; the median is kept).
// Both run in this process, one after the other per round, on the same distinct tokens.
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { passportJwtSecret } from 'jwks-rsa';
import passport from 'passport';
import { Strategy } from 'passport-jwt';
import { JwksKeyStore } from '../dist/auth/jwks-key-store.js';
import { runJwtStrategy } from '../dist/auth/jwt-strategy.js';
import { JwtVerifier } from '../dist/auth/jwt-verifier.js';

const AUDIENCE = 'https://voicebox.bench/api';
const count = Number(process.env.BENCH_TOKENS ?? 3000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);

const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await exportJWK(publicKey)), kid: 'bench-key', alg: 'RS256', use: 'sig' };
const jwks = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
});
await new Promise((r) => jwks.listen(0, '127.0.0.1', r));
const issuer = `http://127.0.0.1:${jwks.address().port}`;
const jwksUri = `${issuer}/jwks`;

const now = Math.floor(Date.now() / 1000);
const sign = (i) =>
  new SignJWT({ scp: ['voicebox:read'], n: i })
    .setProtectedHeader({ alg: 'RS256', kid: 'bench-key' })
    .setIssuer(issuer)
    .setAudience(AUDIENCE)
    .setSubject(`bench-user-${i}`)
    .setExpirationTime(now + 3600)
    .sign(privateKey);

const config = {
  jwksUri,
  issuer,
  audience: AUDIENCE,
  requiredScopes: [],
  scopeClaimNames: ['scp'],
  subjectClaimName: 'sub',
  algorithms: ['RS256'],
  leewaySeconds: 60,
  jwksCacheTtlSeconds: 3600,
};

const registry = new passport.Passport();
const store = new JwksKeyStore({
  uri: jwksUri,
  ttlMs: 3_600_000,
  cooldownMs: 30_000,
  timeoutMs: 5000,
});
// A fresh verifier per round would refetch; one verifier, distinct tokens: every call misses the cache.
const ours = new JwtVerifier(config, store, registry, 'jwt');
registry.use(
  'default',
  new Strategy(
    {
      jwtFromRequest: (req) => req.token,
      secretOrKeyProvider: passportJwtSecret({ jwksUri, cache: true, rateLimit: true }),
      issuer,
      audience: AUDIENCE,
      algorithms: ['RS256'],
    },
    (payload, done) => done(null, payload),
  ),
);
const defaultStack = async (token) => {
  const outcome = await runJwtStrategy(registry, 'default', token);
  if (!outcome.user) throw new Error('default stack refused a good token');
};

const time = async (tokens, verify) => {
  const start = performance.now();
  for (const token of tokens) await verify(token);
  return ((performance.now() - start) * 1000) / tokens.length;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const oursUs = [];
const defaultUs = [];
try {
  await ours.verify(await sign(-1)); // first fetch of the JWKS, JIT warm-up
  await defaultStack(await sign(-2));
  for (let round = 0; round < rounds; round++) {
    const tokens = await Promise.all(
      Array.from({ length: count }, (_, i) => sign(round * count + i)),
    );
    defaultUs.push(await time(tokens, defaultStack));
    oursUs.push(await time(tokens, (t) => ours.verify(t)));
  }
} finally {
  jwks.close();
}
const o = median(oursUs);
const d = median(defaultUs);
console.log(
  `\nOne uncached verification, ${count} distinct RS256 tokens, median of ${rounds} rounds`,
);
console.log('| stack | µs per verification | speed-up |');
console.log('| --- | --- | --- |');
console.log(`| passport-jwt + jwks-rsa defaults (PEM per call) | ${d.toFixed(1)} | 1.00 |`);
console.log(
  `| ours: passport-jwt, KeyObject from our key store | ${o.toFixed(1)} | ${(d / o).toFixed(2)} |`,
);
