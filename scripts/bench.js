// npm run bench [-- --json FILE] [--quick]
// Measures ecom-etl side by side with what a user would otherwise use, in one run on one
// machine: warm-up first, several repetitions, median/min/max. See README "Performance".
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { BSON } from 'bson';
import { faker } from '@faker-js/faker';
import { z as z3 } from 'zod3';
import { CatalogGenerator } from '../dist/catalog/generate.js';
import { buildStoreCatalog } from '../dist/catalog/store-catalog.js';
import { EventEngine } from '../dist/events/engine.js';
import { ecomEtlEvents } from '../dist/profiles/ecom-etl/events.js';

const require = createRequire(import.meta.url);
const mgenerate = require('mgeneratejs');
const root = fileURLToPath(new URL('..', import.meta.url));
const bin = fileURLToPath(new URL('../bin/etl.js', import.meta.url));
const args = process.argv.slice(2);
const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;
const quick = args.includes('--quick');
const cores = cpus().length;
const reps = quick ? 2 : 3;
const N = quick ? 200_000 : 1_000_000;

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1], runs: s.length };
};
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const log = (m) => process.stderr.write(`${m}\n`);

/** Runs fn `reps` times after one warm-up; fn returns records/s. */
function repeat(name, fn, n = reps) {
  log(`  ${name}: warm-up`);
  fn(true);
  const xs = [];
  for (let i = 0; i < n; i++) xs.push(fn(false));
  log(`  ${name}: ${xs.map(fmt).join(', ')}`);
  return stats(xs);
}

/** `etl ... --json`, returning the summary object, the child's peak RSS (kB) and CPU time (user + system, s), from GNU time, and its wall time (s). */
function etl(argv) {
  const t = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M %U %S', process.execPath, bin, ...argv, '--json', '--quiet'], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 1 << 28 });
  const wallSeconds = (performance.now() - t) / 1000;
  if (r.status !== 0) throw new Error(`etl ${argv.join(' ')} failed: ${r.stderr}`);
  const summary = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).find((o) => o.type === 'summary');
  const [rssKb, user, system] = r.stderr.trim().split('\n').pop().split(' ').map(Number);
  return { summary, rssKb, cpuSeconds: user + system, wallSeconds };
}

function streamRate(workers, limit = N, profile = 'ecom-etl') {
  const { summary } = etl(['stream', '--profile', profile, '--sink', 'null', '--from', '2026-01-01', '--to', '2036-01-01', '--limit', String(limit), '--seed', '1', '--workers', String(workers)]);
  return summary.rate;
}

// ---- the documents ecom-etl produces (for the ceiling) ------------------------------------
const gen = new CatalogGenerator(42);
const catalog = buildStoreCatalog(gen.products(0, 100), gen.users(0, 1000));
const sample = new EventEngine(catalog, { seed: 1, partition: { index: 0, count: 1 }, mix: { views: 0.6, cart: 0.3, orders: 0.1 }, fraudRate: 0.02, dirtyRate: 0, from: new Date('2026-01-01'), events: ecomEtlEvents })
  .take(200_000)
  .map((r) => r.doc);

/** Generation alone on one core (the event engine, no validation or encoding). */
function engineOnly(warm) {
  const n = warm ? 200_000 : 1_000_000;
  const e = new EventEngine(catalog, { seed: 2, partition: { index: 0, count: 1 }, mix: { views: 0.6, cart: 0.3, orders: 0.1 }, fraudRate: 0.02, dirtyRate: 0, from: new Date('2026-01-01'), events: ecomEtlEvents });
  const t = performance.now();
  let got = 0;
  while (got < n) got += e.take(10_000).length;
  return got / ((performance.now() - t) / 1000);
}

function ceiling() {
  const t = performance.now();
  let bytes = 0;
  for (const d of sample) bytes += BSON.serialize(d).byteLength;
  if (bytes === 0) throw new Error('nothing encoded');
  return sample.length / ((performance.now() - t) / 1000);
}

// ---- naive baseline: the seed design's way — faker per field, zod 3, BSON ------------------

