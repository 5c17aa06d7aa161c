import { invalidParameter, missingParameter, type OpenAIError } from './errors';
import type { Knobs } from './knobs';
import type { Plan } from './respond';
import { inputTokens } from './tokens';

export const DEFAULT_DIMENSIONS = 8;
const MAX_DIMENSIONS = 4096;

/** FNV-1a over the UTF-16 code units (or token ids) of one input. */
function hash(input: string | number[]): number {
  let h = 0x811c9dc5;
  if (typeof input === 'string') {
    for (let i = 0; i < input.length; i++) h = Math.imul(h ^ input.charCodeAt(i), 0x01000193);
  } else {
    for (const token of input) h = Math.imul(h ^ (token | 0), 0x01000193);
  }
  return h >>> 0;
}

/**
 * A unit vector that depends only on the input, so equal inputs embed equally across runs (tests and
 * caches can rely on it) and different inputs almost surely differ. Rounded to keep responses short.
 */
export function embed(input: string | number[], dimensions = DEFAULT_DIMENSIONS): number[] {
  // mulberry32, seeded by the input's hash
  let state = hash(input);
  const raw: number[] = new Array(dimensions);
  let norm = 0;
  for (let i = 0; i < dimensions; i++) {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    const v = ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
    raw[i] = v;
    norm += v * v;
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  return raw.map((v) => Math.round(v * scale * 1e6) / 1e6);
}

/** OpenAI's base64 encoding: the little-endian float32 bytes (what the openai SDK asks for by default). */
const toBase64 = (vector: number[]): string =>
  Buffer.from(new Float32Array(vector).buffer).toString('base64');

const isTokens = (v: unknown): v is number[] => Array.isArray(v) && v.every((t) => typeof t === 'number');

/** The separate inputs of `input`: a string, a token array, or an array of either. */
function inputsOf(input: unknown): Array<string | number[]> | undefined {
  if (typeof input === 'string') return [input];
  if (!Array.isArray(input) || input.length === 0) return undefined;
  if (isTokens(input)) return [input];
  return input.every((item) => typeof item === 'string' || isTokens(item))
    ? (input as Array<string | number[]>)
    : undefined;
}

/** POST /v1/embeddings: `body` is a parsed object whose `model` is a non-empty string. */
export function embeddings(body: Record<string, unknown>, model: string, knobs: Knobs): Plan | OpenAIError {
  const inputs = inputsOf(body.input);
  if (!inputs) {
    return body.input === undefined
      ? missingParameter('input')
      : invalidParameter(
          'input',
          "'input' must be a non-empty string, array of strings, array of tokens or array of token arrays",
        );
  }
  const format = body.encoding_format ?? 'float';
  if (format !== 'float' && format !== 'base64') {
    return invalidParameter('encoding_format', "'encoding_format' must be 'float' or 'base64'");
  }
  const dims = body.dimensions ?? DEFAULT_DIMENSIONS;
  if (typeof dims !== 'number' || !Number.isInteger(dims) || dims < 1 || dims > MAX_DIMENSIONS) {
    return invalidParameter('dimensions', `'dimensions' must be an integer between 1 and ${MAX_DIMENSIONS}`);
  }
  const data = inputs.map((input, index) => {
    const vector = embed(input, dims);
    return { object: 'embedding', index, embedding: format === 'base64' ? toBase64(vector) : vector };
  });
  const tokens = inputTokens(body.input);
  const response = knobs.noUsage
    ? { object: 'list', data, model }
    : { object: 'list', data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
  return { kind: 'json', status: 200, body: JSON.stringify(response), cuttable: false };
}
