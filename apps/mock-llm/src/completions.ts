import { wantsStreamUsage } from './chat';
import { invalidParameter, type OpenAIError } from './errors';
import type { Knobs } from './knobs';
import { newId, replyFor, unixSeconds } from './reply';
import { DONE_FRAME, type Plan } from './respond';
import { inputTokens, usageJson } from './tokens';

/** POST /v1/completions: `body` is a parsed object whose `model` is a non-empty string. */
export function textCompletion(
  body: Record<string, unknown>,
  model: string,
  knobs: Knobs,
): Plan | OpenAIError {
  // OpenAI defaults a missing prompt to <|endoftext|>; one token stands for it.
  const prompt = body.prompt === undefined ? 1 : inputTokens(body.prompt);
  if (prompt < 0) {
    return invalidParameter('prompt', "'prompt' must be a string, an array of strings or an array of tokens");
  }
  const reply = replyFor(body, knobs.chunks);
  const usage = usageJson(prompt, reply.tokens);
  const id = newId('cmpl');
  const created = unixSeconds();
  const modelJson = JSON.stringify(model);

  if (body.stream !== true) {
    const json =
      `{"id":"${id}","object":"text_completion","created":${created},"model":${modelJson},` +
      `"choices":[{"text":${reply.text},"index":0,"logprobs":null,"finish_reason":"stop"}]` +
      (knobs.noUsage ? '}' : `,"usage":${usage}}`);
    return { kind: 'json', status: 200, body: json, cuttable: true };
  }

  const head = `data: {"id":"${id}","object":"text_completion","created":${created},"model":${modelJson},"choices":[`;
  const frames: string[] = [];
  for (const piece of reply.pieces) {
    frames.push(`${head}{"text":${piece},"index":0,"logprobs":null,"finish_reason":null}]}\n\n`);
  }
  frames.push(`${head}{"text":"","index":0,"logprobs":null,"finish_reason":"stop"}]}\n\n`);
  if (!knobs.noUsage && wantsStreamUsage(body)) frames.push(`${head}],"usage":${usage}}\n\n`);
  frames.push(DONE_FRAME);
  return { kind: 'sse', frames, firstContent: 0, contentCount: reply.pieces.length };
}
