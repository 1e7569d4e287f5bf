// `npm run test:system`: suites that need Debian's reference tools (see tools/install-system-deps.sh).
const base = require('./jest.preset.js');

module.exports = {
  ...base,
  rootDir: __dirname,
  testMatch: ['<rootDir>/{apps,libs,test,tools}/**/*.system-spec.ts'],
  testTimeout: 600_000,
};
