import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Service, ServiceAccount } from 'kubernetes-models/v1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { SECRET_ENV_NAMES } from '../../src/config/env.schema.js';
import { loadConfig } from '../../src/config/load-config.js';
import { validateLlmCredentials } from '../../src/llm/llm-credentials.js';

// Each overlay is rendered by the real `kubectl kustomize` (scripts/install-test-deps.sh provides
// kubectl where it is missing), every object is validated against the Kubernetes schemas of
// kubernetes-models, and what the cluster would hand the process (the env and the JSON file) is run
// through the service's own configuration loader.
const KUSTOMIZE_ROOT = fileURLToPath(new URL('../../deploy/kubernetes/', import.meta.url));
const OVERLAYS = ['single-postgres', 'split'] as const;

/** The schema of each kind the overlays may contain; any other kind fails the test. */
const MODELS: Record<string, { new (o: never): { validate(): void } }> = {
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
};

/** The parts of the rendered objects these tests read (the schemas above check the rest). */
interface Labels {
  [k: string]: string;
}
interface Container {
  ports: Array<{ name?: string; containerPort: number }>;
  env: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { key: string } } }>;
  envFrom?: Array<{ configMapRef: { name: string } }>;
  securityContext: {
    allowPrivilegeEscalation: boolean;
    readOnlyRootFilesystem: boolean;
    runAsNonRoot: boolean;
    privileged?: boolean;
    capabilities: { drop: string[]; add?: string[] };
  };
  livenessProbe: { httpGet: { path: string; port: string | number } };
  readinessProbe: { httpGet: { path: string; port: string | number } };
  resources: Record<'requests' | 'limits', { cpu?: string; memory?: string }>;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  volumeMounts: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
}
interface PodSpec {
  automountServiceAccountToken: boolean;
  terminationGracePeriodSeconds: number;
  securityContext: { runAsNonRoot: boolean; seccompProfile: { type: string } };
  containers: Container[];
  volumes: Array<{ name: string; emptyDir?: object; configMap?: { name: string } }>;
}
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  spec: {
    replicas?: number;
    selector: { matchLabels: Labels } & Labels;
    template: { metadata: { labels: Labels }; spec: PodSpec };
    scaleTargetRef: { kind: string; name: string };
    minReplicas: number;
    ports: Array<{ port: number; targetPort: string | number }>;
    podSelector: { matchLabels: Labels };
    ingress: Array<{
      from?: Array<{ podSelector: { matchLabels: Labels } }>;
      ports?: Array<{ port: string | number }>;
    }>;
  };
}

function render(overlay: string): K8sObject[] {
  const out = execFileSync('kubectl', ['kustomize', join(KUSTOMIZE_ROOT, 'overlays', overlay)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return parseAllDocuments(out).map((d) => d.toJS() as K8sObject);
}

const byKind = (objs: K8sObject[], kind: string) => objs.filter((o) => o.kind === kind);
const named = (objs: K8sObject[], kind: string, name: string) => {
  const found = objs.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`${kind} ${name} is referenced but not rendered`);
  return found;
};
const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

/** Fixture values for every key of the credentials Secret, as an operator would fill it. */
const SECRET_FIXTURES: Record<string, string> = {
  DATABASE_URL: 'postgresql://voicebox:db-password-fixture@postgres.example:5432/voicebox',
  VOICEBOX_SECRET_KEY: 'a'.repeat(64),
  VOICEBOX_ADMIN_TOKEN: 'admin-token-fixture-0123456789',
};

/** The environment the container would get, secrets filled from SECRET_FIXTURES or a fixture. */
function containerEnv(objs: K8sObject[], container: Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    Object.assign(env, named(objs, 'ConfigMap', from.configMapRef.name).data);
  }
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env[e.name] = String(e.value);
    else if (e.valueFrom?.secretKeyRef) {
      env[e.name] = SECRET_FIXTURES[e.valueFrom.secretKeyRef.key] ?? `fixture-${e.name}-0123456789`;
    }
  }
  return env;
}

