export * from './auth-record';
export * from './principal';
export * from './queues';
export * from './redis-keys';
export * from './internal-routes';
