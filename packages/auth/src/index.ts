export * from './roles';
export * from './route-access';
export * from './routes';
