import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
// googleapis' module for this one API (the package root also types the other ~300 APIs: slow to type-check).
import { auth as googleAuth, dataportability } from 'googleapis/build/src/apis/dataportability/index.js';

/**
 * A Data Portability client, unchanged from one written for Google's API except for `rootUrl`: initiates
 * an export of every group the token grants, waits for it, and downloads each archive part.
 *
 *   npx tsx examples/shop/export.ts --token <token> [--url http://localhost:8080] [--out shop-archive]
 *     [--resources shop.orders,shop.images] [--start 2024-01-01T00:00:00Z] [--end 2024-07-01T00:00:00Z]
 */
const { values } = parseArgs({
  options: {
    token: { type: 'string' },
    url: { type: 'string', default: 'http://localhost:8080' },
    out: { type: 'string', default: 'shop-archive' },
    resources: { type: 'string', default: 'shop.profile,shop.orders,shop.reviews,shop.messages,shop.images' },
    start: { type: 'string' },
    end: { type: 'string' },
  },
});
if (!values.token) throw new Error('pass --token (printed by `npm run example:shop`)');

const auth = new googleAuth.OAuth2();
auth.setCredentials({ access_token: values.token });
const api = dataportability({ version: 'v1', auth, rootUrl: `${values.url.replace(/\/$/, '')}/` });

const resources = values.resources.split(',');
const { data } = await api.portabilityArchive.initiate({
  requestBody: { resources, ...(values.start ? { startTime: values.start } : {}), ...(values.end ? { endTime: values.end } : {}) },
});
console.log(`archive job ${data.archiveJobId} started (${data.accessType})`);

for (;;) {
  const { data: state } = await api.archiveJobs.getPortabilityArchiveState({ name: `archiveJobs/${data.archiveJobId}/portabilityArchiveState` });
  if (state.state === 'IN_PROGRESS') {
    await new Promise((r) => setTimeout(r, 500));
    continue;
  }
  if (state.state !== 'COMPLETE') throw new Error(`the job ended ${state.state}`);
  mkdirSync(values.out, { recursive: true });
  for (const [i, url] of (state.urls ?? []).entries()) {
    const file = path.join(values.out, `archive-${i + 1}.zip`);
    const res = await fetch(url);
    if (!res.ok || !res.body) throw new Error(`download failed: HTTP ${res.status}`);
    await pipeline(Readable.fromWeb(res.body), createWriteStream(file));
    console.log(`downloaded ${file}`);
  }
  break;
}
