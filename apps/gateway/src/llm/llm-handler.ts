import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@llmgw/http';
import { ProxyError } from '@llmgw/http';
import type { Authenticator } from '../auth/authenticate';
import type { ModelRouter } from '../models/model-router';
import { assertKeyMayUse, visibleModels } from './model-access';
import { parseJsonObject, readBody } from './read-body';
import { sendJson } from './respond';
import { callUpstream } from './upstream';

export interface LlmHandlerDeps {
  authenticator: Authenticator;
  router: ModelRouter;
  logger: Logger;
  maxBodyBytes: number;
  upstreamTimeoutMs: number;
}

type CallType = 'chat' | 'completion' | 'embedding';

const UPSTREAM_PATH: Record<CallType, string> = {
  chat: '/chat/completions',
  completion: '/completions',
  embedding: '/embeddings',
};

/** LiteLLM's fixed `created` for config models. */
const MODEL_CREATED = 1677610602;

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

/**
 * The OpenAI-compatible routes on plain node:http: read the body, authenticate, check model access,
 * proxy. Returns a promise so the caller owns error handling.
 */
export function createLlmHandler(deps: LlmHandlerDeps) {
  const modelObject = (id: string) => ({ id, object: 'model', created: MODEL_CREATED, owned_by: 'openai' });

  return async function handleLlm(req: IncomingMessage, res: ServerResponse, path: string, reqId: string) {
    const route = classify(path);
    if (!route)
      throw new ProxyError({
        status: 404,
        message: `route ${path} not found`,
        type: 'not_found_error',
        param: null,
      });

    if (route.type === 'models' || route.type === 'model') {
      if (req.method !== 'GET') throw methodNotAllowed(req.method);
      const { record } = await deps.authenticator.authenticate(req.headers);
      const names = visibleModels(record, deps.router.modelNames());
      if (route.type === 'models') {
        sendJson(res, 200, { data: names.map(modelObject), object: 'list' });
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
      sendJson(res, 200, modelObject(id));
      return;
    }

    if (req.method !== 'POST') throw methodNotAllowed(req.method);
    const body = parseJsonObject(await readBody(req, deps.maxBodyBytes));
    const { record } = await deps.authenticator.authenticate(req.headers);
    const requested = typeof body.model === 'string' && body.model ? body.model : route.pathModel;
    if (!requested) throw missingModel();
    assertKeyMayUse(record, requested);
    const model = record?.aliases[requested] ?? requested;
    const resolved = deps.router.resolve(model);
    if (!resolved) throw invalidModel(UPSTREAM_PATH[route.type], requested);

    const stream = body.stream === true && route.type !== 'embedding';
    const upstreamBody: Record<string, unknown> = { ...body, model: resolved.upstreamModel };
    if (stream) {
      // Usage arrives in the final chunk only when asked for; we need it to charge the call.
      const opts =
        typeof body.stream_options === 'object' && body.stream_options !== null ? body.stream_options : {};
      upstreamBody.stream_options = { ...opts, include_usage: true };
    }
    const callId = randomUUID();
    await callUpstream(
      {
        deployment: resolved.deployment,
        path: UPSTREAM_PATH[route.type],
        body: JSON.stringify(upstreamBody),
        stream,
        timeoutMs: deps.upstreamTimeoutMs,
        responseHeaders: {
          'x-litellm-call-id': callId,
          'x-litellm-model-id': resolved.deployment.id,
          'x-litellm-model-api-base': resolved.deployment.apiBase,
          'x-litellm-model-group': resolved.deployment.modelName,
          'x-request-id': reqId,
        },
      },
      res,
    );
  };
}

const methodNotAllowed = (method: string | undefined) =>
  new ProxyError({
    status: 405,
    message: `method ${method ?? ''} not allowed on this route`,
    type: 'invalid_request_error',
    param: null,
  });
