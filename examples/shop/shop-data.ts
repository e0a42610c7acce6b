/**
 * The example shop's rows, generated deterministically (same seed, same shop), so tests can compare an
 * archive with the rows it came from without reading the database back.
 */

export interface Customer {
  id: number;
  email: string;
  name: string;
  country: string;
  created_at: string;
  preferences: object;
}
export interface Order {
  id: number;
  customer_id: number;
  placed_at: string;
  status: string;
  total_cents: number;
  currency: string;
}
export interface OrderItem {
  order_id: number;
  line_no: number;
  product_sku: string;
  product_name: string;
  quantity: number;
  unit_price_cents: number;
}
export interface Review {
  id: number;
  customer_id: number;
  product_sku: string;
  rating: number;
  body: string;
  created_at: string;
}
export interface Message {
  id: number;
  customer_id: number;
  direction: 'in' | 'out';
  subject: string;
  body: string;
  sent_at: string;
  attachment: Buffer | null;
}

export interface ShopData {
  customers: Customer[];
  orders: Order[];
  orderItems: OrderItem[];
  reviews: Review[];
  messages: Message[];
}

const PRODUCTS = [
  ['MUG-001', 'Enamel camping mug', 1450],
  ['TEE-014', 'Organic cotton T-shirt, "Forest"', 2400],
  ['BAG-007', 'Waxed canvas tote', 5900],
  ['NB-220', 'Dot-grid notebook, A5', 1200],
  ['PEN-003', 'Brass pen', 3800],
  ['SOCK-31', 'Merino socks, 2 pairs', 1900],
  ['LAMP-2', 'Desk lamp; warm white', 7400],
  ['TEA-118', 'Sencha, 100 g', 1100],
] as const;
const FIRST = ['Ada', 'Björn', 'Chiara', 'Dmitri', 'Eun-ji', 'Farah', 'Gustavo', 'Hana', 'Iker', 'Jonas', 'Kalani', 'Léa'];
const LAST = ['Okafor', 'Lindqvist', 'Rossi', 'Ivanov', 'Park', 'Haddad', 'Silva', 'Novak', 'Etxeberria', 'Weber', 'Kahale', 'Dubois'];
const COUNTRIES = ['DE', 'SE', 'IT', 'FR', 'ES', 'NL', 'PL', 'PT'];
const STATUSES = ['delivered', 'delivered', 'delivered', 'shipped', 'cancelled', 'refunded'];
const REVIEW_BODIES = [
  'Exactly as described.',
  'Arrived quickly, great quality!',
  'The colour is a bit off, but "fine".',
  'Would buy again,\nno doubt.',
  'Too small for me.',
];

/** The shop's dates span these two years; the time-window tests choose windows inside them. */
const FIRST_DAY_MS = Date.UTC(2023, 0, 1);
const SPAN_MS = 2 * 365 * 86_400_000;

/** mulberry32: a tiny seeded PRNG, enough for plausible example data. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `YYYY-MM-DD HH:MM:SS`, UTC, whole seconds: the one text every database here reads as a timestamp. */
export function sqlTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('T', ' ').slice(0, 19);
}

export function generateShop(options: { customers?: number; seed?: number } = {}): ShopData {
  const rand = random(options.seed ?? 42);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const time = () => FIRST_DAY_MS + Math.floor(rand() * SPAN_MS);
  const data: ShopData = { customers: [], orders: [], orderItems: [], reviews: [], messages: [] };
  for (let c = 1; c <= (options.customers ?? 12); c++) {
    const first = FIRST[(c - 1) % FIRST.length]!;
    const last = pick(LAST);
    data.customers.push({
      id: c,
      email: `${first
        .toLowerCase()
        .normalize('NFD')
        .replace(/[^a-z]/g, '')}.${last.toLowerCase()}@example.com`,
      name: `${first} ${last}`,
      country: pick(COUNTRIES),
      created_at: sqlTime(FIRST_DAY_MS - Math.floor(rand() * 400) * 86_400_000),
      preferences: { newsletter: rand() < 0.5, language: pick(['en', 'de', 'fr', 'it']), sizes: { shirt: pick(['S', 'M', 'L']) } },
    });
    for (let o = 0, n = 2 + Math.floor(rand() * 10); o < n; o++) {
      const id = data.orders.length + 1;
      let total = 0;
      for (let line = 1, lines = 1 + Math.floor(rand() * 3); line <= lines; line++) {
        const [sku, name, price] = pick(PRODUCTS);
        const quantity = 1 + Math.floor(rand() * 3);
        total += quantity * price;
        data.orderItems.push({ order_id: id, line_no: line, product_sku: sku, product_name: name, quantity, unit_price_cents: price });
      }
      data.orders.push({ id, customer_id: c, placed_at: sqlTime(time()), status: pick(STATUSES), total_cents: total, currency: 'EUR' });
    }
    for (let r = 0, n = Math.floor(rand() * 4); r < n; r++) {
      data.reviews.push({
        id: data.reviews.length + 1,
        customer_id: c,
        product_sku: pick(PRODUCTS)[0],
        rating: 1 + Math.floor(rand() * 5),
        body: pick(REVIEW_BODIES),
        created_at: sqlTime(time()),
      });
    }
    for (let m = 0, n = 1 + Math.floor(rand() * 5); m < n; m++) {
      const inbound = rand() < 0.5;
      data.messages.push({
        id: data.messages.length + 1,
        customer_id: c,
        direction: inbound ? 'in' : 'out',
        subject: inbound ? 'Question about my order' : 'Your order has shipped',
        body: inbound ? 'Hello, where is my parcel?' : 'Tracking: 1Z999AA10123456784',
        sent_at: sqlTime(time()),
        // Every third message carries a small binary attachment, to show bytes becoming base64.
        attachment: m % 3 === 2 ? Buffer.from([0x25, 0x50, 0x44, 0x46, 0x2d, c, m, 0xff, 0x00]) : null,
      });
    }
  }
  return data;
}

/** A valid 1x1 PNG, the stand-in for a customer's uploaded photos. */
export const TINY_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
