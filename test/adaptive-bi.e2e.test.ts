import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EJSON } from 'bson';
import { aggregate } from 'mingo';
import { beforeAll, describe, expect, it } from 'vitest';
import { abiCategories, abiCountries, abiRegions, abiSegments } from '../src/profiles/adaptive-bi/catalog-documents.js';
import { loadSettings } from '../src/config/load.js';
import { throughBson, violations } from './helpers/bson-json-schema.js';
import { checkStockSummaries } from './helpers/abi.js';
import { runBin, runCli } from './helpers/cli.js';
import { seed000File, seed000InitMongo } from './helpers/seed-000.js';

// `--profile adaptive-bi` the way a user of the Adaptive-BI service meets it: its catalog seeded,
// a stream into jsonl files, the queries its later phases run (with mingo, the same pipeline
// language the server runs), its .env read as is, and a catalog its own generator stored.

type Doc = Record<string, unknown>;
const lines = (dir: string, name: string) =>
  readFileSync(join(dir, `${name}.jsonl`), 'utf8')
    .split('\n')
    .filter(Boolean);
/** A file's documents with their Extended JSON types (as mongoimport restores them: 5.0 stays a double). */
const typedDocs = (dir: string, name: string) => lines(dir, name).map((l) => EJSON.parse(l, { relaxed: false }) as Doc);
const docs = (dir: string, name: string) => lines(dir, name).map((l) => EJSON.parse(l, { relaxed: true }) as Doc);
const cents = (x: unknown) => Math.round(Number(x) * 100);
const sumCents = (rows: Doc[], field: string) => rows.reduce((a, r) => a + cents(r[field]), 0);

