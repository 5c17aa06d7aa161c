import { parseBody, parseQuery, principalOf } from '@llmgw/http';
import { type Response, Router } from 'express';
import type { KeyRow } from './keys.repository';
import {
  blockKeyRequestSchema,
  deleteKeyRequestSchema,
  generateKeyRequestSchema,
  keyInfoQuerySchema,
  keyListQuerySchema,
  regenerateKeyRequestSchema,
  updateKeyRequestSchema,
} from './keys.schemas';
import type { KeysService } from './keys.service';

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

/**
 * Set (to "1") on a read whose `spend` values are this service's stored copy because the spend service,
 * which owns spend totals, could not be reached. Management reads never fail because of it.
 */
export const SPEND_STALE_HEADER = 'x-llmgw-spend-stale';
const markStale = (res: Response, stale: boolean) => {
  if (stale) res.setHeader(SPEND_STALE_HEADER, '1');
};

/** The key row as LiteLLM returns it (`LiteLLM_VerificationToken`; the hash `token` is not secret). */
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

/** LiteLLM's GenerateKeyResponse: the raw key (shown once) plus the row; token and token_id are the hash. */
function generateResponse(raw: string, row: KeyRow) {
  const { token, ...rest } = keyRowToWire(row);
  return { key: raw, token, token_id: token, ...rest };
}

export function keysRoutes(service: KeysService): Router {
  const router = Router();

  router.post('/key/generate', async (req, res) => {
    const input = parseBody(generateKeyRequestSchema, req.body);
    const { raw, row } = await service.generate(principalOf(res), input);
    res.json(generateResponse(raw, row));
  });

  router.post('/key/update', async (req, res) => {
    const input = parseBody(updateKeyRequestSchema, req.body);
    const row = await service.update(principalOf(res), input);
    // LiteLLM answers the key as it was sent, then the full updated row (hash included).
    res.json({ key: input.key, ...keyRowToWire(row) });
  });

  router.post('/key/regenerate', async (req, res) => {
    const input = parseBody(regenerateKeyRequestSchema, req.body);
    const { raw, row } = await service.regenerate(principalOf(res), null, input);
    res.json(generateResponse(raw, row));
  });

  router.post('/key/:key/regenerate', async (req, res) => {
    const input = parseBody(regenerateKeyRequestSchema, req.body);
    const { raw, row } = await service.regenerate(principalOf(res), String(req.params.key), input);
    res.json(generateResponse(raw, row));
  });

  router.post('/key/delete', async (req, res) => {
    const input = parseBody(deleteKeyRequestSchema, req.body);
    res.json({ deleted_keys: await service.delete(principalOf(res), input) });
  });

  router.get('/key/info', async (req, res) => {
    const query = parseQuery(keyInfoQuerySchema, req.query);
    const { key, row, spendStale } = await service.info(principalOf(res), query.key);
    const { token: _token, ...info } = keyRowToWire(row);
    markStale(res, spendStale);
    res.json({ key, info });
  });

  router.get('/key/list', async (req, res) => {
    const query = parseQuery(keyListQuerySchema, req.query);
    const { rows, total, page, totalPages, spendStale } = await service.list(principalOf(res), query);
    markStale(res, spendStale);
    res.json({
      keys: rows.map((r) => (query.return_full_object ? keyRowToWire(r) : r.token)),
      total_count: total,
      current_page: page,
      total_pages: totalPages,
    });
  });

  router.post('/key/block', async (req, res) => {
    const { key } = parseBody(blockKeyRequestSchema, req.body);
    res.json(keyRowToWire(await service.setBlocked(principalOf(res), key, true)));
  });

  router.post('/key/unblock', async (req, res) => {
    const { key } = parseBody(blockKeyRequestSchema, req.body);
    res.json(keyRowToWire(await service.setBlocked(principalOf(res), key, false)));
  });

  // Any caller with a valid key; no logging callbacks are configured per key here, so always healthy.
  router.post('/key/health', (_req, res) => {
    res.json({ key: 'healthy', logging_callbacks: null });
  });

  return router;
}
