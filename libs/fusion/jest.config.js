module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'fusion',
  rootDir: __dirname,
  testEnvironment: require('node:path').join(__dirname, '../inference/jest.environment.js'),
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/src/**/*.int-spec.ts'],
};
