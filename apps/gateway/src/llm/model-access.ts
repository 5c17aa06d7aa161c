import type { AuthRecord } from '@llmgw/contracts';
import { ProxyError } from '@llmgw/http';

/** Python's repr of a list of strings, as LiteLLM prints it in messages: `['a', 'b']`. */
export const pyList = (items: string[]) => `[${items.map((i) => `'${i}'`).join(', ')}]`;

function matches(allowed: string, model: string): boolean {
  if (allowed === model || allowed === '*' || allowed === 'all-proxy-models') return true;
  return allowed.endsWith('/*') && model.startsWith(allowed.slice(0, -1));
}

/** Key-level model access (wire contract §3 "models"): an empty list allows every model. */
export function assertKeyMayUse(record: AuthRecord | null, model: string): void {
  if (!record || record.models.length === 0) return;
  if (record.aliases[model] !== undefined) return;
  if (record.models.some((m) => matches(m, model))) return;
  throw new ProxyError({
    status: 401,
    message: `key not allowed to access model. This key can only access models=${pyList(record.models)}. Tried to access ${model}`,
    type: 'key_model_access_denied',
    param: 'model',
  });
}

/** Models a key may list: its own list when set, otherwise everything configured. */
export function visibleModels(record: AuthRecord | null, configured: string[]): string[] {
  if (!record || record.models.length === 0 || record.models.includes('all-proxy-models')) return configured;
  return configured.filter((m) => record.models.some((a) => matches(a, m)));
}
