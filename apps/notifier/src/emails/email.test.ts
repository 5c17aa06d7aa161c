import { escapeHtml, formatUtc, InvalidEmailError, oneLine, safeLink } from './email';

describe('escapeHtml', () => {
  test('when a value has every HTML metacharacter, then each is replaced by its entity', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });

  test('when a value is already escaped, then it is escaped again (no double-decoding tricks)', () => {
    expect(escapeHtml('&lt;')).toBe('&amp;lt;');
  });
});

describe('oneLine', () => {
  test('when a value has CR/LF and control characters, then they become single spaces', () => {
    expect(oneLine('Acme\r\nBcc: evil@example.com\t\u0000 Corp ')).toBe('Acme Bcc: evil@example.com Corp');
  });
});

describe('safeLink', () => {
  test('when the link is https, then it is returned', () => {
    expect(safeLink('https://gw.example.com/ui/onboarding?id=abc')).toBe(
      'https://gw.example.com/ui/onboarding?id=abc',
    );
  });

  test.each(['javascript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'mailto:a@example.com'])(
    'when the link is %s, then it is rejected as an invalid email',
    (link) => {
      expect(() => safeLink(link)).toThrow(InvalidEmailError);
    },
  );

  test('when the link is not a URL, then it is rejected as an invalid email', () => {
    expect(() => safeLink('not a url')).toThrow(InvalidEmailError);
  });
});

describe('formatUtc', () => {
  test('when given an ISO timestamp, then it is shown to the minute in UTC', () => {
    expect(formatUtc('2024-05-22T10:07:59.999+02:00')).toBe('2024-05-22 08:07 UTC');
  });

  test('when given something unparsable, then it is shown as given', () => {
    expect(formatUtc('next tuesday')).toBe('next tuesday');
  });
});
