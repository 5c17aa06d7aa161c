import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { chatCompletion } from './chat';
import { textCompletion } from './completions';
import { embeddings } from './embeddings';
import {
  INVALID_API_KEY,
  injectedError,
  invalidRequest,
  missingParameter,
  notFound,
  type OpenAIError,
  openAIError,
} from './errors';
import { BadKnobError, injectedErrorStatus, type Knobs, resolveKnobs } from './knobs';
import { modelNotFound, modelRoutes } from './models';
import { type Exchange, MAX_BODY_BYTES, type Plan, readBody, sendJson, sendPlan } from './respond';
import { Stats } from './stats';

export interface MockConfig {
  /** Ids listed by GET /v1/models. Requests may name any model; it is echoed back. */
  models: readonly string[];
  /** When set, API routes require `Authorization: Bearer <apiKey>`. */
  apiKey?: string | undefined;
  /** Knob values for requests that carry no x-mock-* header. */
  defaults: Knobs;
}

export interface AppOptions {
  /** Readiness turns 503 once this goes false (set by `serve` on SIGTERM). */
  readiness?: { accepting: boolean };
  /** Only unexpected errors are logged; there is no per-request log line, to keep the mock fast. */
  logger?: Logger;
  /** Lets a test read the counters directly. */
  stats?: Stats;
}

type Generate = (body: Record<string, unknown>, model: string, knobs: Knobs) => Plan | OpenAIError;

const GENERATORS: Record<string, Generate> = {
  '/v1/chat/completions': chatCompletion,
  '/chat/completions': chatCompletion,
  '/v1/completions': textCompletion,
  '/completions': textCompletion,
  '/v1/embeddings': embeddings,
  '/embeddings': embeddings,
};

const ALIVE = JSON.stringify("I'm alive!");
const READY = JSON.stringify({ status: 'healthy' });
const SHUTTING_DOWN = JSON.stringify({ status: 'shutting down' });

const INVALID_JSON = invalidRequest(
  'We could not parse the JSON body of your request. The body must be valid JSON.',
  'invalid_json',
);
const NOT_AN_OBJECT = invalidRequest('The body of your request must be a JSON object.', 'invalid_json');
const TOO_LARGE = openAIError(413, 'Request body too large', 'invalid_request_error', 'request_too_large');
const INTERNAL = openAIError(500, 'mock-llm internal error', 'server_error', 'server_error');

const sendError = (res: ServerResponse, err: OpenAIError) => sendJson(res, err.status, err.body);

const safeDecode = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The whole mock as a plain node:http listener (no framework, so the mock is never the bottleneck of a
 * benchmark). Routes: chat completions, legacy completions, embeddings, models, health and /mock/stats.
 */
