import { defaultReply, replyFor, splitReply } from './reply';
import { inputTokens, messageChars, tokensForChars } from './tokens';

const decode = (pieces: string[]) => pieces.map((p) => JSON.parse(p) as string);

describe('replies', () => {
  test('when more words than the base sentence are asked, then the sentence repeats', () => {
    const reply = defaultReply(9);

    expect(JSON.parse(reply.text)).toBe('This is a mock response from mock-llm. This is');
    expect(reply.tokens).toBe(9);
    expect(decode(reply.pieces).join('')).toBe(JSON.parse(reply.text));
  });

  test('when text has odd whitespace, then the pieces add up to it exactly', () => {
    const text = '\tone  two\n\nthree  ';
    const reply = splitReply(text);

    expect(decode(reply.pieces)).toEqual(['\tone', '  two', '\n\nthree  ']);
    expect(reply.tokens).toBe(3);
  });

  test('when mock_response is empty or not a string, then empty gives no chunks and non-strings are ignored', () => {
    expect(replyFor({ mock_response: '' }, 8)).toEqual({ text: '""', pieces: [], tokens: 0 });
    expect(replyFor({ mock_response: 42 }, 2)).toEqual(defaultReply(2));
  });
});

describe('token estimates', () => {
  test('when text is counted, then it is a quarter of the characters rounded up and at least 1', () => {
    expect([0, 1, 4, 5].map(tokensForChars)).toEqual([1, 1, 1, 2]);
  });

  test('when messages mix strings, parts and nulls, then only text characters count', () => {
    expect(
      messageChars([
        { role: 'user', content: 'abc' },
        { role: 'user', content: [{ type: 'text', text: 'de' }, { type: 'image_url' }, null] },
        { role: 'assistant', content: null },
        null,
      ]),
    ).toBe(5);
  });

  test('when inputs are strings, tokens or malformed, then tokens are counted or -1 is returned', () => {
    expect(inputTokens('abcdefgh')).toBe(2);
    expect(inputTokens(['abcd', 'efgh', 'i'])).toBe(3);
    expect(inputTokens([1, 2, 3])).toBe(3);
    expect(inputTokens([[1, 2], [3]])).toBe(3);
    expect(inputTokens([{ text: 'x' }])).toBe(-1);
    expect(inputTokens(7)).toBe(-1);
  });
});
