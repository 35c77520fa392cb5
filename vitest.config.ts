import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// esbuild cannot emit decorator metadata, which Nest's constructor injection needs: route through SWC.
const swcPlugin = swc.vite({
  jsc: { transform: { legacyDecorator: true, decoratorMetadata: true }, target: 'es2023' },
});

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [swcPlugin],
        test: { name: 'unit', include: ['src/**/*.spec.ts'], environment: 'node' },
      },
      {
        plugins: [swcPlugin],
        test: {
          name: 'e2e',
          include: ['test/**/*.e2e-spec.ts'],
          // One embedded PostgreSQL for the run; each test app takes a fresh database on it.
          globalSetup: ['test/support/postgres-global-setup.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