export function createApp(config: MockConfig, options: AppOptions = {}): RequestListener {
  const readiness = options.readiness ?? { accepting: true };
  const stats = options.stats ?? new Stats();
  const logger = options.logger;
  const expectedAuth = config.apiKey ? `Bearer ${config.apiKey}` : undefined;
  const models = modelRoutes(config.models);

  const authorized = (req: IncomingMessage): boolean =>
    expectedAuth === undefined || req.headers.authorization === expectedAuth;

  function generate(
    req: IncomingMessage,
    res: ServerResponse,
    ex: Exchange,
    generator: Generate,
    parsed: unknown,
    parseFailed: boolean,
  ) {
    if (!authorized(req)) return sendError(res, INVALID_API_KEY);
    let knobs: Knobs;
    try {
      knobs = resolveKnobs(req.headers, config.defaults);
    } catch (err) {
      if (!(err instanceof BadKnobError)) throw err;
      return sendError(res, invalidRequest(err.message, 'invalid_mock_header', err.header));
    }
    if (parseFailed) return sendError(res, INVALID_JSON);
    const body = parsed ?? {};
    if (!isObject(body)) return sendError(res, NOT_AN_OBJECT);
    const model = body.model;
    if (typeof model !== 'string' || model === '') return sendError(res, missingParameter('model'));

    const result = generator(body, model, knobs);
    if (!('kind' in result)) return sendError(res, result);
    const status = injectedErrorStatus(knobs);
    const plan: Plan =
      status === 0 ? result : { kind: 'json', status, body: injectedError(status).body, cuttable: false };

    if (knobs.latencyMs === 0) {
      sendPlan(res, plan, knobs.failAfterChunks, knobs.chunkDelayMs, ex);
      return;
    }
    ex.timer = setTimeout(() => {
      ex.timer = undefined;
      if (!ex.closed) sendPlan(res, plan, knobs.failAfterChunks, knobs.chunkDelayMs, ex);
    }, knobs.latencyMs);
  }

  function listModels(req: IncomingMessage, res: ServerResponse, path: string) {
    if (!authorized(req)) return sendError(res, INVALID_API_KEY);
    if (path === '/v1/models' || path === '/models') return sendJson(res, 200, models.list);
    const id = safeDecode(path.slice(path.indexOf('/models/') + '/models/'.length));
    const model = models.byId.get(id);
    if (model === undefined) return sendError(res, modelNotFound(id));
    sendJson(res, 200, model);
  }

  function tracked(req: IncomingMessage, res: ServerResponse, url: string, path: string) {
    const generation = stats.started();
    const ex: Exchange = { timer: undefined, closed: false, cut: false };
    res.once('close', () => {
      ex.closed = true;
      if (ex.timer !== undefined) clearTimeout(ex.timer);
      stats.ended(generation, res.writableFinished ? 'completed' : ex.cut ? 'failed' : 'aborted');
    });
    const method = req.method ?? 'GET';

    if (method === 'GET' || method === 'HEAD') {
      stats.lastRequest = { method, path: url, headers: req.headers, body: null };
      const isModels = path === '/v1/models' || path === '/models' || /^\/(v1\/)?models\/[^/]+$/.test(path);
      if (method === 'GET' && isModels) return listModels(req, res, path);
      return sendError(res, notFound(method, path));
    }

    readBody(req, MAX_BODY_BYTES, (text) => {
      try {
        if (text === undefined) {
          stats.lastRequest = { method, path: url, headers: req.headers, body: null };
          return sendError(res, TOO_LARGE);
        }
        let parsed: unknown = null;
        let parseFailed = false;
        if (text.length > 0) {
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = text;
            parseFailed = true;
          }
        }
        stats.lastRequest = { method, path: url, headers: req.headers, body: parsed };
        const generator = method === 'POST' ? GENERATORS[path] : undefined;
        if (!generator) return sendError(res, notFound(method, path));
        generate(req, res, ex, generator, parsed, parseFailed);
      } catch (err) {
        fail(res, err);
      }
    });
  }

  function fail(res: ServerResponse, err: unknown): void {
    logger?.error({ err }, 'request failed');
    if (res.headersSent) res.destroy();
    else sendError(res, INTERNAL);
  }

  return (req, res) => {
    try {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const path = q === -1 ? url : url.slice(0, q);
      if (path.startsWith('/health/') && req.method === 'GET') {
        if (path === '/health/liveliness' || path === '/health/liveness') return sendJson(res, 200, ALIVE);
        if (path === '/health/readiness') {
          return readiness.accepting ? sendJson(res, 200, READY) : sendJson(res, 503, SHUTTING_DOWN);
        }
      }
      if (path === '/mock/stats' && req.method === 'GET') return sendJson(res, 200, JSON.stringify(stats));
      if (path === '/mock/stats/reset' && req.method === 'POST') {
        stats.reset();
        return sendJson(res, 200, JSON.stringify(stats));
      }
      // The mock's own routes never show up in the stats they report.
      if (path.startsWith('/health/') || path.startsWith('/mock/')) {
        return sendError(res, notFound(req.method ?? 'GET', path));
      }
      tracked(req, res, url, path);
    } catch (err) {
      fail(res, err);
    }
  };
}
