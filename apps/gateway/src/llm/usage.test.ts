import { SseUsageScanner, usageFromJson } from './usage';

const chunk = (id: string, content: string, usage: unknown = null) =>
  `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content } }], usage })}\n\n`;
const usageChunk = (prompt: number, completion: number) =>
  `data: ${JSON.stringify({ id: 'c1', choices: [], usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion } })}\n\n`;

function scan(parts: string[], now = () => 1000): SseUsageScanner {
  const s = new SseUsageScanner(now);
  for (const p of parts) s.push(Buffer.from(p));
  return s;
}

describe('SseUsageScanner', () => {
  test('when the final chunk carries usage, then usage and the first id are read and no text is kept', () => {
    const s = scan([chunk('c1', 'Hel'), chunk('c1', 'lo'), usageChunk(3, 2), 'data: [DONE]\n\n']);
    expect(s.usage).toEqual({ promptTokens: 3, completionTokens: 2, estimated: false });
    expect(s.id).toBe('c1');
    expect(s.text).toBe('');
    expect(s.done).toBe(true);
    expect(s.completionStartTime).toBe(1000);
  });

  test('when the upstream never sends usage, then the text of every frame is there for counting', () => {
    const s = scan([chunk('c9', 'Hello'), chunk('c9', ', '), chunk('c9', 'world'), 'data: [DONE]\n\n']);
    expect(s.usage).toBeNull();
    expect(s.id).toBe('c9');
    expect(s.text).toBe('Hello, world');
  });

  test('when frames are split across chunks anywhere, including inside a CRLF, then they are read whole', () => {
    const wire = `${chunk('c1', 'a').replace(/\n/g, '\r\n')}${chunk('c1', 'b')}${usageChunk(1, 2).replace(/\n/g, '\r\n')}data: [DONE]\r\n\r\n`;
    const parts: string[] = [];
    for (let i = 0; i < wire.length; i += 7) parts.push(wire.slice(i, i + 7));
    const s = scan(parts);
    expect(s.usage).toEqual({ promptTokens: 1, completionTokens: 2, estimated: false });
    expect(s.done).toBe(true);
  });

  test('when a frame has other fields or several data lines, then its data lines are joined', () => {
    const s = scan([`event: message\nid: 7\ndata: {"id":"c2","choices":[{"delta":{"content":"x"}}]}\n\n`]);
    expect(s.id).toBe('c2');
    expect(s.text).toBe('x');
  });

  test('when the upstream ends with [DONE] but no blank line after it, then the stream counts as done', () => {
    const s = scan([chunk('c1', 'a'), 'data: [DONE]']);
    expect(s.done).toBe(false);
    expect(s.end()).toBe(true);
    expect(s.done).toBe(true);
  });

  test('when the last frame is the usage one without a blank line after it, then its usage counts', () => {
    const s = scan([chunk('c1', 'a'), usageChunk(2, 5).trimEnd()]);
    expect(s.end()).toBe(true);
    expect(s.usage).toEqual({ promptTokens: 2, completionTokens: 5, estimated: false });
    expect(scan([chunk('c1', 'a')]).end()).toBe(false);
  });

  test('when usage comes on every chunk (running totals), then the last one wins', () => {
    const s = scan([
      chunk('c1', 'a', { prompt_tokens: 3, completion_tokens: 1 }),
      chunk('c1', 'b', { prompt_tokens: 3, completion_tokens: 2 }),
      usageChunk(3, 2),
    ]);
    expect(s.usage).toEqual({ promptTokens: 3, completionTokens: 2, estimated: false });
  });

  test('when payloads are JSON but not the expected objects, then they are skipped without throwing', () => {
    const s = scan([
      'data: null\n\n',
      'data: 42\n\n',
      'data: {"id":"c5","choices":{}}\n\n',
      'data: {"choices":[null,{"delta":null},{"delta":{"content":"ok"}}],"usage":{"prompt_tokens":"x"}}\n\n',
    ]);
    expect(s.id).toBe('c5');
    expect(s.text).toBe('ok');
    expect(s.usage).toBeNull();
  });

  test('when there is no [DONE], then the stream does not count as done', () => {
    expect(scan([chunk('c1', 'a')]).done).toBe(false);
  });

  test('when a stream grows past 1 MB without usage, then its text is still complete', () => {
    const piece = 'x'.repeat(1000);
    const parts = Array.from({ length: 1500 }, () => chunk('c1', piece));
    const s = scan(parts);
    expect(s.text.length).toBe(1_500_000);
  });

  test('when a frame is not JSON, then it is skipped and the rest is read', () => {
    const s = scan(['data: not json\n\n', chunk('c3', 'ok'), usageChunk(1, 1)]);
    expect(s.id).toBe('c3');
    expect(s.usage).toEqual({ promptTokens: 1, completionTokens: 1, estimated: false });
  });
});

describe('usageFromJson', () => {
  test('when a chat answer has usage, then usage, id and text are read', () => {
    expect(
      usageFromJson({
        id: 'x1',
        choices: [{ message: { content: 'Hi' } }],
        usage: { prompt_tokens: 4, completion_tokens: 1, total_tokens: 5 },
      }),
    ).toEqual({ usage: { promptTokens: 4, completionTokens: 1, estimated: false }, id: 'x1', text: 'Hi' });
  });

  test('when the body is not an object with usage, then usage is null', () => {
    expect(usageFromJson(null)).toEqual({ usage: null, id: null, text: '' });
    expect(usageFromJson([1, 2])).toEqual({ usage: null, id: null, text: '' });
    expect(usageFromJson({ choices: {}, usage: 'x' })).toEqual({ usage: null, id: null, text: '' });
    expect(usageFromJson({ choices: [null, { message: null, text: 'hi' }] })).toEqual({
      usage: null,
      id: null,
      text: 'hi',
    });
  });
});