describe.each(OVERLAYS)('Kubernetes overlay %s', (overlay) => {
  let objs: K8sObject[];
  let deployments: K8sObject[];
  let scratch: string;

  beforeAll(() => {
    objs = render(overlay);
    deployments = byKind(objs, 'Deployment');
    scratch = mkdtempSync(join(tmpdir(), `vbx-k8s-${overlay}-`));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('renders objects that all validate against the Kubernetes schemas', () => {
    expect(objs.length).toBeGreaterThan(5);
    for (const o of objs) {
      const Model = MODELS[`${o.apiVersion}/${o.kind}`];
      expect(Model, `no schema for ${o.apiVersion} ${o.kind}`).toBeDefined();
      expect(() => new Model(o as never).validate(), `${o.kind} ${o.metadata.name}`).not.toThrow();
    }
  });

  it('runs every Deployment under a restricted securityContext with a writable /tmp only', () => {
    expect(deployments.length).toBeGreaterThan(0);
    for (const d of deployments) {
      const pod = d.spec.template.spec;
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      expect(pod.securityContext.seccompProfile.type).toBe('RuntimeDefault');
      expect(pod.automountServiceAccountToken).toBe(false);
      for (const c of pod.containers) {
        const sc = c.securityContext;
        expect(sc.allowPrivilegeEscalation).toBe(false);
        expect(sc.readOnlyRootFilesystem).toBe(true);
        expect(sc.runAsNonRoot).toBe(true);
        expect(sc.capabilities.drop).toEqual(['ALL']);
        expect(sc.capabilities.add).toBeUndefined();
        expect(sc.privileged ?? false).toBe(false);
        const volumes = new Map(pod.volumes.map((v) => [v.name, v]));
        const tmp = c.volumeMounts.find((m) => m.mountPath === '/tmp');
        expect(volumes.get(tmp?.name ?? '')?.emptyDir, '/tmp is an emptyDir').toBeDefined();
        // Anything writable is scratch space that dies with the pod, never the image's files.
        for (const m of c.volumeMounts) {
          const v = volumes.get(m.name);
          expect(v, `volume ${m.name}`).toBeDefined();
          if (!m.readOnly)
            expect(v?.emptyDir, `${m.mountPath} writable but not an emptyDir`).toBeDefined();
        }
      }
    }
  });

  it('probes the service’s own endpoints and sets requests and limits', () => {
    for (const d of deployments) {
      for (const c of d.spec.template.spec.containers) {
        const portOf = (p: string | number) =>
          typeof p === 'number' ? p : c.ports.find((x) => x.name === p)?.containerPort;
        expect(c.livenessProbe.httpGet.path).toBe('/system/health');
        expect(c.readinessProbe.httpGet.path).toBe('/system/ready');
        expect(portOf(c.livenessProbe.httpGet.port)).toBe(8000);
        expect(portOf(c.readinessProbe.httpGet.port)).toBe(8000);
        for (const kind of ['requests', 'limits'] as const) {
          expect(c.resources[kind].cpu, `${kind}.cpu`).toBeDefined();
          expect(c.resources[kind].memory, `${kind}.memory`).toBeDefined();
        }
      }
    }
  });

  it('gives the process longer to stop than its own shutdown timeout plus the preStop pause', () => {
    for (const d of deployments) {
      const pod = d.spec.template.spec;
      for (const c of pod.containers) {
        const shutdown = Number(containerEnv(objs, c).VOICEBOX_SHUTDOWN_TIMEOUT_SECONDS ?? 25);
        const cmd: string[] = c.lifecycle?.preStop?.exec?.command ?? [];
        const pause = cmd[0] === 'sleep' ? Number(cmd[1]) : 0;
        expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(shutdown + pause);
      }
    }
  });

  it('takes every credential from a Secret and never holds one in plain text', () => {
    const plainKeys = new Set<string>();
    for (const cm of byKind(objs, 'ConfigMap')) {
      for (const k of Object.keys(cm.data ?? {})) plainKeys.add(k);
    }
    for (const d of deployments) {
      for (const c of d.spec.template.spec.containers) {
        const env = new Map(c.env.map((e) => [e.name, e]));
        for (const name of [...SECRET_ENV_NAMES, 'AWS_ACCESS_KEY_ID']) {
          const ref = env.get(name)?.valueFrom?.secretKeyRef;
          expect(ref, `${name} from a secretKeyRef`).toBeDefined();
          expect(ref?.key).toBe(name);
          expect(plainKeys.has(name), `${name} in a ConfigMap`).toBe(false);
        }
        for (const e of c.env) expect(e.value, `${e.name} as a plain value`).toBeUndefined();
      }
    }
  });

  it('hands the process a configuration its own loader accepts', () => {
    for (const d of deployments) {
      const pod = d.spec.template.spec;
      for (const c of pod.containers) {
        const env = containerEnv(objs, c);
        // Lay each ConfigMap volume out on disk where the mount would put it.
        let configFile = env.VBX_CONFIG_FILE;
        expect(configFile, 'VBX_CONFIG_FILE').toBeDefined();
        for (const m of c.volumeMounts) {
          const cmName = pod.volumes.find((v) => v.name === m.name)?.configMap?.name;
          if (!cmName || !configFile.startsWith(`${m.mountPath}/`)) continue;
          const dir = join(scratch, d.metadata.name, m.name);
          mkdirSync(dir, { recursive: true });
          for (const [file, text] of Object.entries(named(objs, 'ConfigMap', cmName).data ?? {})) {
            writeFileSync(join(dir, file), String(text));
          }
          configFile = join(dir, configFile.slice(m.mountPath.length + 1));
        }
        const config = loadConfig({ ...env, VBX_CONFIG_FILE: configFile }, scratch);
        expect(validateLlmCredentials(config)).toEqual([]);
        expect(config.database.url).toBe(SECRET_FIXTURES.DATABASE_URL);
        expect(config.server.port).toBe(8000);
      }
    }
  });

  it('wires Service, autoscaler and disruption budget to the pods of their own Deployment', () => {
    const services = byKind(objs, 'Service');
    for (const d of deployments) {
      const labels = d.spec.template.metadata.labels;
      expect(matches(d.spec.selector.matchLabels, labels)).toBe(true);
      // No other Deployment's pods fall under this one's selector.
      for (const other of deployments.filter((x) => x !== d)) {
        expect(matches(d.spec.selector.matchLabels, other.spec.template.metadata.labels)).toBe(
          false,
        );
      }
      const hpa = byKind(objs, 'HorizontalPodAutoscaler').find(
        (h) =>
          h.spec.scaleTargetRef.kind === 'Deployment' &&
          h.spec.scaleTargetRef.name === d.metadata.name,
      );
      expect(hpa, `HPA for ${d.metadata.name}`).toBeDefined();
      expect(hpa!.spec.minReplicas).toBeGreaterThanOrEqual(2);
      expect(d.spec.replicas, 'replicas left to the HPA').toBeUndefined();
      const pdbs = byKind(objs, 'PodDisruptionBudget').filter((p) =>
        matches(p.spec.selector.matchLabels, labels),
      );
      expect(pdbs).toHaveLength(1);
      const svc = services.filter((s) => matches(s.spec.selector, labels));
      expect(svc).toHaveLength(1);
      expect(svc[0].spec.ports[0].targetPort).toBe('http');
    }
  });
});

describe('Kubernetes overlay split: gateway → Voicebox Service', () => {
  let objs: K8sObject[];
  beforeAll(() => {
    objs = render('split');
  });

  const deploymentOf = (component: string) =>
    byKind(objs, 'Deployment').find(
      (d) => d.spec.template.metadata.labels['app.kubernetes.io/component'] === component,
    )!;

  it('points the gateway at the Voicebox Service’s own Service and makes that one require JWTs', () => {
    const gateway = deploymentOf('gateway');
    const backend = deploymentOf('voicebox-service');
    expect(gateway && backend).toBeTruthy();
    const gwEnv = containerEnv(objs, gateway.spec.template.spec.containers[0]);
    const beEnv = containerEnv(objs, backend.spec.template.spec.containers[0]);
    expect(beEnv.REQUIRE_JWT_AUTH).toBe('true');
    expect(gwEnv.REQUIRE_JWT_AUTH).toBeUndefined();
    expect(beEnv.VOICEBOX_SERVICE_ENDPOINT).toBeUndefined();
    const target = new URL(gwEnv.VOICEBOX_SERVICE_ENDPOINT);
    const svc = named(objs, 'Service', target.hostname);
    expect(matches(svc.spec.selector, backend.spec.template.metadata.labels)).toBe(true);
    expect(svc.spec.ports.map((p) => p.port)).toContain(Number(target.port));
    // The scope the gateway asks for is the one the Voicebox Service requires.
    expect(beEnv.JWT_REQUIRED_SCOPE).toBe(gwEnv.VOICEBOX_SERVICE_SCOPE);
    // The audience the gateway exchanges the user's token for is the one the Voicebox Service checks.
    expect(beEnv.JWT_AUDIENCE).toBe(gwEnv.OKTA_AUTHORIZATION_SERVER_AUDIENCE);
  });

  it('lets only the gateway’s pods reach the Voicebox Service’s API port', () => {
    const [policy] = byKind(objs, 'NetworkPolicy');
    const gateway = deploymentOf('gateway').spec.template.metadata.labels;
    const backend = deploymentOf('voicebox-service').spec.template.metadata.labels;
    expect(matches(policy.spec.podSelector.matchLabels, backend)).toBe(true);
    expect(matches(policy.spec.podSelector.matchLabels, gateway)).toBe(false);
    const apiRules = policy.spec.ingress.filter(
      (r) => !r.ports || r.ports.some((p) => p.port === 'http' || p.port === 8000),
    );
    expect(apiRules.length).toBeGreaterThan(0);
    for (const rule of apiRules) {
      // A rule without `from` admits every source.
      expect(rule.from, 'API rule without a from').toBeDefined();
      for (const f of rule.from!) expect(matches(f.podSelector.matchLabels, gateway)).toBe(true);
    }
  });
});
