// The browser-store benchmark's page side (crates/e2e/benches/indexeddb.rs drives it; see
// docs/benchmarks.md, "Browser store"). Loaded into the console's own page with
// `import('/bench/bench.js')`, so all three stores run in the same page, next to the idle app.
//
// Three implementations of the same work on the same data and the same schema:
// - `jumun`: the console's wasm `Store` through its bench exports (`window.wasmBindings`,
//   src/bench.rs) on the console's database `jumun`;
// - `raw`: plain IndexedDB calls on `bench-raw`;
// - `dexie`: Dexie.js 4 (from npm, served as /bench/dexie.mjs) on `bench-dexie`.
//
// Rows have the shape the console stores (src/store/rows.rs `OrderRow`): the index fields
// next to the order as a JSON string in `doc`. Each implementation starts from order objects in
// its own language and builds the rows itself (JSON-encoding the document), as the console does.

'use strict';

export const RAW_DB = 'bench-raw';
export const DEXIE_DB = 'bench-dexie';
export const JUMUN_DB = 'jumun';
// Dexie's schema string for the indexes of src/store/schema.rs's `orders` in versions 2–4 (the
// console's own store has since kept the list's fields in `order_list` instead; see
// docs/benchmarks.md).
export const DEXIE_SCHEMA =
  'id, [marketplace+order_no], status, *mp_lines, held, recipient_name, recipient_phone, tracking_no, ordered_at, registered_at';

// ---- data ------------------------------------------------------------------------------------

const MARKETPLACES = ['coupang', 'smartstore', 'cafe24', '11st', 'gmarket', 'auction', 'zigzag', 'ably', 'brandi', 'shinsegae'];
const SURNAMES = ['김', '이', '박', '최', '정', '강', '조', '윤', '장', '임', '한', '오', '서', '신', '권'];
const GIVEN = ['철수', '영희', '민수', '지훈', '서연', '도윤', '하은', '예준', '지우', '수빈', '현우', '유진', '민지', '준호', '다은'];
const PRODUCTS = [
  ['반팔 티셔츠', '블랙 / L', 19900],
  ['후드 집업', '그레이 / M', 45900],
  ['데님 팬츠', '인디고 / 30', 39900],
  ['린넨 셔츠', '화이트 / 95', 32900],
  ['니트 가디건', '베이지 / FREE', 49900],
  ['캔버스 스니커즈', '아이보리 / 260', 59000],
  ['에코백', '네이비', 15900],
  ['양말 3팩', '혼합', 9900],
];
const ADDRESSES = ['서울 강남구 테헤란로 1', '서울 마포구 월드컵북로 396', '부산 해운대구 센텀중앙로 79', '경기 성남시 분당구 판교역로 166', '대구 중구 동성로 2', '인천 연수구 송도과학로 32'];
const CARRIERS = ['cj', 'hanjin', 'lotte', 'epost'];

