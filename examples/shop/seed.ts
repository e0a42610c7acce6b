import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { TINY_PNG, type ShopData } from './shop-data.js';

/**
 * Creates the shop's tables and rows in SQLite, PostgreSQL or MySQL/MariaDB. The three schemas differ only
 * where the databases do: each uses its own timestamp, JSON and bytes types. (An example, so the three
 * client libraries sit in this one file; Dataport's own code keeps each library to one module.)
 */

const TABLES = ['customers', 'orders', 'order_items', 'reviews', 'messages'] as const;

function schema(dialect: 'sqlite' | 'postgres' | 'mysql'): string[] {
  const ts = { sqlite: 'TIMESTAMP', postgres: 'TIMESTAMPTZ', mysql: 'DATETIME' }[dialect];
  const json = { sqlite: 'JSON', postgres: 'JSONB', mysql: 'JSON' }[dialect];
  const bytes = { sqlite: 'BLOB', postgres: 'BYTEA', mysql: 'BLOB' }[dialect];
  const text = dialect === 'mysql' ? 'VARCHAR(255)' : 'TEXT';
  return [
    `CREATE TABLE customers (id BIGINT PRIMARY KEY, email ${text} NOT NULL, name ${text} NOT NULL, country CHAR(2) NOT NULL, created_at ${ts} NOT NULL, preferences ${json})`,
    `CREATE TABLE orders (id BIGINT PRIMARY KEY, customer_id BIGINT NOT NULL, placed_at ${ts} NOT NULL, status ${text} NOT NULL, total_cents INTEGER NOT NULL, currency CHAR(3) NOT NULL)`,
    'CREATE INDEX orders_by_customer ON orders (customer_id, placed_at)',
    `CREATE TABLE order_items (order_id BIGINT NOT NULL, line_no INTEGER NOT NULL, product_sku ${text} NOT NULL, product_name ${text} NOT NULL, quantity INTEGER NOT NULL, unit_price_cents INTEGER NOT NULL, PRIMARY KEY (order_id, line_no))`,
    `CREATE TABLE reviews (id BIGINT PRIMARY KEY, customer_id BIGINT NOT NULL, product_sku ${text} NOT NULL, rating INTEGER NOT NULL, body TEXT NOT NULL, created_at ${ts} NOT NULL)`,
    `CREATE TABLE messages (id BIGINT PRIMARY KEY, customer_id BIGINT NOT NULL, direction ${text} NOT NULL, subject ${text} NOT NULL, body TEXT NOT NULL, sent_at ${ts} NOT NULL, attachment ${bytes})`,
  ];
}

function rowsOf(data: ShopData): [string, Record<string, unknown>[]][] {
  return [
    ['customers', data.customers.map((c) => ({ ...c, preferences: JSON.stringify(c.preferences) }))],
    ['orders', data.orders as unknown as Record<string, unknown>[]],
    ['order_items', data.orderItems as unknown as Record<string, unknown>[]],
    ['reviews', data.reviews as unknown as Record<string, unknown>[]],
    ['messages', data.messages as unknown as Record<string, unknown>[]],
  ];
}

export function seedSqlite(file: string, data: ShopData): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  try {
    db.exec(TABLES.map((t) => `DROP TABLE IF EXISTS ${t};`).join('\n'));
    for (const ddl of schema('sqlite')) db.exec(ddl);
    db.transaction(() => {
      for (const [table, rows] of rowsOf(data)) {
        const columns = Object.keys(rows[0]!);
        const insert = db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`);
        for (const row of rows) insert.run(row);
      }
    })();
  } finally {
    db.close();
  }
}

/** Seeds into `schemaName` (created afresh) of the PostgreSQL database at `url`. */
export async function seedPostgres(url: string, schemaName: string, data: ShopData): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schemaName} CASCADE`);
    await client.query(`CREATE SCHEMA ${schemaName}`);
    await client.query(`SET search_path TO ${schemaName}`);
    for (const ddl of schema('postgres')) await client.query(ddl);
    for (const [table, rows] of rowsOf(data)) {
      const columns = Object.keys(rows[0]!);
      for (const row of rows) {
        // Timestamps are UTC wall-clock text; +00 makes PostgreSQL read them so.
        const values = columns.map((c) => (/_at$/.test(c) ? `${row[c] as string}+00` : row[c]));
        await client.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`, values);
      }
    }
  } finally {
    await client.end();
  }
}

/** Seeds into the MySQL/MariaDB database at `url` (tables dropped and created afresh). */
export async function seedMysql(url: string, data: ShopData): Promise<void> {
  const connection = await mysql.createConnection({ uri: url.replace(/^mariadb:/, 'mysql:') });
  try {
    for (const table of TABLES) await connection.query(`DROP TABLE IF EXISTS ${table}`);
    for (const ddl of schema('mysql')) await connection.query(ddl);
    for (const [table, rows] of rowsOf(data)) {
      const columns = Object.keys(rows[0]!);
      await connection.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ?`, [rows.map((r) => columns.map((c) => r[c]))]);
    }
  } finally {
    await connection.end();
  }
}

/** Each customer's uploaded photos: `<root>/<customer id>/images/*.png`, plus a nested folder for some. */
export function seedUploads(root: string, data: ShopData): void {
  for (const customer of data.customers) {
    const images = path.join(root, String(customer.id), 'images');
    mkdirSync(images, { recursive: true });
    for (let i = 1; i <= 1 + (customer.id % 3); i++) writeFileSync(path.join(images, `photo-${i}.png`), TINY_PNG);
    if (customer.id % 2 === 0) {
      mkdirSync(path.join(images, 'returns'), { recursive: true });
      writeFileSync(path.join(images, 'returns', 'damaged-box.png'), TINY_PNG);
    }
  }
}