faker.seed(1);
const naiveSchemas = {
  view: z3.object({ event_id: z3.string().uuid(), session_id: z3.string().uuid(), user_id: z3.string(), product_id: z3.string(), category: z3.string(), event_type: z3.enum(['view', 'search', 'filter', 'compare']), price: z3.number().positive(), device_type: z3.string(), timestamp: z3.date() }),
  cart: z3.object({ event_id: z3.string().uuid(), session_id: z3.string().uuid(), user_id: z3.string(), product_id: z3.string(), event_type: z3.enum(['add', 'remove', 'update_quantity', 'checkout', 'abandon']), quantity: z3.number().int().nonnegative(), unit_price: z3.number().positive(), timestamp: z3.date() }),
  order: z3.object({
    transaction_id: z3.string().uuid(), user_id: z3.string(), session_id: z3.string().uuid(),
    items: z3.array(z3.object({ product_id: z3.string(), product_name: z3.string(), category: z3.string(), quantity: z3.number().int().positive(), unit_price: z3.number().positive() })).min(1),
    subtotal: z3.number(), tax_amount: z3.number(), shipping_cost: z3.number(), discount_amount: z3.number(), final_amount: z3.number().positive(),
    payment_method: z3.string(), country: z3.string(), is_fraud: z3.boolean(), timestamp: z3.date(),
  }),
};
const cats = ['Electronics', 'Clothing', 'Home & Garden', 'Sports & Outdoors', 'Books', 'Beauty', 'Toys & Games', 'Food & Grocery', 'Automotive', 'Health'];
function naiveEvent() {
  const r = faker.number.float();
  if (r < 0.6) {
    return ['view', { event_id: faker.string.uuid(), session_id: faker.string.uuid(), user_id: `USR_${faker.string.numeric(7)}`, product_id: `PRD_${faker.string.numeric(6)}`, category: faker.helpers.arrayElement(cats), event_type: faker.helpers.arrayElement(['view', 'search', 'filter', 'compare']), price: Number(faker.commerce.price()), device_type: faker.helpers.arrayElement(['desktop', 'mobile', 'tablet']), timestamp: faker.date.recent() }];
  }
  if (r < 0.9) {
    return ['cart', { event_id: faker.string.uuid(), session_id: faker.string.uuid(), user_id: `USR_${faker.string.numeric(7)}`, product_id: `PRD_${faker.string.numeric(6)}`, event_type: faker.helpers.arrayElement(['add', 'remove', 'update_quantity', 'checkout', 'abandon']), quantity: faker.number.int({ min: 1, max: 5 }), unit_price: Number(faker.commerce.price()), timestamp: faker.date.recent() }];
  }
  const items = Array.from({ length: faker.number.int({ min: 1, max: 4 }) }, () => ({ product_id: `PRD_${faker.string.numeric(6)}`, product_name: faker.commerce.productName(), category: faker.helpers.arrayElement(cats), quantity: faker.number.int({ min: 1, max: 3 }), unit_price: Number(faker.commerce.price()) }));
  const subtotal = items.reduce((a, i) => a + i.quantity * i.unit_price, 0);
  const tax = subtotal * 0.08;
  return ['order', { transaction_id: faker.string.uuid(), user_id: `USR_${faker.string.numeric(7)}`, session_id: faker.string.uuid(), items, subtotal, tax_amount: tax, shipping_cost: 5.99, discount_amount: 0, final_amount: subtotal + tax + 5.99, payment_method: faker.helpers.arrayElement(['credit_card', 'paypal', 'debit_card']), country: faker.location.countryCode(), is_fraud: faker.datatype.boolean(0.02), timestamp: faker.date.recent() }];
}
function naive(warm) {
  const n = warm ? 20_000 : 100_000;
  const t = performance.now();
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const [kind, doc] = naiveEvent();
    naiveSchemas[kind].parse(doc);
    bytes += BSON.serialize(doc).byteLength;
  }
  if (bytes === 0) throw new Error('nothing encoded');
  return n / ((performance.now() - t) / 1000);
}