describe('etl --profile adaptive-bi into jsonl', () => {
  const dir = mkdtempSync(join(tmpdir(), 'etl-abi-'));
  const again = mkdtempSync(join(tmpdir(), 'etl-abi-again-'));
  const seedArgs = (out: string) => ['seed', '--profile', 'adaptive-bi', '--sink', 'jsonl', '--out', out, '--products', '300', '--users', '4000', '--seed', '4'];
  const streamArgs = (out: string) => ['stream', '--profile', 'adaptive-bi', '--sink', 'jsonl', '--out', out, '--from', '2026-03-02T00:00:00Z', '--limit', '80000', '--seed', '9', '--fraud-rate', '0.05'];

  beforeAll(async () => {
    for (const out of [dir, again]) {
      const seeded = await runCli(seedArgs(out));
      expect(seeded.code, seeded.stderr).toBe(0);
      const streamed = await runCli(streamArgs(out));
      expect(streamed.code, streamed.stderr).toBe(0);
    }
  }, 120_000);

  it('writes its collections and no others; the same seed gives the same files byte for byte', () => {
    for (const name of ['products', 'users', 'transactions', 'user_activities', 'inventory_updates']) {
      expect(readFileSync(join(dir, `${name}.jsonl`), 'utf8') === readFileSync(join(again, `${name}.jsonl`), 'utf8'), name).toBe(true);
    }
    expect(() => readFileSync(join(dir, 'product_views.jsonl'))).toThrow();
    expect(() => readFileSync(join(dir, 'cart_events.jsonl'))).toThrow();
  });

  it('every line, read back with its Extended JSON types, passes its init-mongo.js validators', () => {
    const { validators } = seed000InitMongo();
    let checked = 0;
    for (const [name, validator] of Object.entries(validators)) {
      for (const d of typedDocs(dir, name)) {
        const wrong = violations(validator.$jsonSchema, throughBson(d));
        if (wrong.length > 0) throw new Error(`${name} ${String(d._id)}: ${wrong.join('; ')}`);
        checked++;
      }
    }
    expect(checked).toBe(80_000 + 300 + 4000);
  });

  it('its catalog: ids, vocabularies, world regions, and its extra fields', () => {
    const products = docs(dir, 'products');
    const users = docs(dir, 'users');
    expect(products[0].product_id).toBe('PRD_0001');
    expect(users[0].user_id).toBe('USR_000001');
    for (const p of products) {
      expect(abiCategories).toContain(p.category);
      expect(typeof p.description).toBe('string');
      expect(Object.keys(p.dimensions as Doc).sort()).toEqual(['height', 'length', 'width']);
      expect(p.weight as number).toBeGreaterThan(0);
    }
    const regionOf: Record<string, string> = { USA: 'North America', Canada: 'North America', UK: 'Europe', Germany: 'Europe', France: 'Europe', Brazil: 'South America', UAE: 'Middle East', 'Saudi Arabia': 'Middle East', 'South Africa': 'Africa', Kenya: 'Africa' };
    for (const u of users) {
      expect(abiCountries).toContain(u.country);
      expect(abiRegions).toContain(u.region);
      if (regionOf[u.country as string]) expect(u.region).toBe(regionOf[u.country as string]);
      expect(abiSegments).toContain(u.customer_segment);
      expect(['Male', 'Female', 'Other']).toContain(u.gender);
      expect((u.total_orders as number) >= 0 && (u.total_spent as number) >= 0).toBe(true);
    }
    expect(new Set(users.map((u) => u.country)).size).toBe(abiCountries.length);
    expect(new Set(users.map((u) => u.region))).toEqual(new Set(abiRegions));
  });

  it('the queries its later phases run return non-empty, consistent results (mingo)', () => {
    const tx = docs(dir, 'transactions');
    const acts = docs(dir, 'user_activities');
    const inv = docs(dir, 'inventory_updates');
    const productIds = new Set(docs(dir, 'products').map((p) => p.product_id));
    const userIds = new Set(docs(dir, 'users').map((u) => u.user_id));

    // Sales by category and by payment method: every line counted once, to the cent.
    const byCategory = aggregate(tx, [{ $group: { _id: '$category', sales: { $sum: '$final_amount' }, units: { $sum: '$quantity' } } }, { $sort: { sales: -1 } }]) as Doc[];
    expect(byCategory.length).toBe(10);
    for (const r of byCategory) expect(abiCategories).toContain(r._id);
    const total = sumCents(tx, 'final_amount');
    expect(byCategory.reduce((a, r) => a + cents(r.sales), 0)).toBe(total);
    const byPayment = aggregate(tx, [{ $group: { _id: '$payment_method', sales: { $sum: '$final_amount' }, n: { $sum: 1 } } }]) as Doc[];
    expect(byPayment.map((r) => r._id).sort()).toEqual(['Credit Card', 'Debit Card', 'Digital Wallet', 'PayPal']);
    expect(byPayment.reduce((a, r) => a + cents(r.sales), 0)).toBe(total);
    expect(byPayment.reduce((a, r) => a + (r.n as number), 0)).toBe(tx.length);

    // Fraud share: of orders (lines of one order share its label), near --fraud-rate 0.05.
    const fraud = aggregate(tx, [{ $group: { _id: '$order_id', fraud: { $max: '$is_fraud' } } }, { $group: { _id: '$fraud', orders: { $sum: 1 } } }]) as Doc[];
    const fraudOrders = (fraud.find((r) => r._id === true)?.orders as number) ?? 0;
    const orders = fraud.reduce((a, r) => a + (r.orders as number), 0);
    expect(fraudOrders / orders).toBeGreaterThan(0.03);
    expect(fraudOrders / orders).toBeLessThan(0.08);
    const labels = aggregate(tx, [{ $match: { is_fraud: true } }, { $group: { _id: '$anomaly_type' } }]) as Doc[];
    expect(labels.length).toBe(5);

    // Activities by type: its eight types, adding up to the collection.
    const byType = aggregate(acts, [{ $group: { _id: '$activity_type', n: { $sum: 1 } } }]) as Doc[];
    expect(byType.map((r) => r._id).sort()).toEqual(['add_to_cart', 'login', 'logout', 'page_view', 'remove_from_cart', 'review_submit', 'search', 'wishlist_add']);
    expect(byType.reduce((a, r) => a + (r.n as number), 0)).toBe(acts.length);
    expect(acts.every((a) => (a.activity_type === 'search') === (a.search_query !== null))).toBe(true);

    // Stock by product: the latest level per product follows from the updates (each starts where the last ended).
    const stock = aggregate(inv, [{ $sort: { timestamp: 1, _id: 1 } }, { $group: { _id: '$product_id', first: { $first: '$previous_stock' }, change: { $sum: '$stock_change' }, last: { $last: '$new_stock' } } }]) as Doc[];
    expect(stock.length).toBeGreaterThan(100);
    for (const s of stock) {
      expect(s.last).toBe((s.first as number) + (s.change as number));
      expect(s.last as number).toBeGreaterThanOrEqual(0);
    }
    // Sales match orders: each line's sale is in one update naming its order; only each product's
    // latest lines may have none yet (their stock moves wait for their turn; with the living store
    // returns come back when they arrive, so a product's runs of sales are shorter and more wait).
    const summaries = checkStockSummaries(tx, inv);
    expect(summaries.covered).toBeGreaterThan(0.85 * tx.length);

    // Every reference resolves in its catalog.
    for (const t of tx) expect(productIds.has(t.product_id) && userIds.has(t.user_id)).toBe(true);
    for (const a of acts) expect(userIds.has(a.user_id) && (a.product_id === null || productIds.has(a.product_id))).toBe(true);
  });

  it('etl stats --profile adaptive-bi reports the same figures from its field names', async () => {
    const r = await runCli(['stats', '--profile', 'adaptive-bi', '--from', dir, '--since', '365d', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
      profile: string;
      collections: Array<{ name: string; count: number }>;
      sales: { orders: number; revenue: number; byCategory: unknown[] };
      behaviour: { funnel: { sessions: number; viewed: number; carted: number; checkedOut: number }; conversion: number; trending: unknown[] };
      risk: { fraudOrders: number; lowStock: unknown[] };
    };
    const tx = docs(dir, 'transactions');
    expect(report.profile).toBe('adaptive-bi');
    expect(report.collections.map((c) => c.name)).toEqual(['products', 'users', 'transactions', 'user_activities', 'inventory_updates', 'dead_letters', 'etl_runs']);
    expect(report.sales.orders).toBe(new Set(tx.map((t) => t.order_id)).size);
    expect(cents(report.sales.revenue)).toBe(sumCents(tx, 'final_amount'));
    expect(report.sales.byCategory.length).toBe(10);
    const f = report.behaviour.funnel;
    expect(f.sessions > f.viewed && f.viewed > f.carted && f.carted > f.checkedOut && f.checkedOut > 0).toBe(true);
    expect(report.behaviour.trending.length).toBe(10);
    expect(report.risk.fraudOrders).toBeGreaterThan(0);
  });
});

describe('its configuration and its stored catalog', () => {
  it('reads its .env as is: MAX_PRODUCTS, MAX_USERS, BATCH_SIZE, STREAMING_INTERVAL, MONGODB_DATABASE; ours win; no password printed', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'etl-abi-env-'));
    // Its .env, straight from the design, with smaller sizes so the test is quick.
    const env = seed000File('.env').replace('MAX_PRODUCTS=100', 'MAX_PRODUCTS=37').replace('MAX_USERS=1000', 'MAX_USERS=420');
    writeFileSync(join(cwd, '.env'), env);
    const seeded = await runCli(['seed', '--profile', 'adaptive-bi', '--sink', 'jsonl', '--out', join(cwd, 'data'), '--json'], { cwd });
    expect(seeded.code, seeded.stderr).toBe(0);
    const report = JSON.parse(seeded.stdout.trim().split('\n').pop()!) as { counts: { products: { written: number }; users: { written: number } } };
    expect([report.counts.products.written, report.counts.users.written]).toEqual([37, 420]);
    expect(seeded.stdout + seeded.stderr).not.toContain('admin123');

    const streamed = await runCli(['stream', '--sink', 'jsonl', '--out', join(cwd, 'data'), '--limit', '30', '--json'], { cwd, env: { ETL_PROFILE: 'adaptive-bi' } });
    expect(streamed.code, streamed.stderr).toBe(0);
    expect(streamed.stdout + streamed.stderr).not.toContain('admin123');
    const run = docs(join(cwd, 'data'), 'etl_runs')[0] as { options: Record<string, unknown> };
    expect(run.options).toMatchObject({ profile: 'adaptive-bi', batchSize: 10, interval: 2 });
    // Its database, from its .env (MONGODB_DATABASE is a name both share), and by default under the profile.
    const mongoDb = (dotenv: string | undefined, profile: string) =>
      loadSettings({ command: 'stream', flags: { dotenv }, env: { ETL_PROFILE: profile }, cwd }).settings.db;
    expect(mongoDb(join(cwd, '.env'), 'adaptive-bi')).toBe('adaptive_bi');
    writeFileSync(join(cwd, 'empty.env'), '');
    expect(mongoDb(join(cwd, 'empty.env'), 'adaptive-bi')).toBe('adaptive_bi');
    expect(mongoDb(join(cwd, 'empty.env'), 'ecom-etl')).toBe('ecommerce');

    // Ours win where both are set; without the profile its names mean nothing.
    const ours = await runCli(['seed', '--profile', 'adaptive-bi', '--sink', 'jsonl', '--out', join(cwd, 'ours'), '--json'], { cwd, env: { ETL_PRODUCTS: '12' } });
    expect((JSON.parse(ours.stdout.trim().split('\n').pop()!) as typeof report).counts.products.written).toBe(12);
    const plain = await runCli(['seed', '--sink', 'jsonl', '--out', join(cwd, 'plain'), '--json'], { cwd });
    expect((JSON.parse(plain.stdout.trim().split('\n').pop()!) as typeof report).counts.products.written).toBe(100);
  });

  it('etl stream on an empty target seeds a catalog of MAX_PRODUCTS / MAX_USERS (or --products / --users, under either profile)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'etl-abi-size-'));
    const r = await runCli(['stream', '--profile', 'adaptive-bi', '--sink', 'jsonl', '--out', out, '--from', '2026-03-02T00:00:00Z', '--limit', '500'], { env: { MAX_USERS: '5000' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('seeded one first (100 products, 5,000 users, seed 42)');
    expect([lines(out, 'products').length, lines(out, 'users').length]).toEqual([100, 5000]);
    // The stream sells that catalog: users beyond the default thousand come.
    expect(docs(out, 'user_activities').some((a) => Number(String(a.user_id).slice(4)) > 1000)).toBe(true);
    const ours = mkdtempSync(join(tmpdir(), 'etl-ours-size-'));
    const o = await runCli(['stream', '--sink', 'jsonl', '--out', ours, '--from', '2026-03-02T00:00:00Z', '--limit', '50', '--products', '40', '--users', '300']);
    expect(o.code, o.stderr).toBe(0);
    expect([lines(ours, 'products').length, lines(ours, 'users').length]).toEqual([40, 300]);
    // A target that keeps no catalog uses one of that size in memory.
    const mem = await runCli(['stream', '--sink', 'null', '--from', '2026-03-02T00:00:00Z', '--limit', '50'], { env: { ETL_USERS: '300' } });
    expect(mem.stdout).toContain('using one in memory (100 products, 300 users, seed 42)');
  });

  it('a bad value under its name is named in the error, exit 2', async () => {
    const r = await runCli(['stream', '--profile', 'adaptive-bi', '--sink', 'null', '--limit', '10'], { env: { BATCH_SIZE: 'ten' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Invalid BATCH_SIZE (environment): "ten"');
    expect(r.stderr).toContain('Example: BATCH_SIZE=1000');
    const p = await runCli(['seed', '--profile', 'adaptive-b1', '--sink', 'null']);
    expect(p.code).toBe(2);
    expect(p.stderr).toContain('Invalid --profile: "adaptive-b1" must be one of ecom-etl, adaptive-bi');
  });

  it('streams on a catalog its own data_generator.py stored (no state, no is_active, ObjectIds)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'etl-abi-py-'));
    const oid = (n: number) => ({ $oid: n.toString(16).padStart(24, '0') });
    const categories = ['Electronics', 'Clothing', 'Books', 'Home & Garden', 'Sports', 'Beauty', 'Automotive', 'Food', 'Toys', 'Health'];
    const countries = ['USA', 'Canada', 'UK', 'Germany', 'France', 'Japan', 'Australia', 'Brazil', 'India', 'China'];
    const products = Array.from({ length: 100 }, (_, i) => ({
      _id: oid(i + 1),
      product_id: `PRD_${String(i + 1).padStart(4, '0')}`,
      name: `Product ${i + 1}`,
      category: categories[i % 10],
      base_price: 10 + i * 4.87,
      // Its cost is drawn apart from its price: sometimes above it.
      cost: 5 + ((i * 7.3) % 245),
      brand: 'Acme',
      description: 'Text.',
      weight: 1.5,
      dimensions: { length: 10, width: 5, height: 2 },
      stock_quantity: (i * 37) % 1000,
      rating: 1 + (i % 40) / 10,
      review_count: (i * 13) % 1000,
      created_at: { $date: '2025-01-01T00:00:00Z' },
    }));
    const users = Array.from({ length: 1000 }, (_, i) => ({
      _id: oid(1000 + i),
      user_id: `USR_${String(i + 1).padStart(6, '0')}`,
      email: `u${i}@example.com`,
      first_name: 'A',
      last_name: 'B',
      age: 18 + (i % 60),
      gender: ['Male', 'Female', 'Other'][i % 3],
      country: countries[i % 10],
      // Drawn apart from the country there.
      region: ['North America', 'Europe', 'Asia Pacific', 'South America', 'Middle East', 'Africa'][i % 6],
      signup_date: { $date: '2025-02-01T00:00:00Z' },
      customer_segment: ['Premium', 'Regular', 'Budget'][i % 3],
      total_orders: i % 50,
      total_spent: (i * 3.7) % 5000,
      preferred_category: categories[(i * 3) % 10],
      is_active: i % 5 !== 0,
    }));
    writeFileSync(join(out, 'products.jsonl'), products.map((p) => JSON.stringify(p)).join('\n') + '\n');
    writeFileSync(join(out, 'users.jsonl'), users.map((u) => JSON.stringify(u)).join('\n') + '\n');
    const r = await runCli(['stream', '--profile', 'adaptive-bi', '--sink', 'jsonl', '--out', out, '--from', '2026-03-02', '--limit', '20000', '--seed', '2']);
    expect(r.code, r.stderr).toBe(0);
    const tx = docs(out, 'transactions');
    expect(tx.length).toBeGreaterThan(100);
    const sold = new Set(tx.map((t) => t.user_id));
    // Inactive users (every fifth) never buy; the others' ids are its own.
    for (const id of sold) expect((Number(String(id).slice(4)) - 1) % 5).not.toBe(0);
    for (const t of tx) expect(countries).toContain((t.user_info as Doc).country);

    // A document the engine cannot use is named, exit 2.
    writeFileSync(join(out, 'products.jsonl'), JSON.stringify({ ...products[0], product_id: 'PRD_1' }) + '\n');
    const bad = await runCli(['stream', '--profile', 'adaptive-bi', '--sink', 'jsonl', '--out', out, '--limit', '10']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('product_id: must be PRD_ and 4 digits');
  });

  it('--resume continues a profile stream: two halves equal one run, byte for byte; a resume without the profile is refused', async () => {
    const halves = mkdtempSync(join(tmpdir(), 'etl-abi-halves-'));
    const whole = mkdtempSync(join(tmpdir(), 'etl-abi-whole-'));
    const args = (out: string, limit: string, ...more: string[]) => ['stream', '--profile', 'adaptive-bi', '--sink', 'jsonl', '--out', out, '--from', '2026-03-01', '--limit', limit, '--seed', '5', '--quiet', ...more];
    for (const out of [halves, whole]) expect((await runCli(['seed', '--profile', 'adaptive-bi', '--sink', 'jsonl', '--out', out, '--quiet'])).code).toBe(0);
    expect((await runCli(args(halves, '15000'))).code).toBe(0);
    expect((await runCli(args(halves, '30000', '--resume'))).code).toBe(0);
    expect((await runCli(args(whole, '30000'))).code).toBe(0);
    for (const name of ['transactions', 'user_activities', 'inventory_updates']) {
      expect(readFileSync(join(halves, `${name}.jsonl`), 'utf8') === readFileSync(join(whole, `${name}.jsonl`), 'utf8'), name).toBe(true);
    }
    const other = await runCli(['stream', '--sink', 'jsonl', '--out', halves, '--from', '2026-03-01', '--limit', '40000', '--seed', '5', '--resume']);
    expect(other.code).toBe(2);
    // The catalog is read first, and says what is wrong.
    expect(other.stderr).toContain('add --profile adaptive-bi');
  });

  it('a catalog of the other profile is refused with the fix named, exit 2', async () => {
    const ours = mkdtempSync(join(tmpdir(), 'etl-abi-ours-'));
    const theirs = mkdtempSync(join(tmpdir(), 'etl-abi-theirs-'));
    expect((await runCli(['seed', '--sink', 'jsonl', '--out', ours, '--quiet'])).code).toBe(0);
    expect((await runCli(['seed', '--profile', 'adaptive-bi', '--sink', 'jsonl', '--out', theirs, '--quiet'])).code).toBe(0);
    const a = await runCli(['stream', '--profile', 'adaptive-bi', '--sink', 'jsonl', '--out', ours, '--limit', '10']);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('PRD_000001');
    expect(a.stderr).toContain('drop --profile adaptive-bi');
    const b = await runCli(['stream', '--sink', 'jsonl', '--out', theirs, '--limit', '10']);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('PRD_0001');
    expect(b.stderr).toContain('add --profile adaptive-bi');
  });

  it('etl schedule under the profile seeds its catalog and runs its jobs into its collections', async () => {
    const out = mkdtempSync(join(tmpdir(), 'etl-abi-cron-'));
    // Its own pace (21 records a second) would take 15 s a job: --rate makes it quick.
    const r = await runCli(['schedule', '--profile', 'adaptive-bi', '--cron', '* * * * * *', '--max-jobs', '2', '--limit', '300', '--rate', '500', '--sink', 'jsonl', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(docs(out, 'products')[0].product_id).toBe('PRD_0001');
    const written = ['transactions', 'user_activities', 'inventory_updates'].reduce((a, n) => a + lines(out, n).length, 0);
    expect(written).toBe(600);
  }, 30_000);

  it("a live stream at its pace, by default its .env's: every 2 s 10 transactions, 30 activities, 2 inventory updates", () => {
    const out = mkdtempSync(join(tmpdir(), 'etl-abi-pace-'));
    // 20 s: 100 transactions, 300 activities, 20 inventory updates on average.
    const r = runBin(['stream', '--sink', 'jsonl', '--out', out, '--duration', '20s', '--quiet'], { timeout: 60_000, env: { ETL_PROFILE: 'adaptive-bi' } });
    expect(r.code, r.stderr).toBe(0);
    const n = (name: string) => lines(out, name).length;
    expect(n('transactions')).toBeGreaterThan(70);
    expect(n('transactions')).toBeLessThan(130);
    expect(n('user_activities') / n('transactions')).toBeCloseTo(3, 0);
    expect(n('inventory_updates')).toBeGreaterThan(10);
    expect(n('inventory_updates')).toBeLessThan(30);
  }, 60_000);

  it('the built binary streams with two workers under the profile (both warehouses), and the null sink takes it', () => {
    const out = mkdtempSync(join(tmpdir(), 'etl-abi-w2-'));
    const r = runBin(['stream', '--profile', 'adaptive-bi', '--sink', 'jsonl', '--out', out, '--from', '2026-03-02', '--limit', '20000', '--workers', '2', '--seed', '3'], { timeout: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const inv = docs(out, 'inventory_updates');
    expect(new Set(inv.map((u) => u.updated_by))).toEqual(new Set(['system_1', 'system_2']));
    expect(new Set(inv.map((u) => u.warehouse_id))).toEqual(new Set(['WH-0.2', 'WH-1.2']));
    const n = runBin(['stream', '--profile', 'adaptive-bi', '--sink', 'null', '--from', '2026-03-02', '--limit', '20000', '--json'], { timeout: 60_000 });
    expect(n.code, n.stderr).toBe(0);
    expect(n.stdout).toContain('"status":"completed"');
  });
});
