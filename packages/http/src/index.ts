export * from './errors';
export * from './error-middleware';
export * from './request-id';
export * from './logger';
export * from './principal-signing';
export * from './health';
export * from './lifecycle';
export * from './body';
