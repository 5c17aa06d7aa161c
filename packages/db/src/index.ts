export * from './pool';
export * from './migrate';
export * from './database-url';
export { sql, type Kysely, type Transaction, type Selectable, type Insertable, type Updateable } from 'kysely';
