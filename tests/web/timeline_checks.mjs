// The timeline view (#/timeline, node/web/timeline.js) in the browser of browser_test.mjs: its
// bars, months, links and per-country table against counts this file makes itself, by brute
// force, from every alert the node lists (GET /api/alerts, every page), never from the node's
// own counts.
import path from 'node:path';

const PAGE_LIMIT = 100;
const MAX_PAGES = 100;  // bounded: the browser test's node holds a few dozen alerts

// Every alert the node lists, walked page by page.
async function allAlerts(getJson, base) {
  const out = [];
  let cursor = null;
  for (let i = 0; i < MAX_PAGES; i++) {
    const q = new URLSearchParams({ limit: String(PAGE_LIMIT) });
    if (cursor) q.set('cursor', cursor);
    const r = await getJson(base + '/api/alerts?' + q);
    if (r.status !== 200) throw new Error(`GET /api/alerts: ${r.status} ${r.text.slice(0, 200)}`);
    out.push(...r.body.alerts);
    cursor = r.body.next_cursor;
    if (!cursor) return out;
  }
  throw new Error(`more than ${MAX_PAGES} pages of alerts`);
}

function countBy(alerts, keyOf) {
  const out = new Map();
  for (const a of alerts) {
    for (const k of [keyOf(a)].flat()) out.set(k, (out.get(k) || 0) + 1);
  }
  return out;
}

// The years the chart must show: 1995 (or the earliest alert's) to this year (or the latest's).
function expectedYears(alerts) {
  const years = alerts.map((a) => Number(a.date.slice(0, 4)));
  const first = Math.min(1995, ...years);
  const last = Math.max(new Date().getUTCFullYear(), ...years);
  const out = [];
  for (let y = first; y <= last; y++) out.push(String(y));
  return out;
}

// What the page shows: each bar's period and count, its segments, and the table's rows.
async function drawn(page) {
  return page.evaluate(() => ({
    caption: document.getElementById('tl-caption')?.textContent || '',
    labelledBy: document.getElementById('tl-chart')?.getAttribute('aria-labelledby') || '',
    bars: [...document.querySelectorAll('#tl-chart .tl-bar')].map((b) => ({
      period: b.dataset.period,
      count: Number(b.dataset.count),
      label: b.getAttribute('aria-label') || '',
      segments: Object.fromEntries([...b.querySelectorAll('.tl-seg[data-category]')]
        .map((s) => [s.dataset.category, Number(s.dataset.count)])),
      box: b.querySelector('.tl-hit').getBoundingClientRect().x,
    })),
    rows: [...document.querySelectorAll('#tl-table tbody tr')].map((r) => ({
      period: r.dataset.period, count: Number(r.dataset.count), cell: r.cells[0].textContent,
    })),
    countries: [...document.querySelectorAll('#tl-countries tbody tr')].map((r) => ({
      country: r.dataset.country, count: Number(r.dataset.count), cell: r.cells[0].textContent,
      link: r.querySelector('td a')?.getAttribute('href') || '',
    })),
  }));
}

async function waitForChart(page, timeout) {
  await page.waitForFunction(() => {
    const loading = document.getElementById('loading');
    return document.getElementById('tl-chart') && loading && loading.textContent === '';
  }, null, { timeout });
}

// Bars (and the table) equal `perPeriod` for exactly `periods`; segments equal `perCategory`.
function checkBars(check, got, periods, perPeriod, perCategory, what) {
  check(got.labelledBy === 'tl-caption' && got.caption.trim() !== '', `${what}: the chart has no accessible name`);
  check(JSON.stringify(got.bars.map((b) => b.period)) === JSON.stringify(periods),
    `${what}: bars for ${JSON.stringify(got.bars.map((b) => b.period))}, not ${JSON.stringify(periods)}`);
  for (const b of got.bars) {
    const want = perPeriod.get(b.period) || 0;
    check(b.count === want, `${what}: the bar of ${b.period} says ${b.count}, the alerts ${want}`);
    const segs = perCategory.get(b.period) || new Map();
    check(JSON.stringify(Object.entries(b.segments).sort()) === JSON.stringify([...segs.entries()].sort()),
      `${what}: the segments of ${b.period} are ${JSON.stringify(b.segments)}, the alerts ${JSON.stringify([...segs])}`);
  }
  check(JSON.stringify(got.rows.map((r) => [r.period, r.count])) === JSON.stringify(got.bars.map((b) => [b.period, b.count])),
    `${what}: the table's rows differ from the bars`);
}

function byPeriodAndCategory(alerts, periodOf) {
  const out = new Map();
  for (const a of alerts) {
    const p = periodOf(a);
    if (!out.has(p)) out.set(p, new Map());
    for (const c of a.categories) out.get(p).set(c, (out.get(p).get(c) || 0) + 1);
  }
  return out;
}

