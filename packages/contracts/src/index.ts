export * from './auth-record';
export * from './durations';
export * from './internal-routes';
export * from './principal';
export * from './queues';
export * from './redis-keys';
export * from './session';
