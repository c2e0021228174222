// The archive as readers use it (issue 18), checked in the browser against the nodes of
// browser_test.mjs: who published (cards, alert page, a filter by member, a page per member),
// facets and totals (equal to the API's and to counts this file makes itself over every alert),
// search sorted by date, permalinks that restore a view, and the publish form's translations and
// tags. Called from browser_test.mjs with everything it needs in `t` (see runReaderChecks).
import fs from 'node:fs';
import path from 'node:path';

const FACET_KEYS = ['country', 'category', 'lang', 'author', 'year'];
// Words in several alerts of the fixture and of browser_test.mjs, with different dates.
const SORT_QUERY = 'journalist OR police OR reporter OR court';
const SORT_Q = encodeURIComponent(SORT_QUERY);

// ---- counting over every alert, as the test sees them ----

// Every alert GET /api/alerts lists for `filters`, page by page along next_cursor (bounded).
async function walkAlerts(t, base, filters) {
  const out = [];
  let cursor = null;
  for (let pages = 0; pages < 1000; pages++) {
    const params = new URLSearchParams({ ...filters, limit: '100' });
    if (cursor) params.set('cursor', cursor);
    const r = await t.getJson(base + '/api/alerts?' + params);
    t.check(r.status === 200, `GET /api/alerts?${params}: ${r.status} ${r.text.slice(0, 200)}`);
    out.push(...r.body.alerts);
    cursor = r.body.next_cursor;
    if (!cursor) return out;
  }
  throw new Error('more than 1000 pages of alerts');
}

// The facets of docs/http-api.md counted by brute force over `alerts`: a category and a
// language count once per alert that has it, the year is the year of the alert's date.
function countFacets(alerts) {
  const counts = Object.fromEntries(FACET_KEYS.map((k) => [k, new Map()]));
  const bump = (key, value) => counts[key].set(value, (counts[key].get(value) || 0) + 1);
  for (const a of alerts) {
    bump('country', a.country);
    for (const c of new Set(a.categories)) bump('category', c);
    for (const l of new Set(a.langs)) bump('lang', l);
    bump('author', a.author);
    bump('year', String(a.date).slice(0, 4));
  }
  return counts;
}

