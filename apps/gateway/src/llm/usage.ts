/**
 * Reads what a call cost from the upstream's answer: `usage` of a JSON body, or of the final SSE chunk
 * (the gateway always asks for it with stream_options.include_usage). When the upstream gives none, the
 * streamed text is kept so the tokens can be counted with a tokenizer afterwards.
 */
export interface Usage {
  promptTokens: number;
  completionTokens: number;
  /** True when counted by the gateway because the upstream sent no usage. */
  estimated: boolean;
}

/** `v` as a plain object, or null: upstream JSON is never trusted to have the shape it should. */
function asObject(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function toUsage(v: unknown): Usage | null {
  const u = asObject(v);
  if (!u || typeof u.prompt_tokens !== 'number') return null;
  const completion = typeof u.completion_tokens === 'number' ? u.completion_tokens : 0;
  return { promptTokens: u.prompt_tokens, completionTokens: completion, estimated: false };
}

/** The text of `choices`: `message.content` (chat), `delta.content` (chat stream) or `text` (completions). */
function choicesText(choices: unknown): string {
  if (!Array.isArray(choices)) return '';
  let text = '';
  for (const raw of choices) {
    const c = asObject(raw);
    if (!c) continue;
    const piece = asObject(c.message)?.content ?? asObject(c.delta)?.content ?? c.text;
    if (typeof piece === 'string') text += piece;
  }
  return text;
}

export function usageFromJson(body: unknown): { usage: Usage | null; id: string | null; text: string } {
  const obj = asObject(body) ?? {};
  // The generated text, for counting tokens when the upstream gives no usage.
  return {
    usage: toUsage(obj.usage),
    id: typeof obj.id === 'string' ? obj.id : null,
    text: choicesText(obj.choices),
  };
}

/** A data payload that carries a usage object (`"usage":null`, sent by OpenAI on every chunk, does not). */
const HAS_USAGE = /"usage"\s*:\s*\{/;
/** Raw payloads kept before they are reduced to their text (bounds memory on very long streams). */
const MAX_RAW_CHARS = 1 << 20;

/** The data of an SSE frame: its `data:` lines joined by newlines; null when it has none. */
function dataOf(frame: string): string | null {
  // The common case: one `data: {...}` line.
  if (frame.startsWith('data: ') && !frame.includes('\n')) return frame.slice(6);
  const lines = frame
    .split('\n')
    .filter((l) => l.startsWith('data:'))
    .map((l) => l.slice(l.startsWith('data: ') ? 6 : 5));
  return lines.length ? lines.join('\n') : null;
}

/**
 * Incremental SSE scanner, cheap per frame: only the first frame (for the id) and a frame carrying a usage
 * object are parsed. The other payloads are kept raw and parsed for their text only when it is needed
 * (the upstream never sent usage, or the client left first), or in bulk when they grow past 1 MB.
 */
export class SseUsageScanner {
  private pending = '';
  usage: Usage | null = null;
  id: string | null = null;
  private doneFrame = false;
  /** Generated text of the payloads already reduced. */
  private reduced = '';
  /** Payloads not yet reduced to text (dropped once usage arrives). */
  private raw: string[] = [];
  private rawChars = 0;
  private firstChunkAt: number | null = null;

  constructor(private readonly now: () => number = Date.now) {}

  get completionStartTime(): number | null {
    return this.firstChunkAt;
  }

  /** True when the upstream sent its own `data: [DONE]` (after `end()`, even without a blank line). */
  get done(): boolean {
    return this.doneFrame;
  }

  /** Generated text so far, for counting tokens when the upstream sends no usage. */
  get text(): string {
    this.reduce();
    return this.reduced;
  }

  push(chunk: Buffer): void {
    if (this.firstChunkAt === null) this.firstChunkAt = this.now();
    this.pending += chunk.toString('utf8');
    // SSE lines may end in CRLF; frames are split on blank lines either way.
    // A CR at the very end may be the first half of a CRLF split across chunks: it waits for the next.
    if (this.pending.includes('\r')) this.pending = this.pending.replace(/\r\n|\r(?!$)/g, '\n');
    let end = this.pending.indexOf('\n\n');
    while (end !== -1) {
      this.frame(this.pending.slice(0, end));
      this.pending = this.pending.slice(end + 2);
      end = this.pending.indexOf('\n\n');
    }
  }

  private frame(frame: string): void {
    const data = dataOf(frame);
    if (data === null) return;
    if (data === '[DONE]') {
      this.doneFrame = true;
      return;
    }
    // Usage may come more than once (vLLM's continuous_usage_stats sends a running total on every
    // chunk): the last one wins.
    if (this.id === null || HAS_USAGE.test(data)) {
      this.parse(data);
      return;
    }
    if (this.usage !== null) return;
    this.raw.push(data);
    this.rawChars += data.length;
    if (this.rawChars > MAX_RAW_CHARS) this.reduce();
  }

  private parse(data: string): void {
    let parsed: Record<string, unknown> | null;
    try {
      parsed = asObject(JSON.parse(data));
    } catch {
      return;
    }
    if (!parsed) return;
    if (this.id === null && typeof parsed.id === 'string') this.id = parsed.id;
    const usage = toUsage(parsed.usage);
    if (usage) {
      this.usage = usage;
      this.reduced = '';
      this.raw = [];
      this.rawChars = 0;
      return;
    }
    if (this.usage === null) this.reduced += choicesText(parsed.choices);
  }

  /**
   * The upstream ended: a last frame without the blank line after it still counts. Answers whether there
   * was one (the client got it unterminated too, so anything written after it needs a blank line first).
   */
  end(): boolean {
    const last = this.pending.replace(/\r$/, '');
    this.pending = '';
    if (!last.trim()) return false;
    this.frame(last.replace(/\n+$/, ''));
    return true;
  }

  private reduce(): void {
    const raw = this.raw;
    this.raw = [];
    this.rawChars = 0;
    for (const data of raw) this.parse(data);
  }
}

/** Token count of text with the cl100k/o200k tokenizer, loaded only when an upstream sends no usage. */
export async function countTokens(text: string): Promise<number> {
  if (!text) return 0;
  const { countTokens: count } = await import('gpt-tokenizer');
  return count(text);
}

/**
 * A cheap upper-bound guess of prompt tokens for budget reservation, from the request body's size (no
 * tokenizer and no re-serialization on the hot path; the settle replaces it with the real count).
 */
export function estimatePromptTokens(bodyBytes: number): number {
  return Math.ceil(bodyBytes / 3);
}

/** Prompt text of a request, for counting when the upstream sends no usage. */
export function promptText(body: Record<string, unknown>): string {
  const source = body.messages ?? body.prompt ?? body.input ?? '';
  if (typeof source === 'string') return source;
  if (Array.isArray(source)) {
    return source
      .map((m) => {
        if (typeof m === 'string') return m;
        const content = (m as { content?: unknown }).content;
        return typeof content === 'string' ? content : JSON.stringify(content ?? '');
      })
      .join('\n');
  }
  return JSON.stringify(source);
}
