import { addDuration, nextBudgetReset, type Principal, parseDuration } from '@llmgw/contracts';
import type { Kysely } from '@llmgw/db';
import type { AuthCache } from '../auth-record/auth-cache';
import type { KeysDB } from '../db';
import { generateRawKey, hashKey, keyName } from './key-format';
import { keyErrors } from './keys.errors';
import { assertMayGenerate } from './keys.policy';
import { AliasTakenError, type KeyRow, keysRepository, TokenTakenError } from './keys.repository';
import type { GenerateKeyRequest } from './keys.schemas';

export interface KeysServiceDeps {
  db: Kysely<KeysDB>;
  authCache: AuthCache;
  now: () => Date;
}

/** `key_type` presets LiteLLM applies to `allowed_routes` when none are given. */
const KEY_TYPE_ROUTES: Record<string, string[]> = {
  llm_api: ['llm_api_routes'],
  management: ['management_routes'],
  read_only: ['info_routes'],
};

export interface GeneratedKey {
  raw: string;
  row: KeyRow;
}

export function createKeysService({ db, authCache, now }: KeysServiceDeps) {
  return {
    async generate(principal: Principal, input: GenerateKeyRequest): Promise<GeneratedKey> {
      assertMayGenerate(principal, input);
      if (input.key !== undefined && !input.key.startsWith('sk-'))
        throw keyErrors.invalidCustomKey(input.key);
      const raw = input.key ?? generateRawKey();
      const at = now();
      const duration = input.duration ? parseDuration(input.duration) : null;
      const budgetDuration = input.budget_duration ? parseDuration(input.budget_duration) : null;
      const metadata: Record<string, unknown> = { ...input.metadata };
      // LiteLLM keeps per-model limits inside metadata; the gateway reads them from there.
      if (input.model_rpm_limit) metadata.model_rpm_limit = input.model_rpm_limit;
      if (input.model_tpm_limit) metadata.model_tpm_limit = input.model_tpm_limit;
      const allowedRoutes = input.allowed_routes.length
        ? input.allowed_routes
        : (KEY_TYPE_ROUTES[input.key_type] ?? []);
      const token = hashKey(raw);
      try {
        const row = await keysRepository.insert(db, {
          token,
          key_name: keyName(raw),
          key_alias: input.key_alias ?? null,
          spend: input.spend,
          expires: duration ? addDuration(at, duration) : null,
          models: JSON.stringify(input.models),
          aliases: JSON.stringify(input.aliases),
          config: JSON.stringify(input.config),
          permissions: JSON.stringify(input.permissions),
          metadata: JSON.stringify(metadata),
          user_id: input.user_id ?? null,
          team_id: input.team_id ?? null,
          organization_id: input.organization_id ?? null,
          blocked: input.blocked ?? null,
          max_parallel_requests: input.max_parallel_requests ?? null,
          tpm_limit: input.tpm_limit ?? null,
          rpm_limit: input.rpm_limit ?? null,
          max_budget: input.max_budget ?? null,
          soft_budget: input.soft_budget ?? null,
          budget_duration: input.budget_duration ?? null,
          budget_reset_at: budgetDuration ? nextBudgetReset(at, budgetDuration) : null,
          allowed_cache_controls: JSON.stringify(input.allowed_cache_controls),
          allowed_routes: JSON.stringify(allowedRoutes),
          model_spend: JSON.stringify({}),
          model_max_budget: JSON.stringify(input.model_max_budget),
          key_type: input.key_type,
          auto_rotate: input.auto_rotate,
          rotation_interval: input.rotation_interval ?? null,
          created_at: at,
          updated_at: at,
          created_by: principal.userId,
          updated_by: principal.userId,
        });
        // Write-through: the gateway finds a new key in Redis on its first request.
        await authCache.refresh(token);
        return { raw, row };
      } catch (err) {
        if (err instanceof AliasTakenError) throw keyErrors.aliasTaken(input.key_alias ?? '');
        if (err instanceof TokenTakenError) throw keyErrors.keyTaken();
        throw err;
      }
    },
  };
}
export type KeysService = ReturnType<typeof createKeysService>;
