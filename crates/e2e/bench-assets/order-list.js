// The order-list benchmark's page side (crates/e2e/benches/order_list.rs drives it; see
// docs/benchmarks.md, "Order list"). Loaded into the console's own page with
// `import('/bench/order-list.js')`.

'use strict';

import { makeOrders } from '/bench/bench.js';

let orders = null;

/// Writes `n` generated orders (bench.js's data) into the console's store through its own
/// `Store::put_orders`, `chunk` per transaction, and keeps a session so the console opens its
/// screens offline. Resolves to `{ write_ms }`.
export async function fill(n, chunk) {
  const b = window.wasmBindings;
  orders = makeOrders(n);
  let write_ms = 0;
  for (let i = 0; i < n; i += chunk) {
    const r = JSON.parse(await b.jumun_bench_put_orders(JSON.stringify(orders.slice(i, i + chunk))));
    write_ms += r.write_ms;
  }
  await b.jumun_bench_keep_session();
  return { write_ms };
}

/// The last four digits of the phones of a few generated orders (spread over the data).
export function phoneSamples(n, count) {
  const all = orders || makeOrders(n);
  const out = [];
  for (let k = 0; k < count; k++) {
    const phone = all[Math.floor(((k + 0.5) * all.length) / count)].delivery.recipient_phone;
    out.push(phone.replace(/\D/g, '').slice(-4));
  }
  return out;
}

const rowsShown = () => document.querySelector('table.order-table tbody tr[data-id]') !== null;
const resultText = () => (document.querySelector('.result-count') || {}).textContent || '';

/// Resolves when `done()` holds, checked after every DOM change (and at once); rejects after
/// 60 s saying what the screen shows.
function when(done, what = '') {
  return new Promise((resolve, reject) => {
    if (done()) return resolve();
    const observer = new MutationObserver(() => {
      if (done()) {
        observer.disconnect();
        clearTimeout(timer);
        resolve();
      }
    });
    const timer = setTimeout(() => {
      observer.disconnect();
      const phones = [...document.querySelectorAll('table.order-table tbody tr[data-id] td:nth-child(11)')]
        .slice(0, 5).map((p) => p.textContent);
      reject(new Error(`timed out ${what}: "${resultText()}", phones ${phones.join(' ')}`));
    }, 60000);
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
  });
}

/// From a click on 주문 in the navigation to the first rows on screen (the app already open).
export async function openFromNav() {
  const link = [...document.querySelectorAll('nav.main-nav a')].find((a) => a.textContent === '주문');
  const t0 = performance.now();
  link.click();
  await when(() => rowsShown() && resultText().startsWith('검색결과'));
  return { ms: performance.now() - t0, result: resultText() };
}

/// A phone search of its last four digits: from Enter to the complete result on screen.
export async function searchPhone(last4) {
  const form = document.querySelector('form.search-row');
  const selects = form.querySelectorAll('select');
  const field = selects[selects.length - 1];
  field.value = '2';
  field.dispatchEvent(new Event('change', { bubbles: true }));
  await new Promise((r) => setTimeout(r, 50));
  const input = form.querySelector('input[type=search]');
  input.value = last4;
  input.dispatchEvent(new Event('input', { bubbles: true }));
  const t0 = performance.now();
  form.requestSubmit();
  await when(() => {
    const text = resultText();
    if (!text.startsWith('검색결과')) return false;
    const phones = [...document.querySelectorAll('table.order-table tbody tr[data-id] td:nth-child(11)')];
    return phones.length > 0 && phones.every((p) => p.textContent.replace(/\D/g, '').endsWith(last4));
  }, `searching ${last4}`);
  return { ms: performance.now() - t0, result: resultText() };
}

/// Clears the search back to every order.
export async function clearSearch() {
  const form = document.querySelector('form.search-row');
  const input = form.querySelector('input[type=search]');
  input.value = '';
  input.dispatchEvent(new Event('input', { bubbles: true }));
  form.requestSubmit();
  await when(() => resultText().startsWith('검색결과') && !resultText().startsWith('검색결과 1건'));
}

/// Scrolls the list from the top, `px` per frame, to its end or for `maxFrames` frames, recording every frame's time and the frames whose
/// first visible row was not rendered yet (rows still being read). `rows`: the list's length.
export async function scrollAll(px, rows, maxFrames) {
  const el = document.querySelector('.order-table-wrap');
  // The whole list laid out first (its spacer rows stand for every order).
  await when(() => el.scrollHeight >= rows * 30, `the list's height for ${rows} rows`);
  return new Promise((resolve) => {
    el.scrollTop = 0;
    const frames = [];
    let blank = 0;
    let last = null;
    const step = (t) => {
      if (last !== null) frames.push(t - last);
      last = t;
      const first = Math.floor(el.scrollTop / 30);
      if (!el.querySelector(`tbody tr[aria-rowindex="${first + 2}"]`)) blank += 1;
      if (el.scrollTop + el.clientHeight >= el.scrollHeight - 2 || frames.length >= maxFrames) {
        const row = el.querySelector('tbody tr[data-id]');
        const rendered = [...el.querySelectorAll('tbody tr[data-id]')].map((r) => Number(r.getAttribute('aria-rowindex')));
        resolve({ frames, blank, height: el.scrollHeight, row_height: row ? row.getBoundingClientRect().height : null,
          scroll_top: el.scrollTop, rendered_from: Math.min(...rendered), rendered_to: Math.max(...rendered) });
        return;
      }
      el.scrollTop += px;
      requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  });
}

/// 일괄 배송처리 of `count` orders through the command layer, with the longest main-thread
/// task seen meanwhile (the Long Tasks API reports tasks over 50 ms).
export async function bulkShip(count) {
  const tasks = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) tasks.push(entry.duration);
  });
  observer.observe({ type: 'longtask', buffered: false });
  const r = JSON.parse(await window.wasmBindings.jumun_bench_bulk_ship(count));
  await new Promise((ok) => setTimeout(ok, 100));
  observer.disconnect();
  return { ...r, long_tasks: tasks.length, longest_task_ms: tasks.length ? Math.max(...tasks) : 0 };
}
