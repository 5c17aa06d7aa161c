import type { Kysely, Selectable } from '@llmgw/db';
import type { KeysDB, VerificationTokensTable } from '../db';

export type KeyRow = Selectable<VerificationTokensTable>;
export type NewKeyRow = Parameters<ReturnType<Kysely<KeysDB>['insertInto']>['values']>[0];

const UNIQUE_VIOLATION = '23505';

export class AliasTakenError extends Error {}
export class TokenTakenError extends Error {}

export const keysRepository = {
  /** Inserts a key; unique violations become typed errors (alias and token are unique in Postgres). */
  async insert(db: Kysely<KeysDB>, row: NewKeyRow): Promise<KeyRow> {
    try {
      return await db
        .insertInto('keys.verification_tokens')
        .values(row)
        .returningAll()
        .executeTakeFirstOrThrow();
    } catch (err) {
      const e = err as { code?: string; constraint?: string };
      if (e.code === UNIQUE_VIOLATION) {
        if (e.constraint === 'verification_tokens_key_alias_key') throw new AliasTakenError();
        throw new TokenTakenError();
      }
      throw err;
    }
  },

  async findByToken(db: Kysely<KeysDB>, token: string): Promise<KeyRow | undefined> {
    return db
      .selectFrom('keys.verification_tokens')
      .selectAll()
      .where('token', '=', token)
      .executeTakeFirst();
  },
};