// ---- mgeneratejs: the equivalent order document from a template --------------------------
const orderTemplate = {
  transaction_id: '$guid', user_id: { $string: { length: 11 } }, session_id: '$guid',
  items: { $array: { of: { product_id: { $string: { length: 10 } }, product_name: '$word', category: { $choose: { from: cats } }, quantity: { $integer: { min: 1, max: 3 } }, unit_price: { $floating: { min: 2, max: 900, fixed: 2 } } }, number: { $integer: { min: 1, max: 4 } } } },
  subtotal: { $floating: { min: 2, max: 2000, fixed: 2 } }, tax_amount: { $floating: { min: 0, max: 200, fixed: 2 } }, shipping_cost: { $floating: { min: 0, max: 15, fixed: 2 } },
  discount_amount: { $floating: { min: 0, max: 50, fixed: 2 } }, final_amount: { $floating: { min: 2, max: 2300, fixed: 2 } },
  payment_method: { $choose: { from: ['credit_card', 'paypal', 'debit_card'] } }, country: '$country', is_fraud: '$bool', timestamp: '$date',
};
function mgen(warm) {
  const n = warm ? 2_000 : 10_000;
  const t = performance.now();
  let bytes = 0;
  for (let i = 0; i < n; i++) bytes += BSON.serialize(mgenerate(orderTemplate)).byteLength;
  if (bytes === 0) throw new Error('nothing encoded');
  return n / ((performance.now() - t) / 1000);
}

