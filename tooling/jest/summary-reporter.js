// Writes the totals of the whole run to .test-results/summary.json, which .ci/run turns into its
// `tests: N passed, N failed` line. Suites that fail to load count as failed tests.
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }
  onRunComplete(_contexts, results) {
    const failedSuites = results.testResults.filter(
      (s) => s.testExecError || (s.failureMessage && s.numFailingTests === 0),
    ).length;
    const summary = {
      passed: results.numPassedTests,
      failed: results.numFailedTests + failedSuites,
      skipped: results.numPendingTests + results.numTodoTests,
      suites: results.numTotalTestSuites,
    };
    const dir = join(this.rootDir, '.test-results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary));
  }
}
module.exports = SummaryReporter;