// {facet: {value: count}} from the API's FACETS, or from the counts above, to compare as text.
function facetsAsObject(facets) {
  const out = {};
  for (const key of FACET_KEYS) {
    const entries = facets[key] instanceof Map
      ? [...facets[key].entries()]
      : (facets[key] || []).map((e) => [String(e.value), e.count]);
    out[key] = Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
  return out;
}

// What the page's facet panel shows: {facet: {value: count}} from the links' data, and checks
// that each link's visible count is its number written the interface's way (en here).
async function facetsOnPage(t, page) {
  await page.waitForSelector('#facets');
  const links = await page.locator('#facets a[data-facet]').evaluateAll((as) => as.map((a) => ({
    facet: a.dataset.facet, value: a.dataset.value, count: a.dataset.count,
    shown: a.querySelector('.facet-count').textContent,
  })));
  const out = Object.fromEntries(FACET_KEYS.map((k) => [k, {}]));
  for (const l of links) {
    t.check(l.shown === new Intl.NumberFormat('en-US').format(Number(l.count)),
      `the ${l.facet} facet's ${l.value} reads "${l.shown}", not ${l.count}`);
    out[l.facet][l.value] = Number(l.count);
  }
  return facetsAsObject(Object.fromEntries(FACET_KEYS.map((k) =>
    [k, new Map(Object.entries(out[k]))])));
}

function same(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

async function totalOnPage(page) {
  await page.waitForFunction(() => {
    const e = document.getElementById('result-total');
    return e && e.dataset.total !== undefined;
  });
  return page.locator('#result-total').evaluate((e) => ({ text: e.textContent, total: Number(e.dataset.total) }));
}

// ---- the checks ----

// "N alerts" and the facets of #/ (no filter, then country=TN) equal the API's and the test's
// own count over every alert; a facet value is a link that adds its filter, shown removable.
async function checkFacetsAndTotals(t) {
  const { page, base } = t;
  for (const filters of [{}, { country: 'TN' }]) {
    const all = await walkAlerts(t, base, filters);
    const brute = facetsAsObject(countFacets(all));
    const api = (await t.getJson(base + '/api/alerts?' + new URLSearchParams({ ...filters, limit: '1' }))).body;
    t.check(api.total === all.length && api.total_exact === true,
      `${JSON.stringify(filters)}: the API's total is ${api.total} (exact ${api.total_exact}), the walk found ${all.length}`);
    t.check(same(facetsAsObject(api.facets), brute),
      `${JSON.stringify(filters)}: the API's facets ${JSON.stringify(facetsAsObject(api.facets))} differ from the count ${JSON.stringify(brute)}`);
    await t.goto(page, base, '#/' + (filters.country ? '?country=' + filters.country : ''));
    await t.waitForList(page, 'alert-list');
    const shown = await facetsOnPage(t, page);
    t.check(same(shown, brute), `${JSON.stringify(filters)}: the page shows the facets ${JSON.stringify(shown)}, the count is ${JSON.stringify(brute)}`);
    const total = await totalOnPage(page);
    const wanted = `${new Intl.NumberFormat('en-US').format(all.length)} alert${all.length === 1 ? '' : 's'}`;
    t.check(total.total === all.length && total.text === wanted, `the total reads "${total.text}" (${total.total}), not "${wanted}"`);
    console.log(`     ${JSON.stringify(filters)}: ${all.length} alerts; ${Object.values(brute).map((f) => Object.keys(f).length).join('/')} country/category/lang/author/year values`);
  }

  // Clicking a category adds its filter (kept with country=TN), and every card has it.
  const link = page.locator('#facets a[data-facet="category"]').first();
  const slug = await link.getAttribute('data-value');
  const count = Number(await link.getAttribute('data-count'));
  await link.click();
  await page.waitForFunction((s) => location.hash.includes('category=' + s) && location.hash.includes('country=TN'), slug);
  await t.waitForList(page, 'alert-list');
  const cards = await page.locator('#alert-list > li').count();
  t.check(cards === count, `${cards} cards after clicking ${slug} (${count})`);
  const tagged = await page.locator(`#alert-list > li:has(a.tag[href$="category=${slug}"])`).count();
  t.check(tagged === cards, `${cards - tagged} card(s) without the category ${slug}`);
  const chips = await page.locator('#active-filters a.chip').evaluateAll((as) => as.map((a) => a.dataset.filter));
  t.check(same(chips.sort(), ['category', 'country']), `the filters in use shown are ${JSON.stringify(chips)}`);
  // Each chip removes its own filter only.
  await page.click('#active-filters a.chip[data-filter="country"]');
  await page.waitForFunction((s) => !location.hash.includes('country=') && location.hash.includes('category=' + s), slug);
  await t.waitForList(page, 'alert-list');
  t.check(await page.locator('#active-filters a.chip').count() === 1, 'the country chip did not go away alone');
  await t.checkViewText(page);

  // A year is the date range of that year: as many cards as its count, each dated in it.
  await t.goto(page, base, '#/');
  await t.waitForList(page, 'alert-list');
  const year = page.locator('#facets a[data-facet="year"]').last();
  const [y, yearCount] = [await year.getAttribute('data-value'), Number(await year.getAttribute('data-count'))];
  await year.click();
  await page.waitForFunction((v) => location.hash.includes(`from=${v}-01-01`) && location.hash.includes(`to=${v}-12-31`), y);
  await t.waitForList(page, 'alert-list');
  const dated = await page.locator('#alert-list time').evaluateAll((ts) => ts.map((e) => e.getAttribute('datetime')));
  t.check(dated.length === Math.min(20, yearCount) && dated.every((d) => d.startsWith(y + '-')), `year ${y} (${yearCount}): the cards are dated ${dated.join(' ')}`);
  t.check(await page.locator('#active-filters a.chip[data-filter="year"]').count() === 1, 'the year is not shown as one filter in use');
}

// The member filter and page, on the federation node, where two members have published: every
// card names its member and links to its page; the filter keeps that member's alerts only, as
// many as the API counts; the member page names it, gives its fingerprint and count, and lists
// its alerts newest first, all of them through "Load more" (on the hub of the main node).
async function checkMembers(t) {
  const { page, fedBase, base, fed, federation } = t;
  // Two alerts by the federation's hub, so that its listing has two members.
  const fedToken = fs.readFileSync(path.join(fed.data, 'admin.token'), 'utf8').trim();
  for (const [i, country] of ['GB', 'FR'].entries()) {
    const r = await t.getJson(fedBase + '/api/alerts', {
      method: 'POST',
      headers: { Authorization: 'Bearer ' + fedToken, 'Content-Type': 'application/json' },
      body: JSON.stringify({ lang: 'en', title: `Hub alert ${i + 1} about a newsroom raid`, country, categories: ['press-freedom'] }),
    });
    t.check(r.status === 201, `POST /api/alerts at the federation node: ${r.status} ${r.text}`);
  }
  // The listing counts them once the indexer has taken them in (a round, seconds at most).
  const listing = await t.waitFor('the federation node to list the hub\'s two alerts', async () => {
    const body = (await t.getJson(fedBase + '/api/alerts?limit=100')).body;
    return body && body.total === 3 ? body : null;
  });
  const arabic = listing.facets.author.find((f) => f.name === federation.ARABIC_NAME);
  const hub = listing.facets.author.find((f) => f.name === federation.HUB_NAME);
  t.check(arabic && hub && listing.facets.author.length === 2, `the federation node's members: ${JSON.stringify(listing.facets.author)}`);

  // Every card names its member in <bdi dir="auto">, linked to the member's page.
  await t.goto(page, fedBase, '#/');
  await t.waitForList(page, 'alert-list');
  const byCard = await page.locator('#alert-list > li').evaluateAll((lis) => lis.map((li) => {
    const a = li.querySelector('.meta a.author');
    return a && { key: a.dataset.author, href: a.getAttribute('href'), name: a.textContent, bdi: !!a.querySelector('bdi[dir="auto"]') };
  }));
  const wantedCards = listing.alerts.map((a) => ({ key: a.author, href: '#/member/' + a.author, name: a.author_name, bdi: true }));
  t.check(same(byCard, wantedCards), `the cards name ${JSON.stringify(byCard)}, not ${JSON.stringify(wantedCards)}`);

  // The filter: chosen in the form's member list, filled from the listing's members.
  for (const member of [arabic, hub]) {
    await t.goto(page, fedBase, '#/');
    await t.waitForList(page, 'alert-list');
    const offered = await page.$$eval('#filter-author option', (os) => os.filter((o) => o.value).map((o) => [o.value, o.textContent]));
    t.check(same(offered.map(([v]) => v).sort(), [arabic.value, hub.value].sort()), `the member filter offers ${JSON.stringify(offered)}`);
    await page.selectOption('#filter-author', member.value);
    await page.click('.filters button[type=submit]');
    await page.waitForFunction((k) => new URLSearchParams(location.hash.split('?')[1] || '').get('author') === k, member.value);
    await t.waitForList(page, 'alert-list');
    const api = (await t.getJson(fedBase + '/api/alerts?limit=100&author=' + encodeURIComponent(member.value))).body;
    const authors = await page.locator('#alert-list .meta a.author').evaluateAll((as) => as.map((a) => [a.dataset.author, a.textContent]));
    t.check(authors.length === api.total && api.total === member.count, `${authors.length} cards for ${member.name}, the API counts ${api.total} (facet ${member.count})`);
    t.check(authors.every(([k, n]) => k === member.value && n === member.name), `cards of others under the filter: ${JSON.stringify(authors)}`);
    t.check((await totalOnPage(page)).total === api.total, 'the total on the page is not the API\'s');
    t.check(await page.locator('#active-filters a.chip[data-filter="author"]').innerText().then((s) => s.includes(member.name)), 'the member filter is not shown by name');
  }

  // The member page, reached from a card's name; the alert page links there too.
  await t.goto(page, fedBase, '#/alert/' + fed.arabicAlert);
  await page.waitForSelector('#alert-text h1');
  await page.click(`#view .facts a.author[data-author="${arabic.value}"]`);
  await page.waitForFunction((k) => location.hash === '#/member/' + k, arabic.value);
  await t.waitForList(page, 'member-alerts');
  await page.waitForFunction((n) => document.getElementById('member-name').textContent === n, federation.ARABIC_NAME);
  const entry = (await t.getJson(fedBase + '/api/alerts/' + fed.arabicAlert)).body;
  t.check(await page.locator('#member-fingerprint').innerText() === entry.fingerprint, 'the member page shows another fingerprint');
  t.check(await page.locator('#member-key').innerText() === arabic.value, 'the member page shows another key');
  t.check((await page.locator('#member-count').innerText()).includes(String(arabic.count)), `the member page's count reads ${await page.locator('#member-count').innerText()}`);
  t.check(await page.locator('#member-name bdi[dir="auto"]').count() === 1, 'the member\'s name is not isolated in <bdi dir="auto">');
  await t.checkViewText(page);

  // The main node's hub: more alerts than a page, all reached through "Load more", newest first.
  const own = (await t.getJson(base + '/api/status')).body.node;
  const all = await walkAlerts(t, base, { author: own.key });
  await t.goto(page, base, '#/member/' + own.key);
  await t.waitForList(page, 'member-alerts');
  await page.waitForFunction((fp) => document.getElementById('member-fingerprint').textContent === fp, own.fingerprint);
  for (let i = 0; i < 20 && await page.locator('.more-row button').count() > 0; i++) {
    const before = await page.locator('#member-alerts > li').count();
    await page.click('.more-row button');
    await page.waitForFunction((n) => document.querySelectorAll('#member-alerts > li').length > n, before);
  }
  const hrefs = await page.locator('#member-alerts .card-title a').evaluateAll((as) => as.map((a) => a.getAttribute('href').split('?')[0]));
  const wanted = all.map((a) => '#/alert/' + a.id);
  t.check(same(hrefs, wanted), `the hub's page lists ${hrefs.length} alerts in another order than the API's ${wanted.length}`);
  const dates = await page.locator('#member-alerts time').evaluateAll((ts) => ts.map((e) => e.getAttribute('datetime')));
  t.check(dates.every((d, i) => i === 0 || dates[i - 1] >= d), `the member's alerts are not newest first: ${dates.join(' ')}`);
  t.check(all.length > 20, `only ${all.length} alerts: "Load more" was not exercised`);
  await page.screenshot({ path: path.join(t.shots, 'desktop-member.png'), fullPage: true });
  console.log(`     members: ${arabic.count} + ${hub.count} alerts on the federation node; the hub of the main node: ${all.length} alerts over ${Math.ceil(all.length / 20)} pages`);
}

// Search sorted by date: the select changes the address, and the results come in date order,
// the same as the API's for that sort; search facets and total equal the API's.
async function checkSearchSort(t) {
  const { page, base } = t;
  const api = async (sort) => (await t.getJson(base + '/api/search?limit=100&sort=' + sort + '&q=' + SORT_Q)).body;
  const relevance = await api('relevance');
  t.check(relevance.total >= 3, `"${SORT_QUERY}" matches ${relevance.total} alerts: too few to check an order`);
  await t.goto(page, base, '#/search?q=' + SORT_Q);
  await t.waitForList(page, 'search-results');
  t.check(await page.inputValue('#search-sort') === 'relevance', 'the search is not sorted by relevance by default');
  t.check(same(await facetsOnPage(t, page), facetsAsObject(relevance.facets)), 'the search facets differ from the API\'s');
  t.check((await totalOnPage(page)).total === relevance.total, 'the search total differs from the API\'s');
  for (const sort of ['newest', 'oldest']) {
    await page.selectOption('#search-sort', sort);
    await page.waitForFunction((s) => location.hash.includes('sort=' + s), sort);
    await t.waitForList(page, 'search-results');
    const dates = await page.locator('#search-results time').evaluateAll((ts) => ts.map((e) => e.getAttribute('datetime')));
    const ordered = dates.every((d, i) => i === 0 || (sort === 'newest' ? dates[i - 1] >= d : dates[i - 1] <= d));
    t.check(dates.length === Math.min(20, relevance.total) && ordered, `sorted ${sort}, the dates read ${dates.join(' ')}`);
    const hrefs = await page.locator('#search-results .card-title a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    const wanted = (await api(sort)).results.slice(0, 20).map((r) => '#/alert/' + r.id);
    t.check(same(hrefs, wanted), `sorted ${sort}, the page's order is not the API's`);
    t.check(dates[0] !== dates[dates.length - 1], `all results of "${SORT_QUERY}" have one date: the order says nothing`);
    console.log(`     ${sort}: ${dates[0]} .. ${dates[dates.length - 1]}`);
  }
  await page.screenshot({ path: path.join(t.shots, 'desktop-search-facets.png'), fullPage: true });
}

// A filtered, sorted search in a language opens the same from its copied address in another
// browser: the same results in the same order, the same filters, sort and total.
async function checkPermalink(t) {
  const { page, base } = t;
  await t.goto(page, base, '#/search?q=' + SORT_Q);
  await t.waitForList(page, 'search-results');
  await page.selectOption('#search-sort', 'oldest');
  await page.waitForFunction(() => location.hash.includes('sort=oldest'));
  await t.waitForList(page, 'search-results');
  const lang = page.locator('#facets a[data-facet="lang"][data-value="en"]');
  await lang.click();
  await page.waitForFunction(() => location.hash.includes('lang=en') && location.hash.includes('sort=oldest'));
  await t.waitForList(page, 'search-results');
  const state = async (p) => p.evaluate(() => ({
    hrefs: [...document.querySelectorAll('#search-results .card-title a')].map((a) => a.getAttribute('href')),
    titles: [...document.querySelectorAll('#search-results .card-title')].map((h) => h.textContent),
    chips: [...document.querySelectorAll('#active-filters a.chip')].map((a) => a.textContent),
    sort: document.getElementById('search-sort').value,
    lang: document.getElementById('filter-lang').value,
    q: document.getElementById('search-q').value,
    total: document.getElementById('result-total').textContent,
    facets: [...document.querySelectorAll('#facets a[data-facet]')].map((a) => a.dataset.facet + '=' + a.dataset.value + ':' + a.dataset.count),
  }));
  const before = await state(page);
  t.check(before.hrefs.length > 0 && before.lang === 'en' && before.sort === 'oldest', `the view to share: ${JSON.stringify(before)}`);
  const url = page.url();
  const other = await t.openContext('permalink', { viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  try {
    await other.p.goto(url, { waitUntil: 'domcontentloaded' });
    await t.waitForList(other.p, 'search-results');
    await other.p.waitForSelector('#facets');
    const after = await state(other.p);
    t.check(same(after, before), `the copied address ${url} opens ${JSON.stringify(after)}, not ${JSON.stringify(before)}`);
    // Reloading keeps it too.
    await other.p.reload({ waitUntil: 'domcontentloaded' });
    await t.waitForList(other.p, 'search-results');
    await other.p.waitForSelector('#facets');
    t.check(same(await state(other.p), before), 'a reload changed the view');
  } finally {
    await other.ctx.close();
  }
  console.log(`     ${url.slice(url.indexOf('#'))}: ${before.hrefs.length} results restored`);
}

// The publish form with an Arabic translation and two campaign tags: the page sends them as the
// API takes them (the alert's object has both), a tag the API refuses shows the API's message,
// and the alert page shows the translation right to left.
async function checkPublishTranslationAndTag(t) {
  const { page, base, token } = t;
  const title = 'Journalist questioned over a report on the port';
  const translation = {
    title: 'استجواب صحفي بسبب تقرير عن الميناء',
    summary: 'استجوبت الشرطة الصحفي ست ساعات.',
    body: 'لم توجه إليه أي تهمة حتى الآن.',
  };
  await t.goto(page, base, '#/publish');
  await page.evaluate((tok) => sessionStorage.setItem('ifex-admin-token', tok), token);
  await page.reload({ waitUntil: 'domcontentloaded' });
  await page.waitForSelector('#publish-form');
  await t.fillPublishForm(page, title);
  await page.click('#pub-add-translation');
  const box = page.locator('#pub-translations fieldset.translation').first();
  const offered = await box.locator('select').inputValue();
  t.check(offered !== 'en', `a new translation is offered in ${offered}, the original's language`);
  await box.locator('select').selectOption('ar');
  const fields = await box.locator('input, textarea').evaluateAll((cs) => cs.map((c) => [c.getAttribute('lang'), c.getAttribute('dir')]));
  t.check(fields.length === 3 && fields.every(([l, d]) => l === 'ar' && d === 'rtl'), `the Arabic translation's fields are ${JSON.stringify(fields)}`);
  await box.locator('input').fill(translation.title);
  await box.locator('textarea').nth(0).fill(translation.summary);
  await box.locator('textarea').nth(1).fill(translation.body);
  const unlabelled = await t.unlabelledControls(page);
  t.check(unlabelled.length === 0, `controls without a label: ${unlabelled.join(' ')}`);
  await page.screenshot({ path: path.join(t.shots, 'desktop-publish-translation.png'), fullPage: true });

  // A second Arabic translation: the page says so (the API's object would keep only one).
  await page.click('#pub-add-translation');
  const second = page.locator('#pub-translations fieldset.translation').nth(1);
  await second.locator('select').selectOption('ar');
  await second.locator('input').fill('عنوان آخر');
  await page.click('#publish-submit');
  await page.waitForSelector('#publish-error p');
  const twice = await page.locator('#publish-error').innerText();
  t.check(twice.includes('given twice'), `a language given twice is not refused: ${twice}`);
  await second.locator('button.remove-translation').click();
  t.check(await page.locator('#pub-translations fieldset.translation').count() === 1, 'the translation was not removed');

  // A tag the API refuses: its own message, nothing stored.
  await page.fill('#pub-tags', 'Free The Press');
  t.expectFailure();
  await page.click('#publish-submit');
  await page.waitForFunction(() => /refused/.test(document.getElementById('publish-error').textContent));
  const refusal = await page.locator('#publish-error').innerText();
  t.check(/tags/.test(refusal) && /^The alert was refused: /.test(refusal), `no tag error from the API shown: ${refusal}`);
  console.log(`     shown: ${refusal}`);

  await page.fill('#pub-tags', 'press-freedom-2026, cartoonists');
  await page.click('#publish-submit');
  await page.waitForFunction(() => /^#\/alert\/[0-9a-f]{64}$/.test(location.hash));
  await page.waitForSelector('#alert-text h1');
  const id = page.url().split('#/alert/')[1];
  const alert = (await t.getJson(base + '/api/alerts/' + id)).body.alert;
  t.check(same(alert.tags, ['cartoonists', 'press-freedom-2026']), `the alert's tags are ${JSON.stringify(alert.tags)}`);
  t.check(same(alert.translations, { ar: translation }), `the alert's translations are ${JSON.stringify(alert.translations)}`);
  const tags = await page.evaluate(() => {
    const dt = [...document.querySelectorAll('#view .facts dt')].find((d) => d.textContent === 'Tags');
    return dt ? dt.nextElementSibling.textContent : null;
  });
  t.check(tags === 'cartoonists, press-freedom-2026', `the alert page's tags read ${JSON.stringify(tags)}`);
  await page.click('.lang-switcher button[data-lang="ar"]');
  const shown = await page.evaluate(() => {
    const a = document.getElementById('alert-text');
    return { lang: a.getAttribute('lang'), dir: a.getAttribute('dir'), title: a.querySelector('h1').textContent, lead: a.querySelector('.lead').textContent };
  });
  t.check(same(shown, { lang: 'ar', dir: 'rtl', title: translation.title, lead: translation.summary }), `the translation shows as ${JSON.stringify(shown)}`);
}

// The Arabic interface with facets: mirrored (the facets at the inline end, left), and at
// 390 px below the results without sideways scrolling.
async function checkArabicLayout(t) {
  for (const [width, wide] of [[1280, true], [390, false]]) {
    const { ctx, p } = await t.openContext('readers-ar-' + width, {
      viewport: { width, height: 900 }, locale: 'ar-EG', ...(wide ? {} : { deviceScaleFactor: 2, isMobile: true, hasTouch: true }),
    });
    try {
      await t.goto(p, t.base, '#/search?q=' + SORT_Q);
      await t.waitForList(p, 'search-results');
      await p.waitForSelector('#facets');
      const box = await p.evaluate(() => ({
        facets: document.getElementById('facets').getBoundingClientRect().toJSON(),
        list: document.getElementById('search-results').getBoundingClientRect().toJSON(),
        total: document.getElementById('result-total').textContent,
      }));
      if (wide) {
        t.check(box.facets.right <= box.list.left + 1, `the facets are not left of the results in Arabic: ${JSON.stringify(box)}`);
      } else {
        t.check(box.facets.top >= box.list.bottom - 1, `the facets are not below the results at 390 px: ${JSON.stringify(box)}`);
      }
      t.check(/[\u0660-\u0669]/.test(box.total) && !/[0-9]/.test(box.total), `the total reads "${box.total}" for ar-EG`);
      t.check(await t.noHorizontalOverflow(p), `the Arabic search scrolls sideways at ${width} px`);
      await t.checkNoRawKeys(p, t.catalogues.ar);
      await p.screenshot({ path: path.join(t.shots, `${wide ? 'desktop' : 'phone'}-ui-ar-search-facets.png`), fullPage: true });
      if (!wide) {
        // The member page and the publish form with a translation fit a phone too.
        const own = (await t.getJson(t.base + '/api/status')).body.node;
        await t.goto(p, t.base, '#/member/' + own.key);
        await t.waitForList(p, 'member-alerts');
        t.check(await t.noHorizontalOverflow(p), 'the Arabic member page scrolls sideways at 390 px');
        await t.goto(p, t.base, '#/publish');
        await p.evaluate((tok) => sessionStorage.setItem('ifex-admin-token', tok), t.token);
        await p.reload({ waitUntil: 'domcontentloaded' });
        await p.waitForSelector('#publish-form');
        await p.click('#pub-add-translation');
        await p.waitForSelector('#pub-translations fieldset.translation');
        t.check(await t.noHorizontalOverflow(p), 'the Arabic publish form scrolls sideways at 390 px');
        await p.screenshot({ path: path.join(t.shots, 'phone-ui-ar-publish-translation.png'), fullPage: true });
      }
    } finally {
      await ctx.close();
    }
  }
}

// t: {step, check, page, base, fedBase, fed, federation, token, getJson, goto, waitForList,
// waitFor, checkViewText, unlabelledControls, noHorizontalOverflow, checkNoRawKeys, catalogues,
// openContext, fillPublishForm, expectFailure, shots (the screenshot directory)}.
export async function runReaderChecks(t) {
  await t.step('facets and "N alerts" on #/ equal the API\'s and a count over every alert; facets add filters, chips remove them', () => checkFacetsAndTotals(t));
  await t.step('who published: names on cards, the member filter (count = API total), the member page with "Load more"', () => checkMembers(t));
  await t.step('search sorted newest and oldest: dates in order, the API\'s order; search facets and total', () => checkSearchSort(t));
  await t.step('a copied address of a filtered, sorted search opens the same view', () => checkPermalink(t));
  await t.step('the publish form sends a translation and tags; the API\'s refusal shown; the translation shown rtl', () => checkPublishTranslationAndTag(t));
  await t.step('facets in the Arabic interface: mirrored at 1280 px, below the results at 390 px', () => checkArabicLayout(t));
}