// ---- run ---------------------------------------------------------------------------------
const started = Date.now();
log(`ecom-etl benchmark: ${cores} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}${quick ? ' (quick)' : ''}`);
const rows = {};
rows.ecom1 = repeat(`ecom-etl stream --sink null, 1 worker (${fmt(N)} records)`, (warm) => streamRate(1, warm ? 100_000 : N));
rows.ecomAll = repeat(`ecom-etl stream --sink null, ${cores} workers`, (warm) => streamRate(cores, warm ? 100_000 : N));
rows.adaptiveBi = repeat(`ecom-etl stream --profile adaptive-bi --sink null, ${cores} workers`, (warm) => streamRate(cores, warm ? 100_000 : N, 'adaptive-bi'));
rows.engine = repeat('event engine alone, 1 core (generation only)', engineOnly, 5);
rows.naive = repeat('naive: faker per field + zod 3 + BSON', naive, 5);
rows.mgeneratejs = repeat('mgeneratejs order template + BSON', mgen, 5);
rows.ceiling = repeat('ceiling: BSON.serialize of ecom-etl documents', ceiling, 5);
rows.seed = repeat('seeding users to null', (warm) => {
  const users = warm ? 50_000 : quick ? 200_000 : 1_000_000;
  const { summary } = etl(['seed', '--sink', 'null', '--products', '100', '--users', String(users)]);
  return summary.counts.users.generated / (summary.elapsedMs / 1000);
});
// ---- the GlobalMart scale: a stored jsonl catalog of 250 k products and 2 M users ------------
const { mkdtempSync: mkdtemp, rmSync } = await import('node:fs');
const { tmpdir: tmpDir } = await import('node:os');
const { join: joinPath } = await import('node:path');
/** A naive reader of the same files: one thread, every line read and JSON.parse'd (a child process, as the tool is). */
const naiveParse = `import { createReadStream } from 'node:fs';
let n = 0;
for (const f of ['products.jsonl', 'users.jsonl']) {
  let carry = '';
  for await (const chunk of createReadStream(process.argv[1] + '/' + f, { encoding: 'utf8', highWaterMark: 4 << 20 })) {
    const lines = (carry + chunk).split('\\n');
    carry = lines.pop();
    for (const l of lines) if (l) { JSON.parse(l); n++; }
  }
}
if (n === 0) process.exit(1);`;
const scale = {};
for (const users of quick ? [500_000] : [2_000_000]) {
  const dir = mkdtemp(joinPath(tmpDir(), 'etl-bench-scale-'));
  try {
    log(`  seeding 250,000 products and ${fmt(users)} users into jsonl`);
    const seeded = etl(['seed', '--sink', 'jsonl', '--out', dir, '--products', '250000', '--users', String(users)]);
    const row = { seedUsersPerSecond: Math.round(seeded.summary.counts.users.generated / (seeded.summary.elapsedMs / 1000)), seedPeakRssMB: Math.round(seeded.rssKb / 1024) };
    // First record: a whole `etl stream --limit 1` (start-up, catalog, one record written), against the naive parse, alternating.
    const naiveRuns = [];
    const firstRuns = { 1: [], 2: [] };
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      execFileSync(process.execPath, ['--input-type=module', '-e', naiveParse, dir], { stdio: 'ignore' });
      naiveRuns.push((performance.now() - t) / 1000);
      // A new seed each run: a stream refuses a seed that already has records in the target.
      for (const workers of [1, 2]) firstRuns[workers].push(etl(['stream', '--sink', 'jsonl', '--out', dir, '--from', '2026-03-01', '--limit', '1', '--seed', String(100 + 10 * i + workers), '--workers', String(workers)]).wallSeconds);
    }
    row.naiveParseSeconds = stats(naiveRuns);
    for (const workers of [1, 2]) {
      log(`  stream --workers ${workers} --limit 1,000,000 over that catalog`);
      const run = etl(['stream', '--sink', 'jsonl', '--out', dir, '--from', '2026-03-01', '--to', '2036-01-01', '--limit', '1000000', '--seed', '3', '--workers', String(workers)]);
      row[`workers${workers}`] = { firstRecordSeconds: stats(firstRuns[workers]), firstRecordOverNaive: stats(firstRuns[workers]).median / row.naiveParseSeconds.median, catalogLoadSeconds: run.summary.catalogLoadMs / 1000, peakRssMB: Math.round(run.rssKb / 1024) };
    }
    scale[users] = row;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
// ---- CPU into MongoDB through the scripted wire peer, against the null sink ---------------
// The peer (scripts/bench-peer.ts, another process) counts the events without keeping them; what
// is compared is this tool's own CPU time (user + system) per million records, alternating runs.
const peerRecords = quick ? 200_000 : 1_000_000;
const peerProcess = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./bench-peer.ts', import.meta.url))], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
const peerUri = await new Promise((resolve, reject) => {
  let out = '';
  peerProcess.stdout.on('data', (d) => {
    out += d;
    if (out.includes('\n')) resolve(out.split('\n')[0]);
  });
  peerProcess.once('exit', (code) => reject(new Error(`the wire peer ended (${code})`)));
});
// Also with --lifecycle off: inserts alone, without the living store's updates (one per ~5 records).
const cpuPerMillion = { mongo: [], null: [], mongoInsertsOnly: [], nullInsertsOnly: [] };
/** Peak RSS (MB) of the same runs, per target. */
const peerRssMB = { mongo: [], null: [], mongoInsertsOnly: [], nullInsertsOnly: [] };
/** Live latency rows: target, pace, records/s and p50/p99/max ms. */
const latency = [];
try {
  log(`  CPU per million records, ${cores} workers: into MongoDB through the wire peer, and into null (${fmt(peerRecords)} records a run)`);
  execFileSync(process.execPath, [bin, 'seed', '--uri', peerUri, '--quiet'], { cwd: root });
  for (let i = 0; i < reps; i++) {
    for (const target of ['mongo', 'null']) {
      for (const lifecycle of ['on', 'off']) {
        const where = { mongo: ['--uri', peerUri], null: ['--sink', 'null'] }[target];
        // A seed per run into the peer (it keeps etl_runs); the null sink's runs use the same seeds.
        const seed = (lifecycle === 'on' ? 10 : 20) + i;
        const run = etl(['stream', ...where, '--from', '2026-01-01', '--to', '2036-01-01', '--limit', String(peerRecords), '--seed', String(seed), '--workers', String(cores), '--lifecycle', lifecycle]);
        const key = lifecycle === 'on' ? target : `${target}InsertsOnly`;
        cpuPerMillion[key].push((run.cpuSeconds * 1e6) / peerRecords);
        peerRssMB[key].push(Math.round(run.rssKb / 1024));
      }
    }
  }
  // Live time: latency from a record's timestamp to the acknowledgement of the write that stored
  // it, per target, at --rate 2000 and at --interval 1 --batch-size 500, over a catalog of the
  // size such traffic needs (2,000 products, 100,000 users).
  const liveSeconds = quick ? 5 : 15;
  const liveDir = mkdtemp(joinPath(tmpDir(), 'etl-bench-live-'));
  try {
    execFileSync(process.execPath, [bin, 'seed', '--sink', 'jsonl', '--out', liveDir, '--products', '2000', '--users', '100000', '--quiet'], { cwd: root });
    execFileSync(process.execPath, [bin, 'seed', '--uri', peerUri, '--db', 'etl_live', '--products', '2000', '--users', '100000', '--quiet'], { cwd: root });
    const targets = { jsonl: ['--sink', 'jsonl', '--out', liveDir], null: ['--sink', 'null', '--products', '2000', '--users', '100000'], 'MongoDB (wire peer)': ['--uri', peerUri, '--db', 'etl_live'] };
    const paces = { '--rate 2000': ['--rate', '2000'], '--interval 1 --batch-size 500': ['--interval', '1', '--batch-size', '500'] };
    log(`  live latency, ${liveSeconds} s a run: ${Object.keys(targets).join(', ')} × ${Object.keys(paces).join(', ')}`);
    for (const [pace, paceArgs] of Object.entries(paces)) {
      for (const [target, targetArgs] of Object.entries(targets)) {
        const { summary } = etl(['stream', ...targetArgs, ...paceArgs, '--duration', `${liveSeconds}s`]);
        latency.push({ target, pace, recordsPerSecond: Math.round(summary.rate), ...summary.latency });
      }
    }
  } finally {
    rmSync(liveDir, { recursive: true, force: true });
  }
} finally {
  peerProcess.kill('SIGTERM');
}
log(`  CPU s per million records: MongoDB ${cpuPerMillion.mongo.map((x) => x.toFixed(2)).join(', ')}; null ${cpuPerMillion.null.map((x) => x.toFixed(2)).join(', ')}`);
log(`  with --lifecycle off: MongoDB ${cpuPerMillion.mongoInsertsOnly.map((x) => x.toFixed(2)).join(', ')}; null ${cpuPerMillion.nullInsertsOnly.map((x) => x.toFixed(2)).join(', ')}`);
rows.peerCpu = Object.fromEntries(Object.entries(cpuPerMillion).map(([k, xs]) => [k, stats(xs)]));
log(`  memory: 1 M and 10 M records to null, ${cores} workers both`);
const mem1 = etl(['stream', '--sink', 'null', '--from', '2026-01-01', '--to', '2100-01-01', '--limit', '1000000', '--seed', '1', '--workers', String(cores)]);
const mem10 = quick ? mem1 : etl(['stream', '--sink', 'null', '--from', '2026-01-01', '--to', '2100-01-01', '--limit', '10000000', '--seed', '1', '--workers', String(cores)]);
// Into MongoDB, against mongoimport on the same data: only where a server (and mongoimport) exists.
const benchUri = process.env.BENCH_MONGODB_URI ?? process.env.MONGODB_TEST_URI;
const hasMongoimport = spawnSync('mongoimport', ['--version'], { encoding: 'utf8' }).status === 0;
if (benchUri && hasMongoimport) {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'etl-bench-'));
  const limit = quick ? 100_000 : 500_000;
  execFileSync(process.execPath, [bin, 'seed', '--sink', 'jsonl', '--out', dir, '--quiet'], { cwd: root });
  execFileSync(process.execPath, [bin, 'stream', '--sink', 'jsonl', '--out', dir, '--from', '2026-01-01', '--to', '2036-01-01', '--limit', String(limit), '--seed', '5', '--quiet'], { cwd: root });
  let db = 0;
  rows.mongo = repeat('ecom-etl stream into MongoDB', () => {
    const name = `etl_bench_${process.pid}_${db++}`;
    execFileSync(process.execPath, [bin, 'seed', '--uri', benchUri, '--db', name, '--quiet'], { cwd: root });
    const { summary } = etl(['stream', '--uri', benchUri, '--db', name, '--from', '2026-01-01', '--to', '2036-01-01', '--limit', String(limit), '--seed', '5', '--workers', String(cores)]);
    return summary.rate;
  }, 2);
  rows.mongoimport = repeat(`mongoimport --numInsertionWorkers ${cores} (same records)`, () => {
    const name = `etl_bench_mi_${process.pid}_${db++}`;
    const t = performance.now();
    for (const c of ['product_views', 'cart_events', 'transactions', 'user_activities', 'inventory_updates']) {
      execFileSync('mongoimport', ['--uri', benchUri, '--db', name, '--collection', c, '--file', join(dir, `${c}.jsonl`), '--numInsertionWorkers', String(cores), '--quiet'], { stdio: 'ignore' });
    }
    return limit / ((performance.now() - t) / 1000);
  }, 2);
} else {
  log(`  MongoDB rows skipped: ${benchUri ? 'mongoimport is not on PATH' : 'no BENCH_MONGODB_URI or MONGODB_TEST_URI'}`);
}

