import { pyRepr } from './py-repr';

describe('pyRepr', () => {
  test.each([
    [{ error: 'User with email a@b.c already exists' }, "{'error': 'User with email a@b.c already exists'}"],
    [{ message: "it's here" }, `{'message': "it's here"}`],
    [{ m: 'both \' and "' }, `{'m': 'both \\' and "'}`],
    [
      { n: null, t: true, f: false, x: 1.5, l: ['a', 2] },
      "{'n': None, 't': True, 'f': False, 'x': 1.5, 'l': ['a', 2]}",
    ],
    ['line\nbreak\\', "'line\\nbreak\\\\'"],
  ])('when given %j, then Python prints %s', (value, expected) => {
    expect(pyRepr(value)).toBe(expected);
  });
});