// h: browser_test.mjs's helpers and state.
export async function timelineChecks(h) {
  const { step, check, page, base, getJson, shots, consoleErrors, timeout } = h;
  const errorsBefore = consoleErrors.length;
  let alerts = [];
  const open = async (hash) => {
    await page.goto(base + '/' + hash, { waitUntil: 'domcontentloaded' });
    await waitForChart(page, timeout);
  };

  await step('#/timeline: a bar per year since 1995, equal to the alerts counted per year and category', async () => {
    alerts = await allAlerts(getJson, base);
    check(alerts.length > 10, `only ${alerts.length} alerts listed`);
    await open('?ui=en#/timeline');
    const got = await drawn(page);
    const year = (a) => a.date.slice(0, 4);
    checkBars(check, got, expectedYears(alerts), countBy(alerts, year), byPeriodAndCategory(alerts, year), 'years');
    for (const b of got.bars) {
      check(b.label.startsWith(`${b.period}: ${b.count.toLocaleString('en-US')} alert`),
        `the bar of ${b.period} is named "${b.label}"`);
    }
    const status = await page.locator('#tl-status').innerText();
    check(status === `${alerts.length.toLocaleString('en-US')} alerts`, `the status says "${status}" for ${alerts.length} alerts`);
    await page.screenshot({ path: path.join(shots, 'desktop-timeline.png'), fullPage: true });
  });

  // The year with the most alerts, and its busiest month.
  const busiest = (counts) => [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0][0];

  await step('#/timeline: a year\'s label opens its months, equal to the alerts counted per month', async () => {
    const year = busiest(countBy(alerts, (a) => a.date.slice(0, 4)));
    await open('?ui=en#/timeline');
    await page.locator(`#tl-chart .tl-year[data-period="${year}"]`).click();
    await page.waitForFunction((y) => location.hash.startsWith('#/timeline?year=' + y), year, { timeout });
    await waitForChart(page, timeout);
    const inYear = alerts.filter((a) => a.date.startsWith(year + '-'));
    const months = [...Array(12).keys()].map((m) => `${year}-${String(m + 1).padStart(2, '0')}`);
    const month = (a) => a.date.slice(0, 7);
    checkBars(check, await drawn(page), months, countBy(inYear, month), byPeriodAndCategory(inYear, month), `months of ${year}`);
  });

  await step('#/timeline: clicking a month\'s bar opens the listing of that month, with its alerts', async () => {
    const year = busiest(countBy(alerts, (a) => a.date.slice(0, 4)));
    const month = busiest(countBy(alerts.filter((a) => a.date.startsWith(year + '-')), (a) => a.date.slice(0, 7)));
    const want = alerts.filter((a) => a.date.startsWith(month + '-'));
    await open(`?ui=en#/timeline?year=${year}`);
    await page.locator(`#tl-chart .tl-bar[data-period="${month}"]`).click();
    await page.waitForFunction(() => location.hash.startsWith('#/?'), null, { timeout });
    const hash = new URLSearchParams((await page.evaluate(() => location.hash)).split('?')[1]);
    check(hash.get('from') === `${month}-01` && hash.get('to') && hash.get('to').startsWith(month + '-'),
      `the bar opened ${await page.evaluate(() => location.hash)}`);
    await page.waitForFunction(() => {
      const status = document.querySelector('.list-status');
      return document.getElementById('loading').textContent === '' && status && status.textContent !== '';
    }, null, { timeout });
    for (let i = 0; i < 10 && await page.locator('button.more').count(); i++) {  // bounded
      const shown = await page.locator('#alert-list .card').count();
      await page.locator('button.more').click();
      await page.waitForFunction((n) => document.querySelectorAll('#alert-list .card').length > n, shown, { timeout });
    }
    const ids = await page.locator('#alert-list .card-title a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    check(ids.length === want.length, `the listing of ${month} shows ${ids.length} alerts, the month has ${want.length}`);
    for (const a of want) check(ids.some((href) => href.startsWith('#/alert/' + a.id)), `alert ${a.id} of ${month} is not listed`);
  });

  await step('#/timeline: the country filter gives that country\'s years; the country table equals a count per country', async () => {
    const perCountry = countBy(alerts.filter((a) => a.country), (a) => a.country);
    const country = busiest(perCountry);
    await open('?ui=en#/timeline');
    const table = (await drawn(page)).countries;
    check(table.length === perCountry.size, `the country table has ${table.length} rows, the alerts ${perCountry.size} countries`);
    for (const row of table) {
      check(row.count === perCountry.get(row.country), `the table says ${row.country}: ${row.count}, the alerts ${perCountry.get(row.country)}`);
      check(row.link === `#/?country=${row.country}`, `the count of ${row.country} links to ${row.link}`);
    }
    await page.selectOption('#tl-country', country);
    await page.waitForFunction((c) => location.hash.includes('country=' + c), country, { timeout });
    await waitForChart(page, timeout);
    const mine = alerts.filter((a) => a.country === country);
    const year = (a) => a.date.slice(0, 4);
    checkBars(check, await drawn(page), expectedYears(mine), countBy(mine, year), byPeriodAndCategory(mine, year),
      `years of ${country}`);
  });

  await step('#/timeline in Arabic: time runs right to left, numbers in the interface\'s locale; 390 px fits', async () => {
    await open('?ui=ar#/timeline');
    const got = await drawn(page);
    const root = await page.evaluate(() => document.documentElement.dir);
    check(root === 'rtl', `the Arabic page is ${root}`);
    check(got.bars[0].box > got.bars[got.bars.length - 1].box, 'the oldest year is not on the right');
    const formatted = await page.evaluate((ns) => ns.map((n) => new Intl.NumberFormat(window.ifexI18n.locale()).format(n)),
      got.rows.map((r) => r.count));
    const cells = await page.locator('#tl-table tbody td:first-of-type').allTextContents();
    check(JSON.stringify(cells) === JSON.stringify(formatted), `the table's counts read ${JSON.stringify(cells.slice(0, 5))}`);
    await page.screenshot({ path: path.join(shots, 'desktop-timeline-ar.png'), fullPage: true });
    const size = page.viewportSize();
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      const fits = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
      check(fits, 'the timeline scrolls sideways at 390 px');
      await page.screenshot({ path: path.join(shots, 'phone-timeline-ar.png'), fullPage: true });
    } finally {
      await page.setViewportSize(size);
      await open('?ui=en#/timeline');
    }
  });

  await step('#/timeline: no console errors', async () => {
    const mine = consoleErrors.slice(errorsBefore);
    check(mine.length === 0, `console errors: ${JSON.stringify(mine)}`);
  });
}
