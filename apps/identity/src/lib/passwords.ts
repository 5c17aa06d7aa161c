import { argon2id, hash as argonHash, verify as argonVerify } from 'argon2';

/**
 * Password hashing (ARCHITECTURE §5): argon2id with OWASP's minimum parameters (19 MiB memory,
 * 2 iterations, 1 lane). The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) carries its own
 * parameters, so raising them later keeps old hashes verifiable.
 */
export const ARGON2_OPTIONS = { type: argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export interface PasswordHasher {
  hash: (password: string) => Promise<string>;
  /** False for a wrong password or a malformed hash; never throws on user input. */
  verify: (hash: string, password: string) => Promise<boolean>;
  /**
   * Burns the same time as a real verification, for unknown accounts, so that response times do not
   * tell whether an email exists.
   */
  verifyDummy: (password: string) => Promise<void>;
}

export function createPasswordHasher(): PasswordHasher {
  let dummy: Promise<string> | null = null;
  const hash = (password: string) => argonHash(password, ARGON2_OPTIONS);
  const verify = async (stored: string, password: string) => {
    try {
      return await argonVerify(stored, password);
    } catch {
      return false;
    }
  };
  return {
    hash,
    verify,
    verifyDummy: async (password) => {
      dummy ??= hash('dummy password for unknown accounts');
      await verify(await dummy, password);
    },
  };
}

/** Password policy of onboarding and /user/update. */
export const PASSWORD_MIN_LENGTH = 8;
/** argon2 hashes any length; the cap keeps a request from burning CPU on megabytes of "password". */
export const PASSWORD_MAX_LENGTH = 1024;
