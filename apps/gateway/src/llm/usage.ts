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

interface UsageJson {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
}

const toUsage = (u: UsageJson | undefined | null): Usage | null =>
  u && typeof u.prompt_tokens === 'number'
    ? { promptTokens: u.prompt_tokens, completionTokens: u.completion_tokens ?? 0, estimated: false }
    : null;

export function usageFromJson(body: unknown): { usage: Usage | null; id: string | null; text: string } {
  const obj = (body ?? {}) as {
    usage?: UsageJson;
    id?: unknown;
    choices?: { message?: { content?: unknown }; text?: unknown }[];
  };
  // The generated text, for counting tokens when the upstream gives no usage.
  const text = (obj.choices ?? [])
    .map((c) => c.message?.content ?? c.text)
    .filter((t): t is string => typeof t === 'string')
    .join('');
  return { usage: toUsage(obj.usage), id: typeof obj.id === 'string' ? obj.id : null, text };
}

/** Incremental SSE scanner: cheap per chunk (only frames mentioning usage are parsed). */
export class SseUsageScanner {
  private pending = '';
  usage: Usage | null = null;
  id: string | null = null;
  /** Generated text, kept only until usage arrives (for token counting when it never does). */
  text = '';
  private firstChunkAt: number | null = null;

  constructor(private readonly now: () => number = Date.now) {}

  get completionStartTime(): number | null {
    return this.firstChunkAt;
  }

  push(chunk: Buffer): void {
    if (this.firstChunkAt === null) this.firstChunkAt = this.now();
    this.pending += chunk.toString('utf8');
    let end = this.pending.indexOf('\n\n');
    while (end !== -1) {
      this.frame(this.pending.slice(0, end));
      this.pending = this.pending.slice(end + 2);
      end = this.pending.indexOf('\n\n');
    }
  }

  private frame(frame: string): void {
    const line = frame.startsWith('data: ')
      ? frame.slice(6)
      : frame.startsWith('data:')
        ? frame.slice(5)
        : null;
    if (line === null || line === '[DONE]') return;
    if (this.id === null || this.usage === null) {
      let parsed: {
        id?: unknown;
        usage?: UsageJson | null;
        choices?: { delta?: { content?: unknown }; text?: unknown }[];
      };
      try {
        parsed = JSON.parse(line);
      } catch {
        return;
      }
      if (this.id === null && typeof parsed.id === 'string') this.id = parsed.id;
      const usage = toUsage(parsed.usage);
      if (usage) {
        this.usage = usage;
        this.text = '';
        return;
      }
      for (const c of parsed.choices ?? []) {
        const piece = c.delta?.content ?? c.text;
        if (typeof piece === 'string') this.text += piece;
      }
    }
  }
}

/** Token count of text with the cl100k/o200k tokenizer, loaded only when an upstream sends no usage. */
export async function countTokens(text: string): Promise<number> {
  if (!text) return 0;
  const { countTokens: count } = await import('gpt-tokenizer');
  return count(text);
}

/** A cheap upper-bound guess of prompt tokens for budget reservation (no tokenizer on the hot path). */
export function estimatePromptTokens(body: Record<string, unknown>): number {
  const source = body.messages ?? body.prompt ?? body.input ?? '';
  const chars = typeof source === 'string' ? source.length : JSON.stringify(source).length;
  return Math.ceil(chars / 3);
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
