/**
 * Expected wire bodies of the key routes, for the keys service's tests and the e2e tests: LiteLLM's key row
 * with its defaults, overridden per test. Call inside a test (uses jest's `expect`).
 */
import { createHash } from 'node:crypto';

export const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');

/** A key row as every key route returns it, for a key created by `createdBy` with no options. */
export function keyWireRow(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    token: expectAnyString(),
    key_name: expectAnyString(),
    key_alias: null,
    spend: 0,
    expires: null,
    models: [],
    aliases: {},
    config: {},
    user_id: null,
    team_id: null,
    permissions: {},
    max_parallel_requests: null,
    metadata: {},
    blocked: null,
    tpm_limit: null,
    rpm_limit: null,
    max_budget: null,
    soft_budget: null,
    budget_duration: null,
    budget_reset_at: null,
    allowed_cache_controls: [],
    allowed_routes: [],
    model_spend: {},
    model_max_budget: {},
    organization_id: null,
    key_type: 'default',
    rotation_count: 0,
    auto_rotate: false,
    rotation_interval: null,
    last_rotation_at: null,
    key_rotation_at: null,
    budget_id: null,
    litellm_budget_table: null,
    created_at: expectAnyString(),
    created_by: 'default_user_id',
    updated_at: expectAnyString(),
    updated_by: 'default_user_id',
    ...overrides,
  };
}

/** GenerateKeyResponse for a raw key: the raw key, token = token_id = its hash, and the row. */
export function generatedKey(raw: string, overrides: Record<string, unknown> = {}) {
  return {
    key: raw,
    token_id: sha256(raw),
    ...keyWireRow({ token: sha256(raw), key_name: `sk-...${raw.slice(-4)}`, ...overrides }),
  };
}

/** LiteLLM's error envelope. */
export function errorBody(status: number, message: string, type: string, param: string | null = 'None') {
  return { error: { message, type, param, code: String(status) } };
}

function expectAnyString() {
  return expect.any(String);
}
