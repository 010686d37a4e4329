/** The shared cloud layer every remote-service client stands on (Atlas now; vision, Solana, compute, network later). */
export * from './errors';
export * from './http-client';
export * from './upload';
export * from './format-check';
export * from './download';
export * from './secrets';
export * from './outbox';
export * from './connection';
