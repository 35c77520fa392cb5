import { z } from 'zod';
import { isHttpUrl } from './env-parsers.js';

/** The JSON file named by VBX_CONFIG_FILE, as existing Voicebox deployments write it (README). */
export const LLM_PROVIDERS = [
  'openai',
  'azure',
  'bedrock',
  'databricks',
  'fireworks',
  'vertex',
] as const;
export type LlmProviderName = (typeof LLM_PROVIDERS)[number];

const providerArgsSchema = z
  .object({
    headers: z.record(z.string(), z.string({ error: 'must be a string' })).optional(),
    project: z.string().min(1, 'must not be empty').optional(),
    region: z.string().min(1, 'must not be empty').optional(),
    api_version: z.string().min(1, 'must not be empty').optional(),
  })
  .catchall(z.unknown());

export const llmConfigSchema = z
  .object({
    llm_provider: z.enum(LLM_PROVIDERS, {
      error: `must be one of ${LLM_PROVIDERS.join(', ')}`,
    }),
    llm_name: z.string({ error: 'is required (a model name)' }).min(1, 'must not be empty'),
    server_url: z
      .string()
      .refine(isHttpUrl, { message: 'must be an absolute http(s) URL' })
      .optional(),
    max_tokens: z
      .number({ error: 'must be a number' })
      .int('must be an integer')
      .positive('must be a positive integer')
      .optional(),
    temperature: z.number().min(0).max(2).optional(),
    provider_args: providerArgsSchema.optional(),
  })
  .superRefine((c, ctx) => {
    if (c.llm_provider === 'vertex' && c.provider_args?.project === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['provider_args', 'project'],
        message: 'is required for llm_provider "vertex" (the Google Cloud project)',
      });
    }
    if ((c.llm_provider === 'azure' || c.llm_provider === 'databricks') && !c.server_url) {
      ctx.addIssue({
        code: 'custom',
        path: ['server_url'],
        message: `is required for llm_provider "${c.llm_provider}"`,
      });
    }
  });

export const vbxConfigSchema = z.object({
  enable_external_llm: z.boolean({ error: 'must be true or false' }).default(false),
  enable_analytics: z.boolean({ error: 'must be true or false' }).default(true),
  enable_charts: z.boolean({ error: 'must be true or false' }).default(true),
  default_llm_config: llmConfigSchema,
  external_llm_config: llmConfigSchema.optional(),
});

export type RawLlmConfig = z.output<typeof llmConfigSchema>;
export type RawVbxConfig = z.output<typeof vbxConfigSchema>;
