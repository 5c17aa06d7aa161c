import { Router } from 'express';

export type HealthCheck = () => Promise<void>;

export interface Readiness {
  /** False once shutdown has begun, so load balancers stop sending traffic. */
  accepting: boolean;
}

const withTimeout = (check: HealthCheck, ms: number) =>
  Promise.race([
    check(),
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms).unref(),
    ),
  ]);

/**
 * `/health/liveliness` (and LiteLLM's `/health/liveness` alias) answers while the process runs.
 * `/health/readiness` runs each dependency check (Postgres, Redis, ...) and is 503 when one fails or
 * the process is shutting down.
 */
export function healthRouter(checks: Record<string, HealthCheck>, readiness: Readiness, version = '0.1.0') {
  const router = Router();
  const alive = (_req: unknown, res: { json: (v: unknown) => void }) => res.json("I'm alive!");
  router.get('/health/liveliness', alive);
  router.get('/health/liveness', alive);
  router.get('/health/readiness', async (_req, res) => {
    const results: Record<string, string> = {};
    let healthy = readiness.accepting;
    await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await withTimeout(check, 2000);
          results[name] = 'connected';
        } catch (err) {
          healthy = false;
          results[name] = `Not connected: ${(err as Error).message}`;
        }
      }),
    );
    const body = {
      status: healthy ? 'healthy' : readiness.accepting ? 'unhealthy' : 'shutting down',
      ...results,
      version,
    };
    res.status(healthy ? 200 : 503).json(body);
  });
  return router;
}
