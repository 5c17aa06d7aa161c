import { parseBody, principalOf } from '@llmgw/http';
import { Router } from 'express';
import type { KeyRow } from './keys.repository';
import { generateKeyRequestSchema } from './keys.schemas';
import type { KeysService } from './keys.service';

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

/** The key row as LiteLLM returns it (`LiteLLM_VerificationToken` minus nothing: the hash is public). */
export function keyRowToWire(row: KeyRow) {
  return {
    token: row.token,
    key_name: row.key_name,
    key_alias: row.key_alias,
    spend: row.spend,
    expires: iso(row.expires),
    models: row.models,
    aliases: row.aliases,
    config: row.config,
    user_id: row.user_id,
    team_id: row.team_id,
    permissions: row.permissions,
    max_parallel_requests: row.max_parallel_requests,
    metadata: row.metadata,
    blocked: row.blocked,
    tpm_limit: row.tpm_limit,
    rpm_limit: row.rpm_limit,
    max_budget: row.max_budget,
    soft_budget: row.soft_budget,
    budget_duration: row.budget_duration,
    budget_reset_at: iso(row.budget_reset_at),
    allowed_cache_controls: row.allowed_cache_controls,
    allowed_routes: row.allowed_routes,
    model_spend: row.model_spend,
    model_max_budget: row.model_max_budget,
    organization_id: row.organization_id,
    key_type: row.key_type,
    rotation_count: row.rotation_count,
    auto_rotate: row.auto_rotate,
    rotation_interval: row.rotation_interval,
    last_rotation_at: iso(row.last_rotation_at),
    key_rotation_at: iso(row.key_rotation_at),
    budget_id: null,
    litellm_budget_table: null,
    created_at: iso(row.created_at),
    created_by: row.created_by,
    updated_at: iso(row.updated_at),
    updated_by: row.updated_by,
  };
}

export function keysRoutes(service: KeysService): Router {
  const router = Router();

  router.post('/key/generate', async (req, res) => {
    const input = parseBody(generateKeyRequestSchema, req.body);
    const { raw, row } = await service.generate(principalOf(res), input);
    const { token, ...rest } = keyRowToWire(row);
    // LiteLLM's GenerateKeyResponse: the raw key (shown once) plus the row; token and token_id are the hash.
    res.json({ key: raw, token, token_id: token, ...rest });
  });

  return router;
}
