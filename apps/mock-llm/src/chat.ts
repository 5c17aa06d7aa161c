import { missingParameter, type OpenAIError } from './errors';
import type { Knobs } from './knobs';
import { newId, replyFor, unixSeconds } from './reply';
import { DONE_FRAME, type Plan } from './respond';
import { messageChars, tokensForChars, usageJson } from './tokens';

/** `stream_options.include_usage`, which OpenAI needs before it sends a usage chunk. */
export function wantsStreamUsage(body: Record<string, unknown>): boolean {
  const options = body.stream_options;
  return (
    typeof options === 'object' &&
    options !== null &&
    (options as Record<string, unknown>).include_usage === true
  );
}

/** POST /v1/chat/completions: `body` is a parsed object whose `model` is a non-empty string. */
export function chatCompletion(
  body: Record<string, unknown>,
  model: string,
  knobs: Knobs,
): Plan | OpenAIError {
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) return missingParameter('messages');
  const reply = replyFor(body, knobs.chunks);
  const promptTokens = tokensForChars(messageChars(messages));
  const usage = usageJson(promptTokens, reply.tokens);
  const id = newId('chatcmpl');
  const created = unixSeconds();
  const modelJson = JSON.stringify(model);

  if (body.stream !== true) {
    const json =
      `{"id":"${id}","object":"chat.completion","created":${created},"model":${modelJson},` +
      `"choices":[{"index":0,"message":{"role":"assistant","content":${reply.text}},"finish_reason":"stop"}]` +
      (knobs.noUsage ? '}' : `,"usage":${usage}}`);
    return { kind: 'json', status: 200, body: json, cuttable: true };
  }

  const head = `data: {"id":"${id}","object":"chat.completion.chunk","created":${created},"model":${modelJson},"choices":[`;
  const frames: string[] = [
    `${head}{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}\n\n`,
  ];
  for (const piece of reply.pieces) {
    frames.push(`${head}{"index":0,"delta":{"content":${piece}},"finish_reason":null}]}\n\n`);
  }
  frames.push(`${head}{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n`);
  if (!knobs.noUsage && wantsStreamUsage(body)) frames.push(`${head}],"usage":${usage}}\n\n`);
  frames.push(DONE_FRAME);
  return { kind: 'sse', frames, firstContent: 1, contentCount: reply.pieces.length };
}
