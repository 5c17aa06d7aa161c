import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseEnv } from '@llmgw/config';
import { type AppOptions, createApp } from './app';
import { configFromEnv, mockEnvSchema } from './env';

/** The app as `main.ts` would build it from `env` (defaults for everything not given). */
export function mockApp(env: Record<string, string> = {}, options: AppOptions = {}): RequestListener {
  return createApp(configFromEnv(parseEnv(mockEnvSchema, env)), options);
}

/**
 * Parses an SSE body into its `data:` payloads (JSON, or the literal "[DONE]"), failing on anything
 * that is not a well-formed `data: ...\n\n` frame.
 */
export function sseData(text: string): unknown[] {
  if (!text.endsWith('\n\n'))
    throw new Error(`SSE body does not end with a blank line: ${JSON.stringify(text)}`);
  return text
    .slice(0, -2)
    .split('\n\n')
    .map((frame) => {
      if (!frame.startsWith('data: ') || frame.includes('\n')) throw new Error(`bad SSE frame: ${frame}`);
      const data = frame.slice('data: '.length);
      return data === '[DONE]' ? data : JSON.parse(data);
    });
}

/** A real server on a free port, for tests that need real sockets (aborts, cut connections). */
export async function listen(listener: RequestListener): Promise<{ server: Server; port: number }> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

export async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
