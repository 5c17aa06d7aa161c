import type { AuthRecord } from '@llmgw/contracts';
import { ProxyError } from '@llmgw/http';

/** Python's repr of a list of strings, as LiteLLM prints it in messages: `['a', 'b']`. */
export const pyList = (items: string[]) => `[${items.map((i) => `'${i}'`).join(', ')}]`;

function matches(allowed: string, model: string): boolean {
  if (allowed === model || allowed === '*' || allowed === 'all-proxy-models') return true;
  return allowed.endsWith('/*') && model.startsWith(allowed.slice(0, -1));
}

const ALL_TEAM_MODELS = 'all-team-models';
const NO_DEFAULT_MODELS = 'no-default-models';

const denied = (type: string, message: string) =>
  new ProxyError({ status: 401, message, type, param: 'model' });

/** The key's own list, with `all-team-models` standing for the team's list. */
function keyModels(record: AuthRecord): string[] {
  if (!record.models.includes(ALL_TEAM_MODELS)) return record.models;
  const team = record.team?.models ?? [];
  return [
    ...record.models.filter((m) => m !== ALL_TEAM_MODELS),
    ...(team.length ? team : ['all-proxy-models']),
  ];
}

/**
 * Model access in LiteLLM's order (wire contract §3 "models"): the key's list, then the team's, then
 * (personal keys only) the user's. An empty list allows every model; key and team aliases count as
 * allowed. Each level refuses with its own error type (401, param "model").
 */
export function assertKeyMayUse(record: AuthRecord | null, model: string): void {
  if (!record) return;
  const aliased = record.aliases[model] !== undefined || record.team?.modelAliases[model] !== undefined;
  const own = keyModels(record);
  if (own.length && !aliased && !own.some((m) => matches(m, model))) {
    throw denied(
      'key_model_access_denied',
      `key not allowed to access model. This key can only access models=${pyList(record.models)}. Tried to access ${model}`,
    );
  }
  const team = record.team;
  if (team?.models.length && !aliased && !team.models.some((m) => matches(m, model))) {
    throw denied(
      'team_model_access_denied',
      `Team not allowed to access model. Team=${team.teamId}, Model=${model}. Allowed team models = ${pyList(team.models)}`,
    );
  }
  const owner = record.owner;
  if (!team && owner && owner.models.length && !aliased) {
    if (owner.models.includes(NO_DEFAULT_MODELS)) {
      throw denied(
        'key_model_access_denied',
        `User not allowed to access model. No default model access, only team models allowed. Tried to access ${model}`,
      );
    }
    if (!owner.models.some((m) => matches(m, model))) {
      throw denied(
        'user_model_access_denied',
        `user not allowed to access model. This user can only access models=${pyList(owner.models)}. Tried to access ${model}`,
      );
    }
  }
}

/**
 * Models a key may list (wire contract §1.5): the key's list when set (`all-team-models` = the team's),
 * else the team's when set, else every configured model.
 */
export function visibleModels(record: AuthRecord | null, configured: string[]): string[] {
  if (!record) return configured;
  const list = record.models.length ? keyModels(record) : (record.team?.models ?? []);
  if (list.length === 0 || list.includes('all-proxy-models')) return configured;
  return configured.filter((m) => list.some((a) => matches(a, m)));
}
