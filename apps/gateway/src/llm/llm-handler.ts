import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthRecord, Principal, RedisKeys } from '@llmgw/contracts';
import { isProxyError, type Logger, ProxyError } from '@llmgw/http';
import type { Authenticator } from '../auth/authenticate';
import {
  budgetStoreUnavailable,
  deploymentScope,
  isDeploymentFull,
  type Limiter,
  type Reservation,
  type Scope,
  scopesFor,
} from '../limits/limiter';
import type { Deployment } from '../models/model-config';
import type { ModelRouter, Route } from '../models/model-router';
import { costOf, type Prices, pricesFor } from '../models/prices';
import type { SpendSink } from '../spend/spend-events';
import { assertKeyMayUse, visibleModels } from './model-access';
import { type BodyBudget, parseJsonObject, readBody } from './read-body';
import { type HeaderList, sendJson } from './respond';
import { callUpstream, mayRetryElsewhere, type UpstreamOutcome } from './upstream';
import { countTokens, estimatePromptTokens, promptText, type Usage, usageFromJson } from './usage';

export interface LlmHandlerDeps {
  authenticator: Authenticator;
  router: ModelRouter;
  limiter: Limiter;
  spend: SpendSink;
  redisKeys: RedisKeys;
  logger: Logger;
  maxBodyBytes: number;
  /** Request-body bytes held at once across all calls. */
  bodyBudget: BodyBudget;
  upstreamTimeoutMs: number;
  /** Completion tokens assumed for the budget reservation when a request sets no max_tokens. */
  defaultMaxTokens: number;
}

type CallType = 'chat' | 'completion' | 'embedding';
type JsonAnswer = ReturnType<typeof usageFromJson>;

const UPSTREAM_PATH: Record<CallType, string> = {
  chat: '/chat/completions',
  completion: '/completions',
  embedding: '/embeddings',
};
const CALL_TYPE_NAME: Record<CallType, string> = {
  chat: 'acompletion',
  completion: 'atext_completion',
  embedding: 'aembedding',
};

/** LiteLLM's fixed `created` for config models. */
const MODEL_CREATED = 1677610602;
const VERSION = '0.1.0';
/** One call tries at most this many deployments of its model group. */
const MAX_ATTEMPTS = 3;

function classify(path: string): { type: CallType | 'models' | 'model'; pathModel?: string } | null {
  if (/^\/(v1\/)?chat\/completions$/.test(path)) return { type: 'chat' };
  if (/^\/(v1\/)?completions$/.test(path)) return { type: 'completion' };
  if (/^\/(v1\/)?embeddings$/.test(path)) return { type: 'embedding' };
  if (/^\/(v1\/)?models$/.test(path)) return { type: 'models' };
  const one = /^\/(?:v1\/)?models\/(.+)$/.exec(path);
  if (one?.[1]) return { type: 'model', pathModel: decodeURIComponent(one[1]) };
  const deployment = /^\/(?:engines|openai\/deployments)\/([^/]+)\/chat\/completions$/.exec(path);
  if (deployment?.[1]) return { type: 'chat', pathModel: decodeURIComponent(deployment[1]) };
  return null;
}

const invalidModel = (route: string, model: string) =>
  new ProxyError({
    status: 400,
    message: `{'error': '${route}: Invalid model name passed in model=${model}. Call \`/v1/models\` to view available models for your key.'}`,
    type: 'None',
    param: 'None',
  });

const missingModel = () =>
  new ProxyError({
    status: 400,
    message: 'model is required',
    type: 'invalid_request_error',
    param: 'model',
  });

const methodNotAllowed = (method: string | undefined) =>
  new ProxyError({
    status: 405,
    message: `method ${method ?? ''} not allowed on this route`,
    type: 'invalid_request_error',
    param: null,
  });

