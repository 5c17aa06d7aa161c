import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface WrkResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  errors: number;
  non2xx: number;
}

/** A wrk Lua script that POSTs one JSON body with a Bearer key (keys rotate when several are given). */
export function wrkScript(
  body: unknown,
  keys: string[],
  generated?: { prefix: string; count: number },
): string {
  const file = join(tmpdir(), `llmgw-bench-${process.pid}-${Math.random().toString(36).slice(2)}.lua`);
  const lua = `
wrk.method = "POST"
wrk.body = [[${JSON.stringify(body)}]]
wrk.headers["Content-Type"] = "application/json"
local keys = { ${keys.map((k) => `"${k}"`).join(', ')} }
local n = #keys
local i = 0
local gen_prefix = ${generated ? `"${generated.prefix}"` : 'nil'}
local gen_count = ${generated?.count ?? 0}
request = function()
  if gen_prefix then
    wrk.headers["Authorization"] = "Bearer " .. gen_prefix .. string.format("%08d", math.random(1, gen_count))
  elseif n > 0 then
    i = i + 1
    wrk.headers["Authorization"] = "Bearer " .. keys[(i % n) + 1]
  end
  return wrk.format(nil)
end
`;
  writeFileSync(file, lua);
  if (scripts.length === 0) process.once('exit', removeScripts);
  scripts.push(file);
  return file;
}

/** Scripts written by this run, removed when the process exits (also after a failed run). */
const scripts: string[] = [];
function removeScripts(): void {
  for (const f of scripts) rmSync(f, { force: true });
}

const unitMs = (v: string, unit: string) => Number(v) * ({ us: 0.001, ms: 1, s: 1000 }[unit] ?? 1);

export function runWrk(
  url: string,
  opts: { connections: number; seconds: number; script: string; threads?: number },
): Promise<WrkResult> {
  const args = [
    '-t',
    String(opts.threads ?? Math.min(2, opts.connections)),
    '-c',
    String(opts.connections),
    '-d',
    `${opts.seconds}s`,
    '--latency',
    '-s',
    opts.script,
    url,
  ];
  return new Promise((resolve, reject) => {
    execFile('wrk', args, { timeout: (opts.seconds + 30) * 1000 }, (err, stdout) => {
      if (err) return reject(new Error(`wrk failed: ${err.message}\n${stdout}`));
      const num = (re: RegExp) => Number(re.exec(stdout)?.[1] ?? 0);
      const lat = (p: string) => {
        const m = new RegExp(`^\\s+${p}%\\s+([0-9.]+)(us|ms|s)`, 'm').exec(stdout);
        return m ? unitMs(m[1] as string, m[2] as string) : Number.NaN;
      };
      const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(
        stdout,
      );
      resolve({
        rps: num(/Requests\/sec:\s+([0-9.]+)/),
        p50Ms: lat('50'),
        p99Ms: lat('99'),
        requests: num(/(\d+) requests in/),
        errors: socketErrors ? socketErrors.slice(1).reduce((s, v) => s + Number(v), 0) : 0,
        non2xx: num(/Non-2xx or 3xx responses: (\d+)/),
      });
    });
  });
}
