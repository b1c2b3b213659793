// Tests run against the bootstrap's Redis (REDIS_URL); run directly with vitest they
// fall back to a local redis-server on the default port.
process.env.REDIS_URL ??= 'redis://127.0.0.1:6379';
process.env.LOG_LEVEL ??= 'silent';
