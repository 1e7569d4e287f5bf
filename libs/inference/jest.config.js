const path = require('node:path');

module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'inference',
  rootDir: __dirname,
  testEnvironment: path.join(__dirname, 'jest.environment.js'),
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/src/**/*.int-spec.ts'],
};
