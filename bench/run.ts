/**
 * `pnpm bench`: the gateway side by side with bare proxies on loopback, driven by wrk.
 * Targets: direct (client → mock-llm), raw-node (bare node:http pipe proxy, the floor), express-hpm
 * (Express + http-proxy-middleware, no auth: the baseline) and gateway (every service up, a real key with
 * limits and a budget, spend events on). Flags: --quick (short runs, small key counts), --no-soak.
 * Writes bench/results/<timestamp>.json and bench/results/latest.md. Bounded in time; loopback only.
 * BENCH_GATEWAY_NODE_ARGS (e.g. `--max-old-space-size=128`) and MAX_LLM_BODY_BYTES / MAX_INFLIGHT_BODY_BYTES
 * are passed to the gateways, to measure a deployment's own settings.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { INTERNAL_ROUTES, spendCounterSeedResultSchema } from '@llmgw/contracts';
import { callInternal } from '@llmgw/http';
import { cpuUs, rssMb } from './lib/proc';
import { redisStats } from './lib/redis-stats';
import { type BenchStack, MASTER_KEY, MOCK_KEY, type Mode, startBenchStack } from './lib/stack';
import { mean, median, timeStream } from './lib/streaming';
import { runWrk, type WrkResult, wrkScript } from './lib/wrk';

const quick = process.argv.includes('--quick');
const soak = !process.argv.includes('--no-soak') && !quick;
const SECONDS = quick ? 4 : 12;
const ROUNDS = quick ? 1 : 3;
const WARMUP_SECONDS = quick ? 2 : 3;
const SMALL_KEYS = 1000;
const LARGE_KEYS = Number(process.env.BENCH_LARGE_KEYS ?? (quick ? 20_000 : 1_000_000));

type Target = 'direct' | 'raw-node' | 'express-hpm' | 'gateway';
interface Row {
  scenario: string;
  target: Target | string;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  cpuUsPerReq: number | null;
  /** Commands the gateway sent (a script call counts once). */
  redisCmdsPerReq: number | null;
  /** Commands Redis executed, script-internal ones included, by every client (spend worker too). */
  redisServerCmdsPerReq: number | null;
  redisCpuUsPerReq: number | null;
  peakRssMb: number | null;
  errors: number;
}

const rows: Row[] = [];
const notes: string[] = [];
let failures = 0;