/** Appends the x-litellm-* headers of the key; values LiteLLM would print as None are left out. */
function addKeyHeaders(h: HeaderList, record: AuthRecord | null, reservation: Reservation | null): void {
  h.push('x-litellm-version', VERSION);
  if (!record) return;
  if (record.tpmLimit !== null) h.push('x-litellm-key-tpm-limit', String(record.tpmLimit));
  if (record.rpmLimit !== null) h.push('x-litellm-key-rpm-limit', String(record.rpmLimit));
  if (record.maxBudget !== null) h.push('x-litellm-key-max-budget', String(record.maxBudget));
  h.push('x-litellm-key-spend', String(record.spend));
  if (!reservation) return;
  reservation.scopes.forEach((s, i) => {
    const r = reservation.remaining[i];
    if (s.rpm !== null && r?.requests !== null && r?.requests !== undefined) {
      h.push(`x-ratelimit-${s.descriptor}-limit-requests`, String(s.rpm));
      h.push(`x-ratelimit-${s.descriptor}-remaining-requests`, String(r.requests));
    }
    if (s.tpm !== null && r?.tokens !== null && r?.tokens !== undefined) {
      h.push(`x-ratelimit-${s.descriptor}-limit-tokens`, String(s.tpm));
      h.push(`x-ratelimit-${s.descriptor}-remaining-tokens`, String(r.tokens));
    }
  });
}

/**
 * The OpenAI-compatible routes on plain node:http: read the body, authenticate, check model access,
 * reserve limits and budget (one Redis script), proxy, then settle and record spend off the response path.
 */
