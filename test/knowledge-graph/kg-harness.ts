import { KnowledgeGraphService } from '../../src/knowledge-graph/knowledge-graph.service.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

export interface KgHarness extends TestApp {
  kg: KnowledgeGraphService;
}

/** The real application (createApp) with the given environment, and its KnowledgeGraphService. */
export async function startKg(env: Record<string, string> = {}): Promise<KgHarness> {
  const t = await startTestApp(env);
  return Object.assign(t, { kg: t.app.get(KnowledgeGraphService) });
}
