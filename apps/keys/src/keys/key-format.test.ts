import { createHash } from 'node:crypto';
import { generateRawKey, hashKey, isKeyHash, keyName, toTokenHash } from './key-format';

const KEY_FORMAT = /^sk-[A-Za-z0-9_-]{22}$/;
/** sha256("sk-1234"), LiteLLM's documented example master key. */
const SK_1234_HASH = '88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b';

describe('generateRawKey', () => {
  test('when generating, then the key is sk- plus 22 url-safe characters (25 in all)', () => {
    const key = generateRawKey();

    expect(key).toMatch(KEY_FORMAT);
    expect(key).toHaveLength(25);
  });

  test('when generating many keys, then every one has the format and none repeats', () => {
    const keys = Array.from({ length: 500 }, generateRawKey);

    expect(keys.filter((k) => !KEY_FORMAT.test(k))).toEqual([]);
    expect(new Set(keys).size).toBe(500);
  });
});

describe('hashKey', () => {
  test('when hashing a key, then it is the unsalted sha256 in lowercase hex, as LiteLLM stores it', () => {
    expect(hashKey('sk-1234')).toBe(SK_1234_HASH);
    expect(hashKey('sk-1234')).toBe(createHash('sha256').update('sk-1234').digest('hex'));
  });

  test('when hashing two different keys, then the hashes differ and are 64 hex chars', () => {
    const a = hashKey('sk-aaaaaaaaaaaaaaaaaaaaaa');
    const b = hashKey('sk-aaaaaaaaaaaaaaaaaaaaab');

    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(b).toMatch(/^[0-9a-f]{64}$/);
    expect(a).not.toBe(b);
  });
});

describe('keyName', () => {
  test('when naming a key, then it is sk-... plus its last 4 chars', () => {
    expect(keyName('sk-AbCdEfGhIjKlMnOpQrXy9Q')).toBe('sk-...Xy9Q');
  });

  test('when the key is short, then the last 4 chars still show', () => {
    expect(keyName('sk-1234')).toBe('sk-...1234');
  });
});

describe('isKeyHash', () => {
  test.each([
    [SK_1234_HASH, true],
    ['0'.repeat(64), true],
    [SK_1234_HASH.toUpperCase(), false],
    [SK_1234_HASH.slice(1), false],
    [`${SK_1234_HASH}0`, false],
    ['sk-1234', false],
    ['', false],
  ])('when given "%s", then %s', (value, expected) => {
    expect(isKeyHash(value)).toBe(expected);
  });
});

describe('toTokenHash', () => {
  test('when given a raw sk- key, then its hash', () => {
    expect(toTokenHash('sk-1234')).toBe(SK_1234_HASH);
  });

  test('when given a hash, then it is returned unchanged', () => {
    expect(toTokenHash(SK_1234_HASH)).toBe(SK_1234_HASH);
  });

  test('when given something that is neither, then it is returned unchanged for the lookup to miss', () => {
    expect(toTokenHash('not-a-key')).toBe('not-a-key');
  });
});
