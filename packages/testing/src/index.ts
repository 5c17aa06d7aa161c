export * from './ports';
export * from './processes';
export * from './redis-server';
export * from './tcp-fault-proxy';
