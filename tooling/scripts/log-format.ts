/**
 * Turns one pino JSON line into a readable one for `pnpm start`:
 * `12:00:01 INFO  request GET /v1/models 200 1.2ms reqId=...`. Non-JSON lines pass through.
 */
const LEVEL_COLORS: Record<string, string> = {
  fatal: '35',
  error: '31',
  warn: '33',
  info: '32',
  debug: '90',
  trace: '90',
};
const HIDDEN = new Set(['level', 'time', 'msg', 'svc', 'name', 'pid', 'hostname']);

export function formatLogLine(line: string, color: boolean): string {
  if (!line.startsWith('{')) return line;
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const level = String(entry.level ?? 'info');
  const time = typeof entry.time === 'string' ? entry.time.slice(11, 19) : '';
  const label = level.toUpperCase().padEnd(5);
  const paint = (code: string | undefined, s: string) => (color && code ? `\x1b[${code}m${s}\x1b[0m` : s);
  const msg = String(entry.msg ?? '');
  const rest = Object.entries(entry)
    .filter(([k]) => !HIDDEN.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' ');
  return `${time} ${paint(LEVEL_COLORS[level], label)} ${msg}${rest ? ` ${rest}` : ''}`;
}
