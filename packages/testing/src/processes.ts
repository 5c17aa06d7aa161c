import { type ChildProcess, spawn } from 'node:child_process';
import { waitFor } from './ports';

export interface SpawnedApp {
  name: string;
  child: ChildProcess;
  baseUrl: string;
  /** Everything the process wrote, for assertions on logs and for failure reports. */
  output: () => string;
  /** SIGTERM, then waits for exit; returns the exit code. */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

export interface SpawnOptions {
  name: string;
  entry: string;
  port: number;
  env: Record<string, string>;
  /** Path polled until it answers 200. */
  readyPath?: string;
  timeoutMs?: number;
  /** Extra node flags before the entry (e.g. `--cpu-prof` when profiling). */
  nodeArgs?: string[];
}

/** Runs a built app (`node dist/main.js`) and waits until it is ready. */
export async function spawnApp(opts: SpawnOptions): Promise<SpawnedApp> {
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), opts.entry], {
    env: { PATH: process.env.PATH ?? '', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const baseUrl = `http://127.0.0.1:${opts.port}`;
  let dead = false;
  void exited.then(() => {
    dead = true;
  });
  try {
    // Readiness, or the process ending first (a bad environment exits at once: no need to wait it out).
    await Promise.race([
      waitFor(async () => {
        if (dead) return true;
        const res = await fetch(`${baseUrl}${opts.readyPath ?? '/health/readiness'}`);
        return res.status === 200;
      }, opts.timeoutMs ?? 15_000),
      exited,
    ]);
    if (dead || child.exitCode !== null) throw new Error(`${opts.name} exited early:\n${out}`);
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${opts.name} did not become ready: ${(err as Error).message}\n${out}`);
  }
  return {
    name: opts.name,
    child,
    baseUrl,
    output: () => out,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
