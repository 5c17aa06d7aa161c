import { randomUUID } from 'node:crypto';

/** The assistant's reply, split into the pieces that become stream chunks, pre-encoded as JSON strings. */
export interface Reply {
  /** JSON string literal of the whole text. */
  text: string;
  /** JSON string literals of the pieces; concatenated they give back the text exactly. */
  pieces: string[];
  /** Words in the reply: the completion token count. */
  tokens: number;
}

const BASE_WORDS = 'This is a mock response from mock-llm.'.split(' ');

// Each piece carries the whitespace before its word (as OpenAI tokens do: "This", " is", ...), and the
// last one any trailing whitespace, so the streamed pieces add up to the non-stream text.
const PIECE = /\s*\S+(?:\s+$)?/g;

export function splitReply(text: string): Reply {
  const words = text.match(PIECE) ?? [];
  const pieces = words.length > 0 ? words : text === '' ? [] : [text];
  return { text: JSON.stringify(text), pieces: pieces.map((p) => JSON.stringify(p)), tokens: words.length };
}

// Only a handful of chunk counts are used in practice (the default and a few header values); the bound
// keeps a caller cycling through all 10,000 counts from growing memory without limit.
const DEFAULT_CACHE_MAX = 64;
const defaultReplies = new Map<number, Reply>();

/** "This is a mock response from mock-llm." repeated or cut to `words` words. */
export function defaultReply(words: number): Reply {
  let reply = defaultReplies.get(words);
  if (!reply) {
    const parts: string[] = new Array(words);
    for (let i = 0; i < words; i++) parts[i] = BASE_WORDS[i % BASE_WORDS.length] as string;
    reply = splitReply(parts.join(' '));
    if (defaultReplies.size >= DEFAULT_CACHE_MAX) defaultReplies.clear();
    defaultReplies.set(words, reply);
  }
  return reply;
}

/** LiteLLM's `mock_response` body param picks the text; otherwise the default text of `chunks` words. */
export function replyFor(body: Record<string, unknown>, chunks: number): Reply {
  const mock = body.mock_response;
  return typeof mock === 'string' ? splitReply(mock) : defaultReply(chunks);
}

export const newId = (prefix: string): string => `${prefix}-${randomUUID().replaceAll('-', '')}`;

export const unixSeconds = (): number => Math.floor(Date.now() / 1000);
