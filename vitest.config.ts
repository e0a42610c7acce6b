import { defineConfig } from 'vitest/config';

// The API tests run twice: on the embedded stack (SQLite, local folder) and on the scaled one (PostgreSQL,
// pg-boss, S3), which needs the services .ci/run starts (see test/helpers/scaled-stack.ts). Without them
// the scaled run is left out, and says so.
const scaledServices = ['DATAPORT_TEST_POSTGRES_URL', 'DATAPORT_TEST_S3_ENDPOINT', 'DATAPORT_TEST_S3_ACCESS_KEY', 'DATAPORT_TEST_S3_SECRET_KEY'];
const missing = scaledServices.filter((name) => !process.env[name]);
if (missing.length > 0) {
  console.warn(
    `[vitest] scaled-stack tests skipped: ${missing.join(', ')} not set (.ci/run sets them; locally: eval "$(scripts/s3-ceph-rgw.sh)" and DATAPORT_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres)`,
  );
}

export default defineConfig({
  test: {
    // API and process tests start real servers and workers; give them room on a shared 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
    // test/unit and test/domain start no server and run in seconds; test/slow holds what starts threads or
    // processes or writes a 70,000-entry ZIP. The embedded project runs every folder; `npx vitest run test/unit
    // test/domain` is the quick loop.
    projects: [
      { extends: true, test: { name: 'embedded', include: ['test/**/*.test.ts'], exclude: ['test/scale/**'] } },
      ...(missing.length > 0
        ? []
        : [
            {
              extends: true,
              test: {
                name: 'scaled',
                // crash-recovery spawns its own embedded server: the scaled counterpart is test/scale/.
                include: ['test/api/**/*.test.ts', 'test/scale/**/*.test.ts', 'test/webhooks/webhooks.test.ts'],
                exclude: ['test/api/crash-recovery.test.ts'],
                env: { DATAPORT_TEST_STACK: 'scaled' },
              },
            },
          ]),
    ],
  },
});