// Side by side, alternating, so machine noise hits both alike: `etl --help` against bare node.
const startup = [];
const bare = [];
for (let i = 0; i < 11; i++) {
  let t = performance.now();
  execFileSync(process.execPath, ['-e', '0'], { cwd: root, stdio: 'ignore' });
  bare.push(performance.now() - t);
  t = performance.now();
  execFileSync(process.execPath, [bin, '--help'], { cwd: root, stdio: 'ignore' });
  startup.push(performance.now() - t);
}
rows.startup = stats(startup.slice(1));
rows.bareNode = stats(bare.slice(1));

const result = {
  machine: { cores, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, cpu: cpus()[0]?.model },
  date: new Date().toISOString(),
  recordsPerSecond: { ecom1: rows.ecom1, ecomAll: rows.ecomAll, adaptiveBi: rows.adaptiveBi, engineOnly: rows.engine, naive: rows.naive, mgeneratejs: rows.mgeneratejs, ceiling: rows.ceiling, mongo: rows.mongo, mongoimport: rows.mongoimport },
  seedUsersPerSecond: rows.seed,
  scale,
  peakRssMB: { '1M': Math.round(mem1.rssKb / 1024), '10M': Math.round(mem10.rssKb / 1024), workers: cores },
  cpuSecondsPerMillion: rows.peerCpu,
  peerPeakRssMB: Object.fromEntries(Object.entries(peerRssMB).map(([k, xs]) => [k, Math.max(...xs)])),
  liveLatencyMs: latency,
  startupMs: rows.startup,
  bareNodeMs: rows.bareNode,
  startupOverBareNode: Math.round((rows.startup.median / rows.bareNode.median) * 100) / 100,
  ratios: {
    ecomAllOverNaive: rows.ecomAll.median / rows.naive.median,
    ecomAllOverMgeneratejs: rows.ecomAll.median / rows.mgeneratejs.median,
    ecom1OverCeiling: rows.ecom1.median / rows.ceiling.median,
    ecomAllOverCeiling: rows.ecomAll.median / rows.ceiling.median,
    mongoPeerCpuOverNull: rows.peerCpu.mongo.median / rows.peerCpu.null.median,
    mongoPeerCpuOverNullInsertsOnly: rows.peerCpu.mongoInsertsOnly.median / rows.peerCpu.nullInsertsOnly.median,
    firstRecordOverNaiveParse: Object.fromEntries(Object.entries(scale).map(([users, r]) => [users, { workers1: r.workers1.firstRecordOverNaive, workers2: r.workers2.firstRecordOverNaive }])),
  },
  seconds: Math.round((Date.now() - started) / 1000),
};

