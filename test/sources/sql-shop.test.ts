import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedMysql, seedPostgres, seedSqlite, seedUploads } from '../../examples/shop/seed.js';
import { generateShop, type ShopData } from '../../examples/shop/shop-data.js';
import { startDataport, type TestDataport } from '../helpers/dataport.js';
import { exportThroughApi, json, parseCsv } from './export-archive.js';
import { TEST_PG_URL } from './pg-schema.js';

const CATALOG = path.resolve(import.meta.dirname, '../../examples/shop/catalog.yaml');
const MYSQL_URL = 'mysql://root@127.0.0.1:3306';

/** Each database the shop runs on: seeds a fresh copy and returns its URL, and how to drop it afterwards. */
const databases: { name: string; seed: (data: ShopData, dir: string) => Promise<{ url: string; drop: () => Promise<void> }> }[] = [
  {
    name: 'SQLite',
    async seed(data, dir) {
      const file = path.join(dir, 'shop.db');
      seedSqlite(file, data);
      return { url: `sqlite:${file}`, drop: async () => {} };
    },
  },
  {
    name: 'PostgreSQL',
    async seed(data) {
      const schema = `shop_${randomBytes(4).toString('hex')}`;
      await seedPostgres(TEST_PG_URL, schema, data);
      return {
        url: `${TEST_PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
        async drop() {
          const client = new pg.Client({ connectionString: TEST_PG_URL });
          await client.connect();
          await client.query(`DROP SCHEMA ${schema} CASCADE`);
          await client.end();
        },
      };
    },
  },
  {
    name: 'MariaDB',
    async seed(data) {
      const database = `shop_${randomBytes(4).toString('hex')}`;
      const admin = await mysql.createConnection({ uri: MYSQL_URL });
      await admin.query(`CREATE DATABASE ${database}`);
      await admin.end();
      await seedMysql(`${MYSQL_URL}/${database}`, data);
      return {
        url: `${MYSQL_URL}/${database}`,
        async drop() {
          const c = await mysql.createConnection({ uri: MYSQL_URL });
          await c.query(`DROP DATABASE ${database}`);
          await c.end();
        },
      };
    },
  },
];

const iso = (sqlTime: string) => `${sqlTime.replace(' ', 'T')}Z`;
const ALL = ['shop.profile', 'shop.orders', 'shop.reviews', 'shop.messages', 'shop.images'];

describe.each(databases)('sql source: the example shop on $name, through the googleapis client', ({ seed }) => {
  const data = generateShop({ customers: 8, seed: 7 });
  let dp: TestDataport;
  let dir: string;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dataport-shop-'));
    const seeded = await seed(data, dir);
    drop = seeded.drop;
    seedUploads(path.join(dir, 'uploads'), data);
    dp = await startDataport({ DATAPORT_CATALOG: CATALOG, SHOP_DATABASE_URL: seeded.url, SHOP_UPLOADS_DIR: path.join(dir, 'uploads') });
  });
  afterAll(async () => {
    await dp?.close();
    await drop?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a full export holds every row of the customer, with types kept (RFC 3339, int64 as string, bytes base64, JSON)', async () => {
    const customer = data.customers[3]!;
    const archive = await exportThroughApi(dp, String(customer.id), ALL);
    expect(archive.state).toBe('COMPLETE');

    expect(json(archive.files, 'Shop/Profile.json')).toEqual({
      id: String(customer.id),
      email: customer.email,
      name: customer.name,
      country: customer.country,
      created_at: iso(customer.created_at),
      preferences: customer.preferences,
    });

    const orders = data.orders.filter((o) => o.customer_id === customer.id).sort((a, b) => a.placed_at.localeCompare(b.placed_at) || a.id - b.id);
    const exported = json(archive.files, 'Shop/Orders/Orders.json');
    expect(exported).toHaveLength(orders.length);
    expect(exported[0]).toEqual({
      id: String(orders[0]!.id),
      placed_at: iso(orders[0]!.placed_at),
      status: orders[0]!.status,
      total_cents: orders[0]!.total_cents,
      currency: 'EUR',
    });

    const csv = parseCsv(archive.files.get('Shop/Orders/Order items.csv')!.toString('utf8'));
    expect(csv[0]).toEqual(['order_id', 'line_no', 'product_sku', 'product_name', 'quantity', 'unit_price_cents']);
    const items = data.orderItems.filter((i) => orders.some((o) => o.id === i.order_id));
    expect(csv.length - 1).toBe(items.length);
    expect(
      csv
        .slice(1)
        .map((r) => r[3])
        .sort(),
    ).toEqual(items.map((i) => i.product_name).sort());

    const reviews =
      archive.files
        .get('Shop/Reviews.ndjson')
        ?.toString('utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l)) ?? [];
    expect(reviews).toHaveLength(data.reviews.filter((r) => r.customer_id === customer.id).length);

    const messages = json(archive.files, 'Shop/Messages.json');
    const expected = data.messages.filter((m) => m.customer_id === customer.id).sort((a, b) => a.sent_at.localeCompare(b.sent_at) || a.id - b.id);
    expect(messages.map((m: any) => m.id)).toEqual(expected.map((m) => String(m.id)));
    expect(messages.map((m: any) => m.attachment)).toEqual(expected.map((m) => m.attachment?.toString('base64') ?? null));

    const images = [...archive.files.keys()].filter((k) => k.startsWith('Shop/Images/')).sort();
    expect(images).toEqual(
      [
        ...Array.from({ length: 1 + (customer.id % 3) }, (_, i) => `Shop/Images/photo-${i + 1}.png`),
        ...(customer.id % 2 === 0 ? ['Shop/Images/returns/damaged-box.png'] : []),
      ].sort(),
    );
  });

  it('startTime/endTime keep only the rows inside the window (both bounds inclusive)', async () => {
    const customer = data.customers[5]!;
    const orders = data.orders.filter((o) => o.customer_id === customer.id).sort((a, b) => a.placed_at.localeCompare(b.placed_at));
    // A window from the second order's exact time to the second-to-last's: inclusive bounds keep both.
    const startTime = iso(orders[1]!.placed_at);
    const endTime = iso(orders.at(-2)!.placed_at);
    const archive = await exportThroughApi(dp, String(customer.id), ['shop.orders'], { startTime, endTime });
    expect(archive.state).toBe('COMPLETE');
    const exported = json(archive.files, 'Shop/Orders/Orders.json');
    const inside = orders.filter((o) => iso(o.placed_at) >= startTime && iso(o.placed_at) <= endTime);
    expect(exported.map((o: any) => o.id)).toEqual(inside.map((o) => String(o.id)));
    expect(exported.length).toBeLessThan(orders.length);
  });

  it('a user with no rows gets a COMPLETE archive with empty files and no profile', async () => {
    const archive = await exportThroughApi(dp, '999999', ['shop.profile', 'shop.orders']);
    expect(archive.state).toBe('COMPLETE');
    expect(archive.files.has('Shop/Profile.json')).toBe(false);
    expect(json(archive.files, 'Shop/Orders/Orders.json')).toEqual([]);
  });

  it('the discovery document and accessType.check follow the catalog', async () => {
    const res = await fetch(`${dp.url}/$discovery/rest?version=v1`);
    const doc = (await res.json()) as any;
    const scopes = Object.keys(doc.auth.oauth2.scopes);
    expect(scopes).toContain('https://shop.example.com/auth/dataportability.shop.orders');
    expect(scopes.some((s) => s.includes('googleapis.com/auth/dataportability.myactivity'))).toBe(false);
    const { api } = await dp.client({ user: '1', resources: ['shop.orders', 'shop.images'] });
    const { data: check } = await api.accessType.check({ requestBody: {} });
    expect([...(check.oneTimeResources ?? []), ...(check.timeBasedResources ?? [])].sort()).toEqual(['shop.images', 'shop.orders']);
  });
});
