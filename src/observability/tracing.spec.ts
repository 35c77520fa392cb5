import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { ConfigError, loadConfig } from '../config/load-config.js';
import { NoTracing, OtlpTracing, createTracing } from './tracing.js';

const quiet = pino({ level: 'silent' });

function problem(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a configuration error');
}

describe('tracing configuration (OTEL_*)', () => {
  it('is off by default: no endpoint, and no SDK started', async () => {
    const config = loadConfig({});
    expect(config.tracing).toMatchObject({
      endpoint: undefined,
      serviceName: 'voicebox-service',
      sampler: 'parentbased_always_on',
      samplerRatio: 1,
      batchDelayMs: 5000,
    });
    const tracing = createTracing(config, quiet, '1.0.0');
    expect(tracing).toBeInstanceOf(NoTracing);
    // Off, a span is the caller's own work and nothing more.
    await expect(tracing.inSpan('x', {}, () => Promise.resolve(42))).resolves.toBe(42);
    expect(tracing.startSpan('x', {}).isRecording()).toBe(false);
  });

  it('derives the traces URL from OTEL_EXPORTER_OTLP_ENDPOINT; the traces-specific variable wins as given', () => {
    expect(
      loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).tracing.endpoint,
    ).toBe('http://collector:4318/v1/traces');
    expect(
      loadConfig({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:9999/custom',
      }).tracing.endpoint,
    ).toBe('http://traces:9999/custom');
    const on = loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' });
    expect(createTracing(on, quiet, '1.0.0')).toBeInstanceOf(OtlpTracing);
  });

  it('starts nothing when OTEL_SDK_DISABLED=true, whatever the endpoint', () => {
    const config = loadConfig({
      OTEL_SDK_DISABLED: 'true',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
    });
    expect(config.tracing.endpoint).toBeUndefined();
    expect(createTracing(config, quiet, '1.0.0')).toBeInstanceOf(NoTracing);
  });

  it('reads exporter headers percent-decoded, and treats their values as secrets', () => {
    const config = loadConfig({
      OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer%20abc-123-secret, x-tenant=acme',
    });
    expect(config.tracing.headers).toEqual({
      authorization: 'Bearer abc-123-secret',
      'x-tenant': 'acme',
    });
    expect(config.secretValues).toContain('Bearer abc-123-secret');
  });

  it.each([
    [
      { OTEL_EXPORTER_OTLP_HEADERS: 'no-equals-sign-secret-value' },
      'OTEL_EXPORTER_OTLP_HEADERS: must be name=value pairs separated by commas (values percent-encoded)',
    ],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, 'OTEL_EXPORTER_OTLP_ENDPOINT'],
    [
      { OTEL_TRACES_SAMPLER_ARG: '1.5' },
      'OTEL_TRACES_SAMPLER_ARG: must be a ratio between 0 and 1',
    ],
    [
      { OTEL_TRACES_SAMPLER: 'jaeger_remote' },
      'OTEL_TRACES_SAMPLER: must be one of always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio (got "jaeger_remote")',
    ],
    [{ OTEL_BSP_SCHEDULE_DELAY: '0' }, 'OTEL_BSP_SCHEDULE_DELAY: must be between 1 and 600000'],
  ])('refuses %j naming the variable', (env, message) => {
    const text = problem(env);
    expect(text).toContain(message);
    expect(text).not.toContain('secret-value');
  });

  it('takes a sampling ratio', () => {
    const config = loadConfig({
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
    });
    expect(config.tracing).toMatchObject({
      sampler: 'parentbased_traceidratio',
      samplerRatio: 0.25,
    });
  });
});
