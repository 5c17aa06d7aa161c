// One jest run for the whole repo, so `pnpm test` prints one summary. Two projects (STYLE.md rule 33):
// `unit` = colocated src/**/*.test.ts, no I/O; `integration` = test/**/*.test.ts against real Postgres,
// Redis and HTTP, each file in its own database (cloned from a template migrated once) and Redis prefix.
const transform = {
  '^.+\\.(t|j)sx?$': [
    '@swc/jest',
    { jsc: { parser: { syntax: 'typescript', tsx: true }, target: 'es2022' }, module: { type: 'commonjs' } },
  ],
};
const common = {
  transform,
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/packages', '<rootDir>/tooling', '<rootDir>/e2e'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
};

module.exports = {
  reporters: ['default', '<rootDir>/tooling/jest/summary-reporter.js'],
  // Integration files start processes and databases; unit tests finish far below this.
  testTimeout: 60_000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['**/src/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['**/test/**/*.test.ts'],
      globalSetup: '<rootDir>/tooling/jest/global-setup.ts',
      globalTeardown: '<rootDir>/tooling/jest/global-teardown.ts',
    },
  ],
};