export function createLlmHandler(deps: LlmHandlerDeps) {
  const modelObject = (id: string) => ({ id, object: 'model', created: MODEL_CREATED, owned_by: 'openai' });

  /** The tokens of a call whose upstream sent no usage, counted with the tokenizer. */
  async function countedUsage(type: CallType, body: Record<string, unknown>, text: string): Promise<Usage> {
    const promptTokens = await countTokens(promptText(body));
    const completionTokens = type === 'embedding' ? 0 : await countTokens(text);
    return { promptTokens, completionTokens, estimated: true };
  }

  async function usageOf(
    type: CallType,
    body: Record<string, unknown>,
    outcome: UpstreamOutcome,
    json: JsonAnswer | null,
  ): Promise<Usage> {
    if (json?.usage) return json.usage;
    if (outcome.sse?.usage) return outcome.sse.usage;
    // No usage from the upstream (or the client left before it came): count it ourselves.
    try {
      return await countedUsage(type, body, json?.text ?? outcome.sse?.text ?? '');
    } catch (err) {
      // The tokenizer failed: charge the prompt by its size rather than skip the settle, which would
      // leave the reservation (and a parallel slot) held.
      deps.logger.warn({ err: (err as Error).message }, 'counting tokens failed; charging an estimate');
      return {
        promptTokens: estimatePromptTokens(JSON.stringify(body).length),
        completionTokens: 0,
        estimated: true,
      };
    }
  }

  async function afterCall(ctx: {
    type: CallType;
    body: Record<string, unknown>;
    outcome: UpstreamOutcome;
    /** The parsed non-stream answer (parsed once, when its headers were written). */
    json: JsonAnswer | null;
    /**
     * Every reservation the call holds: the caller's (with the first deployment's), then the
     * deployment-only ones of deployments that took over after a connection failure.
     */
    reservations: Reservation[];
    prices: Prices;
    principal: Principal;
    record: AuthRecord | null;
    modelId: string;
    /** Provider prefix of the deployment's model (`openai` for `openai/gpt-4o`). */
    provider: string | null;
    callId: string;
    model: string;
    modelGroup: string;
    apiBase: string;
    startedAt: number;
    endedAt: number;
  }): Promise<void> {
    const { outcome } = ctx;
    const ok = outcome.status > 0 && outcome.status < 400;
    const usage = ok
      ? await usageOf(ctx.type, ctx.body, outcome, ctx.json)
      : { promptTokens: 0, completionTokens: 0, estimated: false };
    const cost = costOf(ctx.prices, usage.promptTokens, usage.completionTokens);
    for (const r of ctx.reservations) {
      // A failed settle (Redis gone) must not lose the spend event below.
      await deps.limiter
        .settle(r, usage.promptTokens + usage.completionTokens, cost)
        .catch((err: Error) =>
          deps.logger.warn({ callId: ctx.callId, err: err.message }, 'settling limits failed'),
        );
    }
    if (!ok) return;
    const bodyId = ctx.json?.id ?? outcome.sse?.id ?? null;
    const firstChunk = outcome.sse?.completionStartTime ?? null;
    deps.spend.record({
      callId: ctx.callId,
      requestId: bodyId ?? ctx.callId,
      keyHash: ctx.principal.keyHash ?? 'master_key',
      userId: ctx.principal.userId,
      teamId: ctx.principal.teamId,
      model: ctx.model,
      modelGroup: ctx.modelGroup,
      apiBase: ctx.apiBase,
      callType: CALL_TYPE_NAME[ctx.type],
      promptTokens: usage.promptTokens,
      completionTokens: usage.completionTokens,
      cost,
      startTime: new Date(ctx.startedAt).toISOString(),
      endTime: new Date(ctx.endedAt).toISOString(),
      completionStartTime: firstChunk ? new Date(firstChunk).toISOString() : null,
      status: 'success',
      endUser: typeof ctx.body.user === 'string' ? ctx.body.user : null,
      modelId: ctx.modelId,
      customLlmProvider: ctx.provider,
      keyAlias: ctx.record?.keyAlias ?? null,
      keyName: ctx.record?.keyName ?? null,
      teamAlias: ctx.record?.team?.teamAlias ?? null,
      organizationId: ctx.record?.organizationId ?? null,
    });
  }

  // Scopes depend only on the record and the deployment; records are replaced (not changed) when they
  // are reloaded, so they are computed once per record and deployment and dropped with the record.
  const scopeCache = new WeakMap<object, Map<Deployment, Scope[]>>();
  const noRecord = {};
  /**
   * The caller's scopes (none for the master key) and the deployment's own rpm/tpm from config.yaml.
   */
  function scopesOf(record: AuthRecord | null, deployment: Deployment): Scope[] {
    let byDeployment = scopeCache.get(record ?? noRecord);
    if (!byDeployment) {
      byDeployment = new Map();
      scopeCache.set(record ?? noRecord, byDeployment);
    }
    let scopes = byDeployment.get(deployment);
    if (!scopes) {
      const deploymentLimit = deploymentScope(deployment, deps.redisKeys);
      scopes = [
        ...(record ? scopesFor(record, deployment.modelName, deps.redisKeys) : []),
        ...(deploymentLimit ? [deploymentLimit] : []),
      ];
      byDeployment.set(deployment, scopes);
    }
    return scopes;
  }

  return async function handleLlm(req: IncomingMessage, res: ServerResponse, path: string, reqId: string) {
    const route = classify(path);
    if (!route) {
      throw new ProxyError({
        status: 404,
        message: `route ${path} not found`,
        type: 'not_found_error',
        param: null,
      });
    }

    if (route.type === 'models' || route.type === 'model') {
      if (req.method !== 'GET') throw methodNotAllowed(req.method);
      const { record } = await deps.authenticator.authenticate(req.headers);
      const names = visibleModels(record, deps.router.modelNames());
      if (route.type === 'models') {
        sendJson(res, 200, { data: names.map(modelObject), object: 'list' }, reqId);
        return;
      }
      const id = route.pathModel ?? '';
      if (!names.includes(id)) {
        throw new ProxyError({
          status: 404,
          message: `model ${id} not found`,
          type: 'not_found_error',
          param: 'model',
        });
      }
      sendJson(res, 200, modelObject(id), reqId);
      return;
    }

    if (req.method !== 'POST') throw methodNotAllowed(req.method);
    const callType: CallType = route.type;
    const startedAt = Date.now();
    const raw = await readBody(req, deps.maxBodyBytes, deps.bodyBudget);
    // The gateway's own time starts once the client's upload is done.
    const readAt = Date.now();
    // The body (and what is built from it) lives until the response is done.
    if (res.closed) deps.bodyBudget.give(raw.length);
    else res.once('close', () => deps.bodyBudget.give(raw.length));
    const body = parseJsonObject(raw);
    const { principal, record } = await deps.authenticator.authenticate(req.headers);
    const requested = typeof body.model === 'string' && body.model ? body.model : route.pathModel;
    if (!requested) throw missingModel();
    assertKeyMayUse(record, requested);
    // Key aliases first, then the team's model aliases (`{"my-model": "gpt-4o"}`).
    const model = record?.aliases[requested] ?? record?.team?.modelAliases[requested] ?? requested;
    const candidates = deps.router.candidates(model);
    if (!candidates?.length) throw invalidModel(UPSTREAM_PATH[callType], requested);
    const callId = randomUUID();
    const maxTokens = Number(body.max_tokens ?? body.max_completion_tokens ?? deps.defaultMaxTokens);

    /** Reserves `scopes` (one script); Redis unreachable is a 503, never an unlimited call. */
    const reserveScopes = async (scopes: Scope[], estimate: number): Promise<Reservation> => {
      try {
        return await deps.limiter.reserve(scopes, callId, estimate);
      } catch (err) {
        if (isProxyError(err)) throw err;
        // Redis is unreachable and this key has limits or a budget to enforce: fail closed rather than
        // let an outage (or the moment after a restart, before counters are seeded) overrun a budget.
        // Keys without limits (no scopes) never get here and keep working from the local cache.
        deps.logger.warn({ reqId, err: (err as Error).message }, 'limits unavailable');
        throw budgetStoreUnavailable();
      }
    };
    /** Limits and budget for a call through `r`; null when no scope limits it. */
    const reserveFor = async (r: Route): Promise<Reservation | null> => {
      const scopes = scopesOf(record, r.deployment);
      if (!scopes.length) return null;
      const estimate = scopes.some((s) => s.maxBudget !== null)
        ? costOf(
            pricesFor(r.deployment, r.upstreamModel),
            estimatePromptTokens(raw.length),
            callType === 'embedding' ? 0 : maxTokens,
          )
        : 0;
      return reserveScopes(scopes, estimate);
    };
    // A deployment at its own rpm/tpm (config.yaml) passes the call to the next deployment of its group,
    // as LiteLLM's router skips deployments at their limit; 429 only when every one is full. A key, user
    // or team over its limit ends the call at once (the script checks all scopes before it records any).
    let first = 0;
    let reservation: Reservation | null = null;
    for (;;) {
      try {
        reservation = await reserveFor(candidates[first] as Route);
        break;
      } catch (err) {
        if (!isDeploymentFull(err) || first + 1 >= candidates.length) throw err;
        first++;
      }
    }
    const { upstreamModel } = candidates[first] as Route;
    const prices = pricesFor((candidates[first] as Route).deployment, upstreamModel);

    const stream = body.stream === true && callType !== 'embedding';
    const upstreamBody: Record<string, unknown> = { ...body, model: upstreamModel };
    if (stream) {
      // Usage arrives in the final chunk only when asked for; we need it to charge the call.
      const opts =
        typeof body.stream_options === 'object' && body.stream_options !== null ? body.stream_options : {};
      upstreamBody.stream_options = { ...opts, include_usage: true };
    }
    let outcome: UpstreamOutcome | null = null;
    let json: JsonAnswer | null = null;
    let used = candidates[first] as Route;
    let usedPrices = prices;
    // Deployments of a group often share the upstream model name: serialize the body once per name.
    let payload = JSON.stringify(upstreamBody);
    // What the call holds, settled together at the end. Deployments that take over after a connection
    // failure add their own rpm/tpm (the caller's scopes were reserved once, above).
    const held: Reservation[] = reservation ? [reservation] : [];
    const lastAttempt = Math.min(candidates.length - first, MAX_ATTEMPTS) - 1;
    try {
      // Connection failures (nothing reached the upstream) move on to the next deployment of the group.
      for (let attempt = 0; outcome === null; attempt++) {
        used = candidates[first + attempt] as Route;
        const d = used.deployment;
        if (attempt > 0) {
          usedPrices = pricesFor(d, used.upstreamModel);
          const own = deploymentScope(d, deps.redisKeys);
          if (own) {
            try {
              held.push(await reserveScopes([own], 0));
            } catch (err) {
              // This one is full too: on to the next, if there is one.
              if (!isDeploymentFull(err) || attempt >= lastAttempt) throw err;
              continue;
            }
          }
        }
        if (upstreamBody.model !== used.upstreamModel) {
          upstreamBody.model = used.upstreamModel;
          payload = JSON.stringify(upstreamBody);
        }
        const responseHeaders: HeaderList = [
          'x-request-id',
          reqId,
          'x-litellm-call-id',
          callId,
          'x-litellm-model-id',
          d.id,
          'x-litellm-model-api-base',
          d.apiBase,
          'x-litellm-model-group',
          d.modelName,
          'x-litellm-attempted-retries',
          String(attempt),
          // The gateway's own time before this upstream call (auth, limits, routing; failed attempts too).
          'x-litellm-overhead-duration-ms',
          String(Date.now() - readAt),
        ];
        addKeyHeaders(responseHeaders, record, reservation);
        try {
          outcome = await callUpstream(
            {
              deployment: d,
              path: UPSTREAM_PATH[callType],
              body: payload,
              stream,
              timeoutMs: deps.upstreamTimeoutMs,
              responseHeaders,
              beforeJsonResponse: (status, buf, h) => {
                if (status >= 400) return;
                const answer = usageFromJson(safeParse(buf));
                json = answer;
                h.push('x-litellm-response-duration-ms', String(Date.now() - startedAt));
                const addCost = (usage: Usage) =>
                  h.push(
                    'x-litellm-response-cost',
                    String(costOf(usedPrices, usage.promptTokens, usage.completionTokens)),
                  );
                if (answer.usage) {
                  addCost(answer.usage);
                  return;
                }
                // No usage from the upstream: count it before the headers go, so the client sees the
                // same cost that is charged (the settle below reuses this count).
                return countedUsage(callType, body, answer.text).then((usage) => {
                  answer.usage = usage;
                  addCost(usage);
                });
              },
            },
            res,
          );
        } catch (err) {
          const retryable = mayRetryElsewhere(err) && !res.headersSent;
          if (!retryable || attempt >= lastAttempt) throw err;
          deps.logger.warn(
            { reqId, callId, deployment: d.id, err: (err as Error).message },
            'upstream unreachable, trying the next deployment',
          );
        }
      }
    } catch (err) {
      for (const r of held) await deps.limiter.settle(r, 0, 0).catch(() => {});
      throw err;
    }
    // A plain literal (no spread): this object is built on every call.
    void afterCall({
      type: callType,
      body,
      reservations: held,
      principal,
      callId,
      startedAt,
      outcome,
      json,
      record,
      modelId: used.deployment.id,
      provider: providerOf(used.deployment.publicParams.model),
      prices: usedPrices,
      model: used.upstreamModel,
      modelGroup: used.deployment.modelName,
      apiBase: used.deployment.apiBase,
      endedAt: Date.now(),
    }).catch((err) => deps.logger.error({ err, reqId, callId }, 'settling a call failed'));
  };
}

function safeParse(buf: Buffer): unknown {
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch {
    return null;
  }
}

/** `openai/gpt-4o` -> `openai`; a model without a provider prefix has none. */
function providerOf(model: unknown): string | null {
  return typeof model === 'string' && model.includes('/') ? model.slice(0, model.indexOf('/')) : null;
}
