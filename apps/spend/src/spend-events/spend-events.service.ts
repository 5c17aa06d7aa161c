import { memberId, type SpendEvent } from '@llmgw/contracts';
import type { Kysely } from '@llmgw/db';
import type { Logger } from '@llmgw/http';
import type { SpendDB } from '../db';
import type { SpendLogInsert } from '../spend-logs/spend-logs.repository';
import { spendLogsRepository } from '../spend-logs/spend-logs.repository';
import { type SpendDelta, totalsRepository } from '../totals/totals.repository';

/** The spend-log row of an event, shaped like LiteLLM's `LiteLLM_SpendLogs`. */
export function toLogRow(e: SpendEvent): SpendLogInsert {
  return {
    call_id: e.callId,
    request_id: e.requestId,
    call_type: e.callType,
    api_key: e.keyHash,
    spend: e.cost,
    total_tokens: e.promptTokens + e.completionTokens,
    prompt_tokens: e.promptTokens,
    completion_tokens: e.completionTokens,
    startTime: e.startTime,
    endTime: e.endTime,
    completionStartTime: e.completionStartTime,
    model: e.model,
    model_id: e.modelId ?? null,
    model_group: e.modelGroup,
    custom_llm_provider: e.customLlmProvider ?? null,
    api_base: e.apiBase,
    user: e.userId,
    end_user: e.endUser,
    team_id: e.teamId,
    organization_id: e.organizationId ?? null,
    // LiteLLM's metadata keys, so dashboards reading them keep working; `user_api_key_name` is ours.
    metadata: JSON.stringify({
      user_api_key: e.keyHash,
      user_api_key_alias: e.keyAlias ?? null,
      user_api_key_name: e.keyName ?? null,
      user_api_key_team_id: e.teamId,
      user_api_key_org_id: e.organizationId ?? null,
      user_api_key_user_id: e.userId,
      user_api_key_team_alias: e.teamAlias ?? null,
      user_api_key_end_user_id: e.endUser,
      status: e.status,
    }),
    request_tags: '[]',
    requester_ip_address: null,
    session_id: null,
    status: e.status,
  };
}

/** The totals an event adds to: its key, user, team and the user's membership in the team. */
export function deltasOf(e: SpendEvent): SpendDelta[] {
  if (e.cost === 0) return [];
  const out: SpendDelta[] = [{ kind: 'key', id: e.keyHash, amount: e.cost, teamId: null, userId: null }];
  if (e.userId !== null) out.push({ kind: 'user', id: e.userId, amount: e.cost, teamId: null, userId: null });
  if (e.teamId !== null) out.push({ kind: 'team', id: e.teamId, amount: e.cost, teamId: null, userId: null });
  if (e.teamId !== null && e.userId !== null) {
    out.push({
      kind: 'member',
      id: memberId(e.teamId, e.userId),
      amount: e.cost,
      teamId: e.teamId,
      userId: e.userId,
    });
  }
  return out;
}

export type RecordOutcome = 'recorded' | 'duplicate';

/**
 * Applies spend events exactly once: one transaction inserts the log rows and adds the cost of the rows
 * that were new (and only those) to the totals. A redelivered event (a worker died after committing, a
 * producer sent it twice) finds its call id and changes nothing.
 */
export function createSpendEventsService(deps: { db: Kysely<SpendDB>; logger: Logger }) {
  const logUnderCallId = (e: SpendEvent) =>
    deps.logger.warn(
      { callId: e.callId, requestId: e.requestId },
      'request id already logged for another call; logging this call under its call id',
    );

  return {
    async record(event: SpendEvent): Promise<RecordOutcome> {
      return deps.db.transaction().execute(async (tx) => {
        const row = toLogRow(event);
        let outcome = await spendLogsRepository.insert(tx, row);
        if (outcome === 'request_id_taken') {
          // An upstream repeated a completion id: keep the call, under its call id (what the gateway
          // uses when an upstream sends no id), so that no spend is lost.
          logUnderCallId(event);
          outcome = await spendLogsRepository.insert(tx, { ...row, request_id: event.callId });
        }
        if (outcome !== 'inserted') return 'duplicate';
        await totalsRepository.addSpend(tx, deltasOf(event));
        return 'recorded';
      });
    },

    /**
     * The same for many events in one transaction (group commit): one insert for the rows, one upsert
     * for the totals, so a busy team's total row is written once per batch instead of once per call.
     * The same call id twice in one batch counts once.
     */
    async recordMany(events: SpendEvent[]): Promise<RecordOutcome[]> {
      const unique = new Map<string, SpendEvent>();
      for (const e of events) if (!unique.has(e.callId)) unique.set(e.callId, e);
      const recorded = await deps.db.transaction().execute(async (tx) => {
        const list = [...unique.values()];
        const inserted = await spendLogsRepository.insertMany(tx, list.map(toLogRow));
        const missing = list.filter((e) => !inserted.has(e.callId));
        const known = await spendLogsRepository.existingCallIds(
          tx,
          missing.map((e) => e.callId),
        );
        for (const e of missing) {
          if (known.has(e.callId)) continue;
          logUnderCallId(e);
          const outcome = await spendLogsRepository.insert(tx, { ...toLogRow(e), request_id: e.callId });
          if (outcome === 'inserted') inserted.add(e.callId);
        }
        const newEvents = list.filter((e) => inserted.has(e.callId));
        await totalsRepository.addSpend(tx, newEvents.flatMap(deltasOf));
        return inserted;
      });
      const counted = new Set<string>();
      return events.map((e) => {
        if (!recorded.has(e.callId) || counted.has(e.callId)) return 'duplicate';
        counted.add(e.callId);
        return 'recorded';
      });
    },
  };
}

export type SpendEventsService = ReturnType<typeof createSpendEventsService>;
