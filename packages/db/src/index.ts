export {
  type Insertable,
  type Kysely,
  type Selectable,
  sql,
  type Transaction,
  type Updateable,
} from 'kysely';
export * from './database-url';
export * from './migrate';
export * from './pool';
