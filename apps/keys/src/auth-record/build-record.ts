import type { AuthRecord } from '@llmgw/contracts';
import type { KeyRow } from '../keys/keys.repository';

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

/** Maps a key row to the record the gateway decides on. Owner and team facts join here later. */
export function buildAuthRecord(row: KeyRow, gen: number): AuthRecord {
  return {
    found: true,
    gen,
    token: row.token,
    keyName: row.key_name,
    keyAlias: row.key_alias,
    userId: row.user_id,
    teamId: row.team_id,
    userRole: null,
    models: row.models,
    aliases: row.aliases,
    blocked: row.blocked === true,
    expires: iso(row.expires),
    spend: row.spend,
    maxBudget: row.max_budget,
    tpmLimit: row.tpm_limit,
    rpmLimit: row.rpm_limit,
    maxParallelRequests: row.max_parallel_requests,
    allowedRoutes: row.allowed_routes,
    metadata: row.metadata,
  };
}
