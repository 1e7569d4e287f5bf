// Runs the TypeScript sources directly: SWC transpiles on load (keeping decorator metadata, which
// NestJS and TypeORM need) and resolves the @mosaic/* paths from tsconfig.base.json.
// Type checking is `npm run typecheck`, part of `npm run lint`.
const path = require('node:path');
process.env.TS_NODE_PROJECT =
  process.env.TS_NODE_PROJECT ?? path.join(__dirname, '..', '..', 'tsconfig.json');
require('@swc-node/register');