async function main() {
  const stack = await startBenchStack(LARGE_KEYS, {
    gatewayNodeArgs: (process.env.BENCH_GATEWAY_NODE_ARGS ?? '').split(' ').filter(Boolean),
    gatewayEnv: Object.fromEntries(
      ['MAX_LLM_BODY_BYTES', 'MAX_INFLIGHT_BODY_BYTES']
        .filter((name) => process.env[name])
        .map((name) => [name, process.env[name] as string]),
    ),
  });
  if (process.env.BENCH_GATEWAY_NODE_ARGS) {
    notes.push(`Gateway node flags: ${process.env.BENCH_GATEWAY_NODE_ARGS}.`);
  }
  try {
    const gw = () => stack.gateways[0] as NonNullable<(typeof stack.gateways)[0]>;
    const genKey = async (body: Record<string, unknown>) => {
      const res = await fetch(`${gw().baseUrl}/key/generate`, {
        method: 'POST',
        headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!res.ok) throw new Error(`key/generate failed: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { key: string }).key;
    };
    // A real key: limits high enough not to trigger, a budget, model access.
    const keyBody = {
      rpm_limit: 10_000_000,
      tpm_limit: 1_000_000_000,
      max_budget: 1_000_000,
      models: Object.keys({ 'bench-fast': 1, 'bench-slow20': 1, 'bench-sse2': 1, 'bench-sse20': 1 }),
    };
    const key = await genKey(keyBody);

    const gatewayRedisCommands = async () => {
      let total = 0;
      for (const g of stack.gateways) {
        const text = await (await fetch(`${g.baseUrl}/metrics`)).text();
        for (const m of text.matchAll(/^llmgw_redis_commands_total\{[^}]*\} ([0-9.e+]+)$/gm))
          total += Number(m[1]);
      }
      return total;
    };

    const measure = async (
      scenario: string,
      target: Target | string,
      url: string,
      script: string,
      connections: number,
      pids: number[],
      extra?: Promise<WrkResult>[],
    ) => {
      const cpu0 = pids.map(cpuUs);
      const r0 = await redisStats(stack.redisUrl);
      const g0 = await gatewayRedisCommands();
      const results = await Promise.all([
        runWrk(url, { connections, seconds: SECONDS, script }),
        ...(extra ?? []),
      ]);
      const r1 = await redisStats(stack.redisUrl);
      const g1 = await gatewayRedisCommands();
      const cpu1 = pids.map(cpuUs);
      const requests = results.reduce((s, r) => s + r.requests, 0);
      const errors = results.reduce((s, r) => s + r.errors + r.non2xx, 0);
      if (errors) failures++;
      const cpu = cpu1.reduce((s, v, i) => s + v - (cpu0[i] as number), 0);
      const isGateway = String(target).startsWith('gateway');
      rows.push({
        scenario,
        target,
        rps: results.reduce((s, r) => s + r.rps, 0),
        p50Ms: median(results.map((r) => r.p50Ms)),
        p99Ms: Math.max(...results.map((r) => r.p99Ms)),
        cpuUsPerReq: pids.length ? cpu / Math.max(requests, 1) : null,
        redisCmdsPerReq: isGateway ? (g1 - g0) / Math.max(requests, 1) : null,
        redisServerCmdsPerReq: isGateway ? (r1.calls - r0.calls - 2) / Math.max(requests, 1) : null,
        redisCpuUsPerReq: isGateway ? (r1.cpuUs - r0.cpuUs) / Math.max(requests, 1) : null,
        peakRssMb: pids.length ? Math.max(...pids.map((p) => rssMb(p).peak)) : null,
        errors,
      });
      process.stdout.write(
        `  ${scenario.padEnd(22)} ${String(target).padEnd(14)} ${rows.at(-1)?.rps.toFixed(0).padStart(7)} rps  p50 ${rows.at(-1)?.p50Ms.toFixed(2)} ms  p99 ${rows.at(-1)?.p99Ms.toFixed(2)} ms  errors ${errors}\n`,
      );
    };

    const chat = (model: string, stream = false) => ({
      model,
      stream,
      messages: [{ role: 'user', content: 'Hello, benchmark' }],
    });
    const scenarios: { name: string; mode: Mode; stream: boolean; c: number }[] = [
      { name: 'json c50', mode: 'fast', stream: false, c: 50 },
      { name: 'sse(2ms) c50', mode: 'sse2', stream: true, c: 50 },
      { name: 'json c1', mode: 'fast', stream: false, c: 1 },
      { name: 'json(20ms) c10', mode: 'slow20', stream: false, c: 10 },
    ];
    for (const s of scenarios) {
      process.stdout.write(`${s.name}\n`);
      const up = stack.upstreams[s.mode];
      // The bare targets pass the client's Authorization through, so they send mock-llm's own key.
      const plain = wrkScript(chat(`bench-${s.mode}`, s.stream), [MOCK_KEY]);
      const keyed = wrkScript(chat(`bench-${s.mode}`, s.stream), [key]);
      const order: [Target, string, string, number[]][] = [
        ['direct', `${up.mock.baseUrl}/v1/chat/completions`, plain, []],
        ['raw-node', `${up.raw.url}/v1/chat/completions`, plain, [up.raw.pid as number]],
        ['express-hpm', `${up.hpm.url}/v1/chat/completions`, plain, [up.hpm.pid as number]],
        ['gateway', `${gw().baseUrl}/v1/chat/completions`, keyed, [gw().child.pid as number]],
      ];
      // Warm every target first (JIT, connection pools, caches), unrecorded, so the first measured round
      // of whichever target comes first is not a cold start.
      for (const [, url, script] of order) {
        await runWrk(url, { connections: s.c, seconds: WARMUP_SECONDS, script });
      }
      for (let round = 0; round < ROUNDS; round++) {
        // Rotate the order every round so no target always runs on a warmer or busier machine.
        for (let i = 0; i < order.length; i++) {
          const [t, url, script, pids] = order[(i + round) % order.length] as [
            Target,
            string,
            string,
            number[],
          ];
          await measure(s.name, t, url, script, s.c, pids);
        }
      }
    }

    // Streaming at concurrency 1: time to first token and frame gaps (20 ms upstream frames).
    process.stdout.write('streaming ttft/gaps (20 ms frames)\n');
    const streamBody = chat('bench-sse20', true);
    const streamStats = async (url: string, k: string | null) => {
      const runs = [];
      for (let i = 0; i < (quick ? 10 : 40); i++) runs.push(await timeStream(url, k, streamBody));
      return { ttft: median(runs.map((r) => r.ttftMs)), gap: mean(runs.flatMap((r) => r.gapsMs)) };
    };
    const direct = await streamStats(`${stack.upstreams.sse20.mock.baseUrl}/v1/chat/completions`, MOCK_KEY);
    const viaGw = await streamStats(`${gw().baseUrl}/v1/chat/completions`, key);
    const streaming = {
      directTtftMs: direct.ttft,
      gatewayTtftMs: viaGw.ttft,
      addedTtftMs: viaGw.ttft - direct.ttft,
      directGapMs: direct.gap,
      gatewayGapMs: viaGw.gap,
    };
    process.stdout.write(
      `  added ttft ${streaming.addedTtftMs.toFixed(2)} ms; frame gap direct ${direct.gap.toFixed(2)} ms, gateway ${viaGw.gap.toFixed(2)} ms\n`,
    );

    // Key-count scaling: requests spread over 1 k vs many active keys.
    process.stdout.write(`key scaling (${SMALL_KEYS} vs ${LARGE_KEYS} keys)\n`);
    // Use the small set once (auth record in memory, budget counter seeded) so its run measures the steady
    // state, not first-use work.
    for (let i = 1; i <= SMALL_KEYS; i++) {
      await fetch(`${gw().baseUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: {
          authorization: `Bearer sk-bench-${String(i).padStart(8, '0')}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify(chat('bench-fast')),
      });
    }
    // Bring the large set to the same steady state short of process memory, which cannot hold it: auth
    // records are in Redis from the keys service's warm-up; budget counters are seeded in bulk here.
    const activated = await activateKeys(stack, LARGE_KEYS);
    process.stdout.write(`  ${LARGE_KEYS} keys activated in ${(activated / 1000).toFixed(1)} s\n`);
    const jsonFast = chat('bench-fast');
    const probe = await fetch(`${gw().baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-bench-00000001', 'content-type': 'application/json' },
      body: JSON.stringify(jsonFast),
    });
    if (!probe.ok) notes.push(`A bench key was refused: ${probe.status} ${await probe.text()}`);
    await measure(
      'keys 1k c50',
      'gateway',
      `${gw().baseUrl}/v1/chat/completions`,
      wrkScript(jsonFast, [], { prefix: 'sk-bench-', count: SMALL_KEYS }),
      50,
      [gw().child.pid as number],
    );
    await measure(
      `keys ${LARGE_KEYS >= 1e6 ? `${LARGE_KEYS / 1e6}M` : `${LARGE_KEYS / 1e3}k`} c50`,
      'gateway',
      `${gw().baseUrl}/v1/chat/completions`,
      wrkScript(jsonFast, [], { prefix: 'sk-bench-', count: LARGE_KEYS }),
      50,
      [gw().child.pid as number],
    );
    notes.push(
      `Key scaling: ${LARGE_KEYS} keys are inserted into Postgres before the services start; both sets are active before their runs: their auth records are in Redis (keys-service warm-up) and their budget counters exist (the 1 k set by one call per key, the large set by bulk seeds through the spend service, ${(activated / 1000).toFixed(0)} s). The 1 k set also fits in the gateway's in-process cache; the large set cannot (AUTH_LOCAL_MAX_KEYS), so each of its requests reads its record from Redis.`,
    );

    // Replicas: 1 vs 2 gateways behind the same Redis.
    process.stdout.write('replicas\n');
    const second = await stack.startGateway();
    const keyed = wrkScript(jsonFast, [key]);
    await runWrk(`${second.baseUrl}/v1/chat/completions`, {
      connections: 25,
      seconds: WARMUP_SECONDS,
      script: keyed,
    });
    await measure('1 replica c50', 'gateway', `${gw().baseUrl}/v1/chat/completions`, keyed, 50, [
      gw().child.pid as number,
    ]);
    await measure(
      '2 replicas c50',
      'gateway x2',
      `${gw().baseUrl}/v1/chat/completions`,
      keyed,
      25,
      [gw().child.pid as number, second.child.pid as number],
      [runWrk(`${second.baseUrl}/v1/chat/completions`, { connections: 25, seconds: SECONDS, script: keyed })],
    );

    // Soak: 10 minutes at -c 10, RSS every 30 s.
    const soakRss: number[] = [];
    if (soak) {
      process.stdout.write('soak (10 min)\n');
      const until = Date.now() + 600_000;
      const pid = gw().child.pid as number;
      while (Date.now() < until) {
        await runWrk(`${gw().baseUrl}/v1/chat/completions`, { connections: 10, seconds: 30, script: keyed });
        soakRss.push(rssMb(pid).rss);
        process.stdout.write(`  rss ${soakRss.at(-1)?.toFixed(1)} MB\n`);
      }
    }

    report(streaming, soakRss);
  } finally {
    await stack.stop();
  }
  if (failures) {
    process.stderr.write(`bench: ${failures} run(s) had errors\n`);
    process.exit(1);
  }
}

/** Seeds the budget counters of bench keys 1..count through the spend service, 1000 per call; ms taken. */
async function activateKeys(stack: BenchStack, count: number): Promise<number> {
  const started = Date.now();
  const batches: string[][] = [];
  for (let first = 1; first <= count; first += 1000) {
    const hashes: string[] = [];
    for (let i = first; i < Math.min(first + 1000, count + 1); i++) {
      hashes.push(
        createHash('sha256')
          .update(`sk-bench-${String(i).padStart(8, '0')}`)
          .digest('hex'),
      );
    }
    batches.push(hashes);
  }
  // A few calls in flight at once keep Postgres and Redis busy without queueing behind each other.
  const worker = async () => {
    for (let hashes = batches.pop(); hashes; hashes = batches.pop()) {
      await callInternal({
        baseUrl: stack.env.SPEND_URL as string,
        path: INTERNAL_ROUTES.spendCounterSeedMany,
        internalSecret: stack.env.INTERNAL_SECRET as string,
        timeoutMs: 60_000,
        body: { key_hashes: hashes },
        schema: spendCounterSeedResultSchema,
      });
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return Date.now() - started;
}

function report(streaming: Record<string, number>, soakRss: number[]) {
  const byScenario = new Map<string, Row[]>();
  for (const r of rows)
    byScenario.set(`${r.scenario}|${r.target}`, [...(byScenario.get(`${r.scenario}|${r.target}`) ?? []), r]);
  const agg = [...byScenario.values()].map((rs) => ({
    ...(rs[0] as Row),
    rps: median(rs.map((r) => r.rps)),
    p50Ms: median(rs.map((r) => r.p50Ms)),
    p99Ms: median(rs.map((r) => r.p99Ms)),
    cpuUsPerReq: rs[0]?.cpuUsPerReq === null ? null : median(rs.map((r) => r.cpuUsPerReq ?? 0)),
    redisCmdsPerReq: rs[0]?.redisCmdsPerReq === null ? null : median(rs.map((r) => r.redisCmdsPerReq ?? 0)),
    redisServerCmdsPerReq:
      rs[0]?.redisServerCmdsPerReq === null ? null : median(rs.map((r) => r.redisServerCmdsPerReq ?? 0)),
    redisCpuUsPerReq:
      rs[0]?.redisCpuUsPerReq === null ? null : median(rs.map((r) => r.redisCpuUsPerReq ?? 0)),
    peakRssMb: rs[0]?.peakRssMb === null ? null : Math.max(...rs.map((r) => r.peakRssMb ?? 0)),
    errors: rs.reduce((s, r) => s + r.errors, 0),
  }));
  const find = (scenario: string, target: string) =>
    agg.find((r) => r.scenario === scenario && r.target === target);
  const fmt = (v: number | null | undefined, d = 1) =>
    v === null || v === undefined || Number.isNaN(v) ? '–' : v.toFixed(d);
  const lines = [
    `| scenario | target | RPS | % of express-hpm | p50 ms | p99 ms | added p50 / p99 vs direct (ms) | CPU µs/req | Redis cmds/req (gateway) | Redis cmds/req (server, incl. scripts) | Redis CPU µs/req | peak RSS MB | errors |`,
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of agg) {
    const base = find(r.scenario, 'express-hpm');
    const direct = find(r.scenario, 'direct');
    lines.push(
      `| ${r.scenario} | ${r.target} | ${fmt(r.rps, 0)} | ${base ? `${fmt((r.rps / base.rps) * 100, 0)} %` : '–'} | ${fmt(r.p50Ms, 2)} | ${fmt(r.p99Ms, 2)} | ${direct && r.target !== 'direct' ? `${fmt(r.p50Ms - direct.p50Ms, 2)} / ${fmt(r.p99Ms - direct.p99Ms, 2)}` : '–'} | ${fmt(r.cpuUsPerReq, 0)} | ${fmt(r.redisCmdsPerReq, 2)} | ${fmt(r.redisServerCmdsPerReq, 1)} | ${fmt(r.redisCpuUsPerReq, 1)} | ${fmt(r.peakRssMb, 0)} | ${r.errors} |`,
    );
  }
  const date = new Date().toISOString();
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  const md = [
    `Benchmark ${date} on ${machine}${quick ? ' (--quick)' : ''}; medians of ${ROUNDS} rotated round(s) of ${SECONDS} s each.`,
    '',
    ...lines,
    '',
    `Streaming (c1, 20 ms upstream frames): time to first token direct ${fmt(streaming.directTtftMs, 2)} ms, through the gateway ${fmt(streaming.gatewayTtftMs, 2)} ms (added ${fmt(streaming.addedTtftMs, 2)} ms); mean frame gap direct ${fmt(streaming.directGapMs, 2)} ms, gateway ${fmt(streaming.gatewayGapMs, 2)} ms.`,
    soakRss.length
      ? `Soak (10 min, c10): gateway RSS every 30 s: ${soakRss.map((v) => v.toFixed(0)).join(', ')} MB (growth ${fmt(((soakRss.at(-1) ?? 0) / (soakRss[0] ?? 1) - 1) * 100, 1)} %).`
      : 'Soak: skipped.',
    ...notes,
  ].join('\n');
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, `${date.replace(/[:.]/g, '-')}.json`),
    JSON.stringify({ date, machine, quick, rows, aggregated: agg, streaming, soakRss, notes }, null, 2),
  );
  writeFileSync(join(dir, 'latest.md'), `${md}\n`);
  process.stdout.write(`\n${md}\n`);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
