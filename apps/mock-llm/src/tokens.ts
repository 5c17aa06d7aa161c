/** The token estimate used everywhere: a quarter of the characters, at least 1. */
export const tokensForChars = (chars: number): number => Math.max(1, Math.ceil(chars / 4));

/** Characters of every message's text: plain string contents and the `text` of content parts. */
export function messageChars(messages: unknown[]): number {
  let chars = 0;
  for (const message of messages) {
    if (typeof message !== 'object' || message === null) continue;
    const content = (message as { content?: unknown }).content;
    if (typeof content === 'string') {
      chars += content.length;
    } else if (Array.isArray(content)) {
      for (const part of content) {
        const text = (part as { text?: unknown } | null)?.text;
        if (typeof text === 'string') chars += text.length;
      }
    }
  }
  return chars;
}

/**
 * Tokens of a legacy prompt or an embeddings input: a string, strings, a token array or token arrays.
 * Token arrays count one token per number; text counts a quarter of its characters. Returns -1 when
 * the value has none of those shapes.
 */
export function inputTokens(input: unknown): number {
  if (typeof input === 'string') return tokensForChars(input.length);
  if (!Array.isArray(input)) return -1;
  let chars = 0;
  let tokens = 0;
  for (const item of input) {
    if (typeof item === 'string') chars += item.length;
    else if (typeof item === 'number') tokens += 1;
    else if (Array.isArray(item) && item.every((t) => typeof t === 'number')) tokens += item.length;
    else return -1;
  }
  return Math.max(1, tokens + (chars > 0 ? Math.ceil(chars / 4) : 0));
}

export const usageJson = (prompt: number, completion: number): string =>
  `{"prompt_tokens":${prompt},"completion_tokens":${completion},"total_tokens":${prompt + completion}}`;
