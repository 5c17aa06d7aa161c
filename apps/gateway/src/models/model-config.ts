import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';

const ENV_REF = /^os\.environ\/(.+)$/;
const SECRET_PARAM = /api_key|secret|password|credential|access_key|auth_token|session_token|private_key/i;

/**
 * LiteLLM's config.yaml `model_list`, so a LiteLLM config works unchanged for OpenAI-compatible
 * upstreams. `os.environ/NAME` values are read from the environment at load time.
 */
const litellmParamsSchema = z
  .object({
    model: z.string().min(1),
    /** A URL, or `os.environ/NAME` whose value must be one (checked after resolving). */
    api_base: z
      .string()
      .refine((v) => ENV_REF.test(v) || z.string().url().safeParse(v).success, 'Invalid URL')
      .optional(),
    api_key: z.string().optional(),
    rpm: z.number().int().positive().optional(),
    tpm: z.number().int().positive().optional(),
    timeout: z.number().positive().optional(),
    input_cost_per_token: z.number().min(0).optional(),
    output_cost_per_token: z.number().min(0).optional(),
  })
  .passthrough();

const modelEntrySchema = z.object({
  model_name: z.string().min(1),
  litellm_params: litellmParamsSchema,
  model_info: z
    .object({
      id: z.string().optional(),
      input_cost_per_token: z.number().min(0).optional(),
      output_cost_per_token: z.number().min(0).optional(),
    })
    .passthrough()
    .default({}),
});

const configSchema = z.object({ model_list: z.array(modelEntrySchema).default([]) }).passthrough();

export interface Deployment {
  /** The public model group name clients send (`model_name`). */
  modelName: string;
  /** The upstream model id (`litellm_params.model` without its provider prefix). */
  upstreamModel: string;
  id: string;
  apiBase: string;
  apiKey: string | null;
  rpm: number | null;
  tpm: number | null;
  inputCostPerToken: number | null;
  outputCostPerToken: number | null;
  /** `litellm_params` without secrets, for /model/info. */
  publicParams: Record<string, unknown>;
}

export class ModelConfigError extends Error {}

function resolveEnvRef(value: string | undefined, env: NodeJS.ProcessEnv, where: string): string | undefined {
  if (value === undefined) return undefined;
  const m = ENV_REF.exec(value);
  if (!m?.[1]) return value;
  const resolved = env[m[1]];
  if (resolved === undefined) throw new ModelConfigError(`${where}: environment variable ${m[1]} is not set`);
  return resolved;
}

/** Parses a LiteLLM config.yaml text into deployments; errors name the entry and field. */
export function parseModelConfig(text: string, env: NodeJS.ProcessEnv = process.env): Deployment[] {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    throw new ModelConfigError(`config is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const parsed = configSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ModelConfigError(`${issue?.path.join('.') || 'config'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data.model_list.map((entry, i) => {
    const where = `model_list.${i} (${entry.model_name})`;
    const p = entry.litellm_params;
    const apiBase =
      resolveEnvRef(p.api_base, env, `${where}.litellm_params.api_base`) ?? 'https://api.openai.com/v1';
    if (!z.string().url().safeParse(apiBase).success) {
      throw new ModelConfigError(`${where}.litellm_params.api_base: Invalid URL`);
    }
    const apiKey = resolveEnvRef(p.api_key, env, `${where}.litellm_params.api_key`) ?? null;
    // Credentials of any provider (api_key, aws_secret_access_key, vertex_credentials, ...) never leave.
    const publicParams = Object.fromEntries(Object.entries(p).filter(([k]) => !SECRET_PARAM.test(k)));
    return {
      modelName: entry.model_name,
      upstreamModel: p.model.includes('/') ? p.model.slice(p.model.indexOf('/') + 1) : p.model,
      id: entry.model_info.id ?? `${entry.model_name}-${i}`,
      apiBase: apiBase.replace(/\/+$/, ''),
      apiKey,
      rpm: p.rpm ?? null,
      tpm: p.tpm ?? null,
      inputCostPerToken: entry.model_info.input_cost_per_token ?? p.input_cost_per_token ?? null,
      outputCostPerToken: entry.model_info.output_cost_per_token ?? p.output_cost_per_token ?? null,
      publicParams,
    };
  });
}

export function loadModelConfig(path: string, env: NodeJS.ProcessEnv = process.env): Deployment[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ModelConfigError(`CONFIG_FILE ${path}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
  return parseModelConfig(text, env);
}
