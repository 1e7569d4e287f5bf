// Every test runs in UTC and with a quiet logger unless asked otherwise (STYLE.md: TZ=UTC in tests).
process.env.TZ = 'UTC';
process.env.LOG_LEVEL = process.env.LOG_LEVEL ?? 'silent';
require('reflect-metadata');
