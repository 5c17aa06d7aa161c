import { classifySendError } from './smtp-errors';

const smtpError = (props: Record<string, unknown>, message = 'failed') =>
  Object.assign(new Error(message), props);

describe('classifySendError', () => {
  test.each([550, 551, 552, 553, 554, 535])(
    'when the server replied %i, then the failure is permanent',
    (responseCode) => {
      expect(classifySendError(smtpError({ code: 'EENVELOPE', responseCode })).permanent).toBe(true);
    },
  );

  test.each([421, 450, 451, 452, 503])(
    'when the server replied %i, then the failure is transient',
    (responseCode) => {
      expect(classifySendError(smtpError({ code: 'EENVELOPE', responseCode })).permanent).toBe(false);
    },
  );

  test.each(['ECONNECTION', 'ESOCKET', 'ETIMEDOUT', 'EDNS', 'ETLS', 'ECONNREFUSED'])(
    'when the connection failed with %s, then the failure is transient',
    (code) => {
      expect(classifySendError(smtpError({ code })).permanent).toBe(false);
    },
  );

  test('when the envelope is invalid without a server reply, then the failure is permanent', () => {
    expect(classifySendError(smtpError({ code: 'EENVELOPE' })).permanent).toBe(true);
  });

  test('when nodemailer marks a reply permanent, then it is permanent', () => {
    expect(classifySendError(smtpError({ responseCode: 599, permanent: true })).permanent).toBe(true);
  });

  test('when the error is unknown, then it is transient (bounded retries beat a lost email)', () => {
    expect(classifySendError(new Error('boom')).permanent).toBe(false);
    expect(classifySendError('weird').permanent).toBe(false);
  });

  test('when classified, then the reason is one line with code, reply code and message', () => {
    expect(
      classifySendError(
        smtpError({ code: 'EENVELOPE', responseCode: 550 }, 'Recipient rejected:\n550 no such user'),
      ).reason,
    ).toBe('EENVELOPE 550 Recipient rejected: 550 no such user');
  });
});
