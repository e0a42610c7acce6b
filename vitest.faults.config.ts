import { defineConfig } from 'vitest/config';

// `npm run test:faults`: the fault tests of test/faults/ in their long form (more exports, more kills; see
// crash-loop.test.ts). `npm test` runs the same files in their short form. The scaled-stack parts need the
// services of .ci/run (DATAPORT_TEST_POSTGRES_URL and the S3 variables) and are skipped, saying so, without them.
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // One at a time: the crash loops kill and restart processes and measure nothing, but a loaded machine
    // stretches leases and drains.
    fileParallelism: false,
    env: { DATAPORT_FAULTS_FULL: '1' },
  },
});
