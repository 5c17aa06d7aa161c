export * from './email-producer';
export * from './fake-spend';
export * from './key-wire';
export * from './ports';
export * from './processes';
export * from './redis-server';
export * from './smtp-sink';
export * from './tcp-fault-proxy';
