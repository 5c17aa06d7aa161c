import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { PRINCIPAL_HEADER, type Principal } from '@llmgw/contracts';
import { verifyPrincipal } from '@llmgw/http';

export interface RecordedCall {
  method: string;
  path: string;
  body: unknown;
  principal: Principal | null;
}

export interface FakeKey {
  token: string;
  key_name: string;
  user_id: string | null;
  team_id: string | null;
  key_alias: string | null;
  models: string[];
}

/**
 * A stand-in for the keys service at the edge of identity: records every call identity makes (auth
 * invalidations, cascades, key generation, key lists) and answers like the real one. `failing` makes it
 * answer 503, `down` refuses connections by closing the server.
 */
export class FakeKeysServer {
  calls: RecordedCall[] = [];
  keys: FakeKey[] = [];
  failing = false;
  /** A 4xx body the next /key/generate answers with (e.g. a duplicate alias). */
  rejectGenerate: { status: number; body: unknown } | null = null;
  private server: Server | null = null;
  url = '';

  constructor(private readonly secret: string) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let raw = '';
      req.on('data', (d) => {
        raw += d;
      });
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://x');
        const verified = verifyPrincipal(req.headers[PRINCIPAL_HEADER] as string | undefined, this.secret);
        const body = raw ? JSON.parse(raw) : null;
        this.calls.push({
          method: req.method ?? 'GET',
          path: url.pathname,
          body,
          principal: verified.ok ? verified.principal : null,
        });
        const send = (status: number, json: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(json));
        };
        if (!verified.ok) return send(401, { error: { message: verified.reason } });
        if (this.failing) return send(503, { error: { message: 'keys down' } });
        if (url.pathname === '/internal/auth-invalidate') return send(200, { ok: true });
        if (url.pathname === '/internal/keys/delete-by-owner') {
          const { userIds = [], teamIds = [] } = body ?? {};
          this.keys = this.keys.filter(
            (k) => !(k.user_id && userIds.includes(k.user_id)) && !(k.team_id && teamIds.includes(k.team_id)),
          );
          return send(200, { ok: true });
        }
        if (url.pathname === '/key/generate') {
          if (this.rejectGenerate) {
            const r = this.rejectGenerate;
            this.rejectGenerate = null;
            return send(r.status, r.body);
          }
          const raw = `sk-${randomBytes(16).toString('base64url')}`;
          const key: FakeKey = {
            token: createHash('sha256').update(raw).digest('hex'),
            key_name: `sk-...${raw.slice(-4)}`,
            user_id: body?.user_id ?? null,
            team_id: body?.team_id ?? null,
            key_alias: body?.key_alias ?? null,
            models: body?.models ?? [],
          };
          this.keys.push(key);
          return send(200, { key: raw, token_id: key.token, ...key, expires: null });
        }
        if (url.pathname === '/key/list') {
          const userId = url.searchParams.get('user_id');
          const teamId = url.searchParams.get('team_id');
          const keys = this.keys.filter(
            (k) => (!userId || k.user_id === userId) && (!teamId || k.team_id === teamId),
          );
          return send(200, { keys, total_count: keys.length, current_page: 1, total_pages: 1 });
        }
        return send(404, { error: { message: 'not found' } });
      });
    });
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', () => r()));
    const addr = this.server.address();
    this.url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    return this;
  }

  callsTo(path: string): RecordedCall[] {
    return this.calls.filter((c) => c.path === path);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
