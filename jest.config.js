/**
 * Two projects. `unit` is every suite not listed below: in-process, no setup, seconds in all
 * (`npm run test:fast` runs it alone). `integration` is the suites listed here: they start
 * processes (git, opa, bash, npm, the built CLI), synthesize CDKTF apps or run long property
 * tests, and get a global setup that builds dist/ and compiles the test policies with the
 * pinned opa (installing it when absent). A new suite that does any of that goes in this list.
 */
const INTEGRATION = [
  'action', // runs action.yml's scan step with bash, in git repositories
  'baseline-and-scope', // git
  'bench', // bench/bench.js on a copy of a fixture: the built CLI, node and grep in processes of their own
  'cdktf-constructs', // CDKTF synth
  'cdktf-consumer', // npm pack, tsc and node in a project that installed tagguard
  'cli-options', // git
  'config', // git
  'custom-policies', // test policies compiled with opa
  'example-app', // cdktf synth
  'generate', // CDKTF synth
  'hostile-output', // git
  'malformed', // the built CLI in processes of its own
  'package', // npm pack
  'policy-engine', // a test policy compiled with opa
  'pre-commit', // pre-commit, which installs tagguard with npm
  'properties', // fast-check properties over generated trees
  'rule-cases', // every case three ways: scan, fixer, CDKTF aspect
  'security', // the built CLI, unshare
  'work-budget', // inputs built to exhaust the budget
];

const integration = new RegExp(`/test/(${INTEGRATION.join('|')})\\.test\\.ts$`);

const project = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
};

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 60000,
  // Every run: a temporary directory of its own (TMPDIR), checked for leftovers and removed.
  globalSetup: '<rootDir>/test/setup/run-setup.ts',
  globalTeardown: '<rootDir>/test/setup/run-teardown.ts',
  projects: [
    { ...project, displayName: 'unit', testPathIgnorePatterns: ['/node_modules/', integration.source] },
    {
      ...project,
      displayName: 'integration',
      testRegex: integration.source,
      globalSetup: '<rootDir>/test/setup/integration-setup.ts',
      globalTeardown: '<rootDir>/test/setup/integration-teardown.ts',
    },
  ],
};
