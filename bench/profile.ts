/**
 * `pnpm bench:profile`: where the CPU goes while the gateway is saturated (JSON chat, -c 50, a key with
 * limits and a budget). Prints CPU µs per request of every process involved (gateway, the other services,
 * mock-llm, Redis, Postgres, wrk) and, with `--cpu-prof`, the gateway's hottest functions by self time.
 * Flags: --seconds N (default 15), --sse (stream instead of JSON), --slow (JSON with a 20 ms upstream),
 * --connections N (default 50), --cpu-prof. Loopback only, bounded.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { cpuUs } from './lib/proc';
import { MASTER_KEY, startBenchStack } from './lib/stack';
import { runWrk, wrkScript } from './lib/wrk';

const arg = (name: string) => process.argv.indexOf(name);
const SECONDS = arg('--seconds') > 0 ? Number(process.argv[arg('--seconds') + 1]) : 15;
const sse = arg('--sse') > 0;
const slow = arg('--slow') > 0;
const CONNECTIONS = arg('--connections') > 0 ? Number(process.argv[arg('--connections') + 1]) : 50;
const cpuProf = arg('--cpu-prof') > 0;

/** Every pid whose command name is `name` (Postgres backends, the Redis server). */
function pidsNamed(name: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/comm`, 'utf8').trim() === name) out.push(Number(d));
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

const sumCpu = (pids: number[]) =>
  pids.reduce((s, p) => {
    try {
      return s + cpuUs(p);
    } catch {
      return s;
    }
  }, 0);

/** Self time by function from a V8 .cpuprofile, as % of all samples. */
function topFunctions(file: string, n: number): string[] {
  const prof = JSON.parse(readFileSync(file, 'utf8')) as {
    nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
    samples: number[];
  };
  const byId = new Map(prof.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  for (const id of prof.samples) {
    const f = byId.get(id)?.callFrame;
    if (!f) continue;
    const where = f.url
      ? `${f.url.replace(/^.*\/(node_modules|apps|packages)\//, '$1/')}:${f.lineNumber + 1}`
      : '';
    const name = `${f.functionName || '(anonymous)'} ${where}`.trim();
    self.set(name, (self.get(name) ?? 0) + 1);
  }
  const total = prof.samples.length;
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, count]) => `${((count / total) * 100).toFixed(1).padStart(5)} %  ${name}`);
}

async function main() {
  const profDir = mkdtempSync(join(tmpdir(), 'llmgw-prof-'));
  const stack = await startBenchStack(10, {
    gatewayNodeArgs: cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [],
  });
  try {
    const gw = stack.gateways[0] as NonNullable<(typeof stack.gateways)[0]>;
    const res = await fetch(`${gw.baseUrl}/key/generate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ rpm_limit: 10_000_000, tpm_limit: 1_000_000_000, max_budget: 1_000_000 }),
    });
    const { key } = (await res.json()) as { key: string };
    const mode = sse ? 'sse2' : slow ? 'slow20' : 'fast';
    const script = wrkScript(
      { model: `bench-${mode}`, stream: sse, messages: [{ role: 'user', content: 'Hello, benchmark' }] },
      [key],
    );
    const url = `${gw.baseUrl}/v1/chat/completions`;
    // Warm the JIT and the connection pools first; only the second run is measured.
    await runWrk(url, { connections: CONNECTIONS, seconds: 3, script });

    const redis = new Redis(stack.redisUrl);
    const redisPid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1]);
    redis.disconnect();
    const groups: Record<string, () => number[]> = {
      gateway: () => [gw.child.pid as number],
      spend: () => [stack.services.spend.child.pid as number],
      keys: () => [stack.services.keys.child.pid as number],
      identity: () => [stack.services.identity.child.pid as number],
      notifier: () => [stack.services.notifier.child.pid as number],
      'mock-llm': () => [stack.upstreams[mode].mock.child.pid as number],
      redis: () => [redisPid],
      postgres: () => pidsNamed('postgres'),
    };
    const before = Object.fromEntries(Object.entries(groups).map(([k, f]) => [k, f()]));
    const cpu0 = Object.fromEntries(Object.entries(before).map(([k, p]) => [k, sumCpu(p)]));
    const result = await runWrk(url, { connections: CONNECTIONS, seconds: SECONDS, script });
    const lines = Object.keys(groups).map((k) => {
      const used = sumCpu(before[k] as number[]) - (cpu0[k] as number);
      return { k, perReq: used / Math.max(result.requests, 1) };
    });
    const total = lines.reduce((s, l) => s + l.perReq, 0);
    process.stdout.write(
      `${sse ? 'SSE (2 ms frames)' : slow ? 'JSON (20 ms upstream)' : 'JSON'} c${CONNECTIONS} for ${SECONDS} s: ${result.rps.toFixed(0)} rps, p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms, errors ${result.errors + result.non2xx}\n`,
    );
    process.stdout.write('CPU µs per request by process (wrk itself not counted):\n');
    for (const l of lines)
      process.stdout.write(
        `  ${l.k.padEnd(10)} ${l.perReq.toFixed(0).padStart(6)} µs  ${((l.perReq / total) * 100).toFixed(0).padStart(3)} %\n`,
      );
    process.stdout.write(`  ${'total'.padEnd(10)} ${total.toFixed(0).padStart(6)} µs\n`);

    if (cpuProf) {
      await gw.stop(); // the profile is written on exit
      const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
      if (file) {
        process.stdout.write(`gateway self time (profile ${join(profDir, file)}):\n`);
        for (const line of topFunctions(join(profDir, file), 30)) process.stdout.write(`  ${line}\n`);
      }
    }
  } finally {
    await stack.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`profile failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
