// `npm test`: every project's unit (*.spec.ts) and integration (*.int-spec.ts) tests, plus test/ end-to-end.
// Suites that need Debian tools (dcmtk, gdcm, python3-torch) are *.system-spec.ts and run with `npm run test:system`.
const { readdirSync, existsSync } = require('node:fs');
const path = require('node:path');

const projectRoots = ['apps', 'libs']
  .flatMap((dir) => readdirSync(path.join(__dirname, dir)).map((name) => path.join(dir, name)))
  .filter((root) => existsSync(path.join(__dirname, root, 'jest.config.js')));

module.exports = {
  // Per-project testTimeout is ignored when running projects, so the bound is set here.
  testTimeout: 120_000,
  projects: [...projectRoots.map((root) => `<rootDir>/${root}`), '<rootDir>/test'],
};
