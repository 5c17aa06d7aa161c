/**
 * A stand-in for the spend service at the edge of keys and identity (their tests): serves spend totals from a map the test fills,
 * records every call, and applies budget schedules like the real one (same duration again keeps the
 * schedule; without `budget_reset_at`, LiteLLM's standardized next reset).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type BudgetSchedule,
  type EntityTotals,
  INTERNAL_ROUTES,
  nextBudgetReset,
  PRINCIPAL_HEADER,
  parseDuration,
  type SpendEntityKind,
} from '@llmgw/contracts';
import { verifyPrincipal } from '@llmgw/http';

export interface SpendCall {
  method: string;
  path: string;
  body: unknown;
}

export class FakeSpend {
  /** Keyed `${kind}:${id}`. */
  totals = new Map<string, EntityTotals>();
  calls: SpendCall[] = [];
  /** When set, every call answers 503. */
  failing = false;
  private server: Server | null = null;
  url = '';

  constructor(
    private readonly secret: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  setSpend(kind: SpendEntityKind, id: string, spend: number) {
    const current = this.totals.get(`${kind}:${id}`);
    this.totals.set(`${kind}:${id}`, {
      spend,
      budget_duration: current?.budget_duration ?? null,
      budget_reset_at: current?.budget_reset_at ?? null,
    });
  }

  totalsOf(kind: SpendEntityKind, id: string): EntityTotals {
    return this.totals.get(`${kind}:${id}`) ?? { spend: 0, budget_duration: null, budget_reset_at: null };
  }

  /** The budget-schedule bodies received, oldest first. */
  schedules(): BudgetSchedule[] {
    return this.calls
      .filter((c) => c.path === INTERNAL_ROUTES.budgetSchedule)
      .map((c) => c.body as BudgetSchedule);
  }

  private schedule(s: BudgetSchedule) {
    const current = this.totalsOf(s.kind, s.id);
    const d = s.budget_duration === null ? null : parseDuration(s.budget_duration);
    let resetAt: string | null = null;
    if (d) {
      if (s.budget_reset_at) resetAt = new Date(s.budget_reset_at).toISOString();
      else if (current.budget_duration === s.budget_duration && current.budget_reset_at)
        resetAt = current.budget_reset_at;
      else resetAt = nextBudgetReset(this.now(), d).toISOString();
    }
    const duration = d ? s.budget_duration : null;
    this.totals.set(`${s.kind}:${s.id}`, {
      spend: current.spend,
      budget_duration: duration,
      budget_reset_at: resetAt,
    });
    return { kind: s.kind, id: s.id, budget_duration: duration, budget_reset_at: resetAt };
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let raw = '';
      req.on('data', (d) => {
        raw += d;
      });
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://x');
        const send = (status: number, json: unknown) =>
          res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
        const auth = verifyPrincipal(req.headers[PRINCIPAL_HEADER] as string | undefined, this.secret);
        if (!auth.ok) return send(401, { error: { message: auth.reason } });
        const body = raw ? JSON.parse(raw) : Object.fromEntries(url.searchParams);
        this.calls.push({ method: req.method ?? 'GET', path: url.pathname, body });
        if (this.failing) return send(503, { error: { message: 'spend down' } });
        if (url.pathname === INTERNAL_ROUTES.spendCopyKey && req.method === 'POST') {
          const from = this.totals.get(`key:${body.from_key_hash}`);
          if (from) this.totals.set(`key:${body.to_key_hash}`, { ...from });
          return send(200, { copied: from !== undefined });
        }
        if (url.pathname === INTERNAL_ROUTES.budgetSchedule && req.method === 'POST') {
          return send(200, this.schedule(body as BudgetSchedule));
        }
        if (url.pathname === INTERNAL_ROUTES.spendTotals && req.method === 'POST') {
          const { key_hashes = [], user_ids = [], team_ids = [], memberships = [] } = body;
          const byId = (kind: SpendEntityKind, ids: string[]) =>
            Object.fromEntries(ids.map((id) => [id, this.totalsOf(kind, id)]));
          return send(200, {
            keys: byId('key', key_hashes),
            users: byId('user', user_ids),
            teams: byId('team', team_ids),
            memberships: (memberships as { team_id: string; user_id: string }[]).map((m) => ({
              team_id: m.team_id,
              user_id: m.user_id,
              ...this.totalsOf('member', `${m.team_id}:${m.user_id}`),
            })),
          });
        }
        return send(404, { error: { message: 'not found' } });
      });
    });
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
