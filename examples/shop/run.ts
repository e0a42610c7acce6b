import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { seedSqlite, seedUploads } from './seed.js';
import { generateShop } from './shop-data.js';

/**
 * `npm run example:shop`: seeds the example shop into examples/shop/.data (a SQLite database and a folder
 * of uploaded photos), mints a token for customer 1, and starts Dataport with the shop's catalog. Stop it
 * with Ctrl-C; run it again for a fresh shop (the data is deterministic).
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.resolve(here, '../../bin/dataport.js');
const data = path.join(here, '.data');
const port = process.env.PORT ?? '8080';

rmSync(data, { recursive: true, force: true });
const shop = generateShop();
seedSqlite(path.join(data, 'shop.db'), shop);
seedUploads(path.join(data, 'uploads'), shop);
console.error(
  `seeded ${shop.customers.length} customers, ${shop.orders.length} orders, ${shop.reviews.length} reviews, ${shop.messages.length} messages into ${data}`,
);

const env = {
  ...process.env,
  PORT: port,
  DATAPORT_DATA_DIR: path.join(data, 'dataport'),
  DATAPORT_CATALOG: path.join(here, 'catalog.yaml'),
  SHOP_DATABASE_URL: `sqlite:${path.join(data, 'shop.db')}`,
  SHOP_UPLOADS_DIR: path.join(data, 'uploads'),
};
const groups = 'shop.profile,shop.orders,shop.reviews,shop.messages,shop.images';

const token = await new Promise<string>((resolve, reject) => {
  const child = spawn(process.execPath, [bin, 'token', '--user', '1', '--resources', groups], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.on('exit', (code) => (code === 0 ? resolve(out.trim().split('\n').at(-1)!) : reject(new Error(`dataport token exited with ${code}`))));
});

console.error(`
The shop's catalog: ${env.DATAPORT_CATALOG}
A token for customer 1 (all five shop groups):

  export TOKEN=${token}

Export customer 1's data with Google's own client (in a second terminal, from the repository):

  npx tsx examples/shop/export.ts --token $TOKEN --url http://localhost:${port} --out shop-archive

or with curl:

  curl -s -X POST http://localhost:${port}/v1/portabilityArchive:initiate -H "Authorization: Bearer $TOKEN" \\
    -H 'Content-Type: application/json' -d '{"resources": ["shop.orders", "shop.images"]}'
`);

const server = spawn(process.execPath, [bin, 'start'], { env, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.kill(signal));
server.on('exit', (code) => process.exit(code ?? 0));
