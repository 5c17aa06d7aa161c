import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { Readiness } from './health';

export interface ServeOptions {
  server: Server;
  port: number;
  host?: string;
  logger: Logger;
  readiness: Readiness;
  /** Closes pools, queues and connections after the server drained. */
  close: () => Promise<void>;
  /** How long in-flight requests get to finish after SIGTERM. */
  drainMs?: number;
}

/**
 * Listens, and on SIGTERM/SIGINT: readiness goes false, the server stops accepting, idle keep-alive
 * sockets close, in-flight requests finish (up to `drainMs`), then `close()` releases resources and the
 * process exits 0. An unhandled rejection is logged and ends the process (a supervisor restarts it).
 */
export async function serve(opts: ServeOptions): Promise<void> {
  const { server, logger, readiness } = opts;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  logger.info({ port: typeof address === 'object' && address ? address.port : opts.port }, 'listening');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    readiness.accepting = false;
    logger.info({ signal }, 'shutting down');
    const drained = new Promise<void>((resolve) => server.close(() => resolve()));
    // Keep-alive sockets become idle as their last response ends; close them as soon as they do.
    server.closeIdleConnections();
    const sweeper = setInterval(() => server.closeIdleConnections(), 50);
    const timer = setTimeout(() => server.closeAllConnections(), opts.drainMs ?? 10_000);
    await drained;
    clearInterval(sweeper);
    clearTimeout(timer);
    try {
      await opts.close();
    } catch (err) {
      logger.error({ err }, 'error while closing resources');
    }
    logger.info('stopped');
    logger.flush();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  installCrashHandlers(logger);
}

export function installCrashHandlers(logger: Logger): void {
  process.on('unhandledRejection', (reason) => {
    logger.fatal({ err: reason }, 'unhandled rejection');
    logger.flush();
    process.exit(1);
  });
}

/** For `main.ts`: prints a startup failure as one line (no stack) and exits non-zero. */
export function exitOnStartupError(service: string, err: unknown): never {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`${service}: ${message}\n`);
  process.exit(1);
}
