import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// No Docker engine runs on the CI machines, so the image cannot be built here; these are the
// promises the Dockerfile makes, read from the file itself (the Node 24 runtime is exercised by
// scripts/test.sh running the start-up suite on Node 24).
const dockerfile = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');
const stages = dockerfile.split(/^FROM /m).slice(1);
const runtime = stages.at(-1)!;

describe('Dockerfile', () => {
  it('is multi-stage on Node 24 LTS', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages) expect(s).toMatch(/^node:24[-\w.]*\s/);
  });

  it('ships production dependencies only and the built code', () => {
    expect(dockerfile).toMatch(/npm prune --omit=dev|npm ci --omit=dev/);
    expect(runtime).toMatch(/COPY --from=build .*\/app\/dist/);
    expect(runtime).not.toMatch(/COPY\s+(--\S+\s+)*src\b/);
  });

  it('runs as a non-root user, exposes 8000 and the metrics port, and checks /system/health', () => {
    const user = /^USER\s+(\S+)/m.exec(runtime)?.[1];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    expect(runtime).toMatch(/^EXPOSE 8000 9464$/m);
    expect(runtime).toMatch(/^HEALTHCHECK .*[\s\S]*\/system\/health/m);
    expect(runtime).toMatch(/^CMD \["node", "dist\/main\.js"\]$/m);
  });
});

describe('Dockerfile: runtime files', () => {
  it('ships the demo graph with its attribution, which the embedded store reads from dist/../data', () => {
    expect(runtime).toMatch(/^COPY .*\bdata \.\/data$/m);
  });
});
