import http from 'node:http';
import https from 'node:https';
import { type RequestHandler, Router } from 'express';
import type { Authenticator } from '../auth/authenticate';
import { visibleModels } from '../llm/model-access';
import type { Deployment } from '../models/model-config';
import type { ModelRouter } from '../models/model-router';

/** Routes the gateway answers itself besides /v1: model info, upstream health, the route list. */
export function gatewayRoutes(deps: {
  authenticator: Authenticator;
  router: ModelRouter;
  probeTimeoutMs: number;
}) {
  const r = Router();

  // LiteLLM's /model/info: deployments the caller may use, secrets removed (`api_key` never leaves).
  const modelInfo: RequestHandler = async (req, res) => {
    const { record } = await deps.authenticator.authenticate(req.headers);
    const allowed = new Set(visibleModels(record, deps.router.modelNames()));
    const id = typeof req.query.litellm_model_id === 'string' ? req.query.litellm_model_id : null;
    const data = deps.router.deployments
      .filter((d) => allowed.has(d.modelName) && (id === null || d.id === id))
      .map((d) => ({
        model_name: d.modelName,
        litellm_params: d.publicParams,
        model_info: {
          id: d.id,
          db_model: false,
          input_cost_per_token: d.inputCostPerToken,
          output_cost_per_token: d.outputCostPerToken,
          rpm: d.rpm,
          tpm: d.tpm,
        },
      }));
    res.json({ data });
  };
  r.get('/model/info', modelInfo);
  r.get('/v1/model/info', modelInfo);

  // LiteLLM's /health: probes each upstream the caller may use (GET <api_base>/models).
  r.get('/health', async (req, res) => {
    const { record } = await deps.authenticator.authenticate(req.headers);
    const allowed = new Set(visibleModels(record, deps.router.modelNames()));
    const only = typeof req.query.model === 'string' ? req.query.model : null;
    const targets = deps.router.deployments.filter(
      (d) => allowed.has(d.modelName) && (only === null || d.modelName === only),
    );
    const results = await Promise.all(targets.map((d) => probe(d, deps.probeTimeoutMs)));
    const entry = (d: Deployment, error?: string) => ({
      model: d.modelName,
      model_id: d.id,
      api_base: d.apiBase,
      ...(error ? { error } : {}),
    });
    const healthy = targets.filter((_, i) => results[i] === null).map((d) => entry(d));
    const unhealthy = targets.flatMap((d, i) => (results[i] === null ? [] : [entry(d, results[i] ?? '')]));
    res.json({
      healthy_endpoints: healthy,
      unhealthy_endpoints: unhealthy,
      healthy_count: healthy.length,
      unhealthy_count: unhealthy.length,
    });
  });

  r.get('/routes', (_req, res) => {
    res.json({
      routes: [
        '/v1/chat/completions',
        '/chat/completions',
        '/v1/completions',
        '/v1/embeddings',
        '/v1/models',
        '/model/info',
        '/health',
        '/health/liveliness',
        '/health/readiness',
        '/key/*',
        '/user/*',
        '/team/*',
        '/invitation/*',
        '/onboarding/*',
        '/spend/*',
        '/global/spend*',
      ],
    });
  });
  r.get('/', (_req, res) => {
    res.json({ name: 'llmgw', docs: '/routes', health: '/health/readiness' });
  });
  return r;
}

/** null when healthy, else why not. Any HTTP answer below 500 (even 401) means the upstream is up. */
function probe(d: Deployment, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const url = new URL(`${d.apiBase}/models`);
    const lib = url.protocol === 'https:' ? https : http;
    const req = lib.request(url, {
      method: 'GET',
      headers: d.apiKey ? { authorization: `Bearer ${d.apiKey}` } : {},
      timeout: timeoutMs,
    });
    req.on('response', (res) => {
      res.resume();
      resolve((res.statusCode ?? 500) < 500 ? null : `upstream answered ${res.statusCode}`);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    req.end();
  });
}