const line = (name, s, unit = '/s') => `| ${name} | ${fmt(s.median)}${unit} | ${fmt(s.min)} | ${fmt(s.max)} | ${s.runs} |`;
const table = [
  '| row | median | min | max | runs |',
  '|---|---:|---:|---:|---:|',
  line('ecom-etl `stream --sink null`, 1 worker (validated records)', rows.ecom1),
  line(`ecom-etl \`stream --sink null\`, ${cores} workers`, rows.ecomAll),
  line(`ecom-etl \`stream --profile adaptive-bi --sink null\`, ${cores} workers`, rows.adaptiveBi),
  line('event engine alone, 1 core (generation only)', rows.engine),
  line('naive: faker per field + zod 3 + BSON', rows.naive),
  line('mgeneratejs (order template) + BSON', rows.mgeneratejs),
  line('ceiling: `BSON.serialize` of ecom-etl documents', rows.ceiling),
  line('seeding users to `null`', rows.seed),
  line('start-up: `node bin/etl.js --help`', rows.startup, ' ms'),
  line('bare `node -e 0`, alternating with the row above', rows.bareNode, ' ms'),
  ...(rows.mongo ? [line('ecom-etl into MongoDB', rows.mongo), line('mongoimport, same records', rows.mongoimport)] : []),
].join('\n');
const ratios = [
  `ecom-etl (${cores} workers) ÷ naive: ${result.ratios.ecomAllOverNaive.toFixed(2)}`,
  `ecom-etl (${cores} workers) ÷ mgeneratejs: ${result.ratios.ecomAllOverMgeneratejs.toFixed(2)}`,
  `ecom-etl (1 worker) ÷ ceiling: ${result.ratios.ecom1OverCeiling.toFixed(2)}; (${cores} workers) ÷ ceiling: ${result.ratios.ecomAllOverCeiling.toFixed(2)}`,
  ...(rows.mongo ? [`ecom-etl ÷ mongoimport into MongoDB: ${(rows.mongo.median / rows.mongoimport.median).toFixed(2)}`] : ['ecom-etl ÷ mongoimport: not measured (no MongoDB server here)']),
  `CPU per record into MongoDB through the wire peer ÷ into null (${cores} workers): ${result.ratios.mongoPeerCpuOverNull.toFixed(2)} (${rows.peerCpu.mongo.median.toFixed(2)} ÷ ${rows.peerCpu.null.median.toFixed(2)} CPU s per million; goal ≤ 1.3); with --lifecycle off (inserts alone): ${result.ratios.mongoPeerCpuOverNullInsertsOnly.toFixed(2)} (${rows.peerCpu.mongoInsertsOnly.median.toFixed(2)} ÷ ${rows.peerCpu.nullInsertsOnly.median.toFixed(2)})`,
  ...Object.entries(scale).map(([users, r]) => `first record ÷ naive one-thread read+JSON.parse (${fmt(Number(users))} users, 250 k products): ${r.workers1.firstRecordOverNaive.toFixed(2)} (1 worker), ${r.workers2.firstRecordOverNaive.toFixed(2)} (2 workers; ${r.workers2.firstRecordSeconds.median.toFixed(2)} s ÷ ${r.naiveParseSeconds.median.toFixed(2)} s; goal ≤ 0.35)`),
  `engine alone ÷ 1,000,000/s target: ${(rows.engine.median / 1e6).toFixed(2)}`,
  `\`etl --help\` ÷ bare \`node -e 0\`, side by side: ${result.startupOverBareNode.toFixed(2)} (goal ≤ 1.5)`,
  `peak RSS (whole process, ${cores} workers): ${result.peakRssMB['1M']} MB for 1 M records, ${result.peakRssMB['10M']} MB for 10 M records${quick ? ' (quick: 10 M not run)' : ''}`,
  `peak RSS of the runs above (largest): into MongoDB ${result.peerPeakRssMB.mongo} MB (${result.peerPeakRssMB.mongoInsertsOnly} MB with --lifecycle off), into null ${result.peerPeakRssMB.null} MB`,
].join('\n');
const scaleTable = [
  '| catalog (jsonl, 250 k products) | seeding users/s (peak RSS) | naive parse | 1 worker: first record, catalog load, peak RSS | 2 workers: first record, catalog load, peak RSS |',
  '|---|---:|---:|---:|---:|',
  ...Object.entries(scale).map(
    ([users, r]) =>
      `| ${fmt(Number(users))} users | ${fmt(r.seedUsersPerSecond)} (${r.seedPeakRssMB} MB) | ${r.naiveParseSeconds.median.toFixed(2)} s | ${r.workers1.firstRecordSeconds.median.toFixed(2)} s, ${r.workers1.catalogLoadSeconds.toFixed(2)} s, ${r.workers1.peakRssMB} MB | ${r.workers2.firstRecordSeconds.median.toFixed(2)} s, ${r.workers2.catalogLoadSeconds.toFixed(2)} s, ${r.workers2.peakRssMB} MB |`,
  ),
].join('\n');
const latencyTable = [
  '| live latency, timestamp to stored | pace | records/s | p50 | p99 | max |',
  '|---|---|---:|---:|---:|---:|',
  ...latency.map((l) => `| ${l.target} | \`${l.pace}\` | ${fmt(l.recordsPerSecond)} | ${l.p50} ms | ${l.p99} ms | ${l.max} ms |`),
].join('\n');
console.log(`${table}\n\n${ratios}\n\n${scaleTable}\n\n${latencyTable}\n\n(${result.machine.cpu}, ${cores} cores, node ${process.version}; ${result.seconds} s)`);
if (jsonOut) writeFileSync(jsonOut, `${JSON.stringify(result, null, 2)}\n`);