// A fixed-seed generator (mulberry32): the same orders on every run.
function generator(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BASE = Date.UTC(2026, 8, 1, 0, 0, 0); // 2026-09-01
const iso = (ms) => new Date(ms).toISOString().replace('.000Z', 'Z');
const pick = (rand, list) => list[Math.floor(rand() * list.length)];
const digits = (rand, n) => String(Math.floor(rand() * 10 ** n)).padStart(n, '0');

/// The tracking number of the i-th order when it has an invoice.
export function trackingNo(i) {
  const n = String(600000000000 + i * 7);
  return `${n.slice(0, 4)}-${n.slice(4, 8)}-${n.slice(8)}`;
}

/// `n` orders as `jumun_core::order::Order` JSON objects: 1–3 lines, 35% Preparing (2% of
/// them held), 20% ReadyToShip, 20% InTransit, 15% Delivered, 10% PurchaseConfirmed; every order
/// past Preparing has an invoice with a unique tracking number.
export function makeOrders(n, seed = 20261125) {
  const rand = generator(seed);
  const orders = new Array(n);
  for (let i = 0; i < n; i++) {
    const id = 1_000_000 + i;
    const marketplace = MARKETPLACES[i % MARKETPLACES.length];
    const order_no = `${marketplace.slice(0, 2).toUpperCase()}-${2026000000 + i}`;
    const r = rand();
    const status = r < 0.35 ? 'Preparing' : r < 0.55 ? 'ReadyToShip' : r < 0.75 ? 'InTransit' : r < 0.9 ? 'Delivered' : 'PurchaseConfirmed';
    const ordered = BASE + Math.floor(rand() * 60 * 86400) * 1000;
    const name = pick(rand, SURNAMES) + pick(rand, GIVEN);
    const phone = `010-${digits(rand, 4)}-${digits(rand, 4)}`;
    const lineCount = 1 + Math.floor(rand() * 3);
    const held = status === 'Preparing' && rand() < 0.02;
    const lines = [];
    for (let k = 0; k < lineCount; k++) {
      const [product_name, option, unit_price] = pick(rand, PRODUCTS);
      lines.push({
        id: id * 10 + k,
        keys: { order_no, line_no: `${order_no}-${k + 1}` },
        product_name,
        option,
        quantity: 1 + Math.floor(rand() * 3),
        unit_price,
        option_price: 0,
        sku: null,
        status,
        claim_state: 'Normal',
        hold: held && k === 0
          ? { kind: 'Operator', reason: { Operator: '고객 요청으로 출고 보류' }, since: iso(ordered + 7200000) }
          : null,
        claim: null,
        split_of: null,
      });
    }
    const invoiced = status !== 'Preparing';
    const shipped = status === 'InTransit' || status === 'Delivered' || status === 'PurchaseConfirmed';
    const delivered = status === 'Delivered' || status === 'PurchaseConfirmed';
    orders[i] = {
      id,
      marketplace,
      order_no,
      origin: 'Collected',
      payment: 'Paid',
      dates: {
        registered_at: iso(ordered + 3600000),
        ordered_at: iso(ordered),
        paid_at: iso(ordered),
        shipped_at: shipped ? iso(ordered + 86400000) : null,
        delivered_at: delivered ? iso(ordered + 3 * 86400000) : null,
        confirmed_at: status === 'PurchaseConfirmed' ? iso(ordered + 10 * 86400000) : null,
        cancelled_at: null,
      },
      delivery: {
        orderer_name: name,
        orderer_phone: phone,
        recipient_name: name,
        recipient_phone: phone,
        postcode: digits(rand, 5),
        address: pick(rand, ADDRESSES) + ` ${1 + Math.floor(rand() * 300)}호`,
      },
      lines,
      bundle: null,
      no_bundle: false,
      partial_shipping: false,
      invoice: invoiced
        ? { carrier: pick(rand, CARRIERS), tracking_no: trackingNo(i), issued_at: iso(ordered + 43200000), printed_at: iso(ordered + 50400000), label_outdated: false }
        : null,
      invoice_upload: shipped ? 'Sent' : 'NotDue',
      memos: [],
    };
  }
  return orders;
}

/// The row the console stores for an order (src/store/rows.rs `OrderRow::of`), in JavaScript.
export function rowOf(order) {
  const marketplace = order.marketplace;
  const seen = new Set();
  const mp_lines = [];
  for (const line of order.lines) {
    const no = line.keys.line_no;
    if (no != null && !seen.has(no)) {
      seen.add(no);
      mp_lines.push([marketplace, no]);
    }
  }
  mp_lines.sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  const row = {
    id: order.id,
    marketplace,
    order_no: order.order_no,
    status: order.lines[0].status, // every line of a generated order has the same status
    mp_lines,
    held: order.lines.some((l) => l.hold != null) ? 1 : 0,
    recipient_name: order.delivery.recipient_name.trim(),
    recipient_phone: order.delivery.recipient_phone.replace(/[\s-]/g, ''),
    ordered_at: Date.parse(order.dates.ordered_at),
    registered_at: Date.parse(order.dates.registered_at),
    doc: JSON.stringify(order),
  };
  if (order.invoice) row.tracking_no = order.invoice.tracking_no;
  return row;
}

// ---- plain IndexedDB ------------------------------------------------------------------------

const req = (r) => new Promise((ok, fail) => { r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
const done = (tx) => new Promise((ok, fail) => { tx.oncomplete = () => ok(); tx.onerror = () => fail(tx.error); tx.onabort = () => fail(tx.error || new Error('aborted')); });

/// Opens (creating) the raw database with the console's `orders` schema of versions 2–4.
export function rawOpen(name = RAW_DB) {
  const r = indexedDB.open(name, 1);
  r.onupgradeneeded = () => {
    const orders = r.result.createObjectStore('orders', { keyPath: 'id' });
    orders.createIndex('marketplace_order', ['marketplace', 'order_no']);
    orders.createIndex('status', 'status');
    orders.createIndex('marketplace_line', 'mp_lines', { multiEntry: true });
    for (const f of ['held', 'recipient_name', 'recipient_phone', 'tracking_no', 'ordered_at', 'registered_at']) {
      orders.createIndex(f, f);
    }
  };
  return req(r);
}

export function deleteDb(name) {
  return new Promise((ok, fail) => {
    const r = indexedDB.deleteDatabase(name);
    r.onsuccess = () => ok(true);
    r.onerror = () => fail(r.error);
    r.onblocked = () => console.warn(`deleting ${name} waits for an open connection`);
  });
}

function rawStore() {
  let db = null;
  return {
    name: 'raw',
    async open() { db = await rawOpen(); },
    async write(chunk) {
      const tx = db.transaction('orders', 'readwrite');
      const store = tx.objectStore('orders');
      for (const order of chunk) store.put(rowOf(order));
      const finished = done(tx);
      tx.commit();
      await finished;
    },
    async count() { return req(db.transaction('orders').objectStore('orders').count()); },
    async queryStatus(s) {
      const rows = await req(db.transaction('orders').objectStore('orders').index('status').getAll(s));
      return rows.map((r) => JSON.parse(r.doc)).length;
    },
    async countStatus(s) { return req(db.transaction('orders').objectStore('orders').index('status').count(s)); },
    async findTracking(t) {
      const rows = await req(db.transaction('orders').objectStore('orders').index('tracking_no').getAll(t));
      return rows.map((r) => JSON.parse(r.doc)).length;
    },
    close() { db.close(); },
  };
}

// ---- Dexie ------------------------------------------------------------------------------------

export async function dexieOpen(name = DEXIE_DB) {
  const { default: Dexie } = await import('/bench/dexie.mjs');
  const db = new Dexie(name);
  db.version(1).stores({ orders: DEXIE_SCHEMA });
  await db.open();
  return db;
}

function dexieStore() {
  let db = null;
  return {
    name: 'dexie',
    async open() { db = await dexieOpen(); },
    async write(chunk) { await db.orders.bulkPut(chunk.map(rowOf)); },
    async count() { return db.orders.count(); },
    async queryStatus(s) {
      const rows = await db.orders.where('status').equals(s).toArray();
      return rows.map((r) => JSON.parse(r.doc)).length;
    },
    async countStatus(s) { return db.orders.where('status').equals(s).count(); },
    async findTracking(t) {
      const rows = await db.orders.where('tracking_no').equals(t).toArray();
      return rows.map((r) => JSON.parse(r.doc)).length;
    },
    close() { db.close(); },
  };
}

// ---- Jumun (the console's wasm Store) ---------------------------------------------------------

function jumunStore() {
  const w = () => window.wasmBindings;
  const extra = { stringify_ms: 0, parse_ms: 0, store_ms: 0 };
  return {
    name: 'jumun',
    extra,
    async open() {
      if (!w() || !w().jumun_bench_put_orders) throw new Error('dist/ lacks the bench exports: run `cargo xtask build`');
    },
    async write(chunk) {
      // Handing the orders to wasm as one JSON string is benchmark plumbing (in the console the
      // orders are already Rust values): its cost is kept apart.
      let t = performance.now();
      const json = JSON.stringify(chunk);
      extra.stringify_ms += performance.now() - t;
      const r = JSON.parse(await w().jumun_bench_put_orders(json));
      extra.parse_ms += r.parse_ms;
      extra.store_ms += r.write_ms;
    },
    async count() { return JSON.parse(await w().jumun_bench_open_count()).count; },
    async queryStatus(s) { return w().jumun_bench_query_status(s); },
    async countStatus(s) { return w().jumun_bench_count_status(s); },
    async findTracking(t) { return w().jumun_bench_find_tracking(t); },
    close() { w().jumun_bench_close(); },
  };
}

// ---- the phase --------------------------------------------------------------------------------

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

/// One store's phase: write `n` orders in transactions of `chunk`, then the queries. Resolves to
/// its figures.
export async function runPhase(which, n, chunk, statusRuns, lookupRuns) {
  const impl = which === 'raw' ? rawStore() : which === 'dexie' ? dexieStore() : jumunStore();
  let t = performance.now();
  const orders = makeOrders(n);
  const gen_ms = performance.now() - t;
  await impl.open();
  // The write: untimed plumbing (the Jumun JSON hand-over) is subtracted below.
  t = performance.now();
  for (let i = 0; i < orders.length; i += chunk) await impl.write(orders.slice(i, i + chunk));
  let write_ms = performance.now() - t;
  const count = await impl.count();
  const expectedPreparing = orders.filter((o) => o.lines[0].status === 'Preparing').length;
  orders.length = 0;

  const statusTimes = [];
  let preparing = 0;
  for (let i = 0; i < statusRuns; i++) {
    t = performance.now();
    preparing = await impl.queryStatus('Preparing');
    statusTimes.push(performance.now() - t);
  }
  const countTimes = [];
  let counted = 0;
  for (let i = 0; i < lookupRuns; i++) {
    t = performance.now();
    counted = await impl.countStatus('Preparing');
    countTimes.push(performance.now() - t);
  }
  const lookupTimes = [];
  let found = 0;
  for (let i = 0; i < lookupRuns; i++) {
    // Orders past Preparing have invoices; walk a spread of them (a few miss: Preparing ones).
    const k = Math.floor(((i + 1) * n) / (lookupRuns + 1));
    t = performance.now();
    found += await impl.findTracking(trackingNo(k));
    lookupTimes.push(performance.now() - t);
  }
  impl.close();
  const result = {
    impl: which, n, chunk, gen_ms, write_ms, count, expectedPreparing,
    preparing, counted, found,
    status_ms: median(statusTimes), status_all: statusTimes,
    count_ms: median(countTimes),
    lookup_ms: median(lookupTimes),
  };
  if (impl.extra) {
    // The JSON hand-over to wasm is not the store's work: write_ms keeps the store's part.
    result.handover_ms = impl.extra.stringify_ms + impl.extra.parse_ms;
    result.write_wall_ms = write_ms;
    result.write_ms = write_ms - result.handover_ms;
    result.store_call_ms = impl.extra.store_ms;
  }
  return result;
}

/// Deletes the three benchmark databases (the console's included).
export async function deleteAll() {
  for (const name of [RAW_DB, DEXIE_DB, JUMUN_DB]) await deleteDb(name);
  return true;
}
