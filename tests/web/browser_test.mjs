// The web page in a real browser against a real node: Debian's Chromium, driven by
// playwright-core, reads and publishes through the page served by `ifexnode run`.
//
//   node browser_test.mjs IFEXNODE_BIN TMP_DIR      (run_browser_test.sh does the npm part)
//
// The node is made with `init`, filled with `import-archive` of tests/fixtures/legacy_fixture.jsonl
// when this binary has that command, and with the alerts below (en, fr, es, ar) through
// `publish --file`. Screenshots go to $IFEX_SCREENSHOT_DIR, else TMP_DIR/screenshots. The node is
// stopped by its pid (SIGTERM, then SIGKILL) whatever happens. Every wait is bounded.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..');
const FIXTURE = path.join(REPO, 'tests', 'fixtures', 'legacy_fixture.jsonl');
const CHROMIUM = process.env.IFEX_CHROMIUM || '/usr/bin/chromium';
const START_TIMEOUT_MS = 20000;
const STEP_TIMEOUT_MS = 15000;
const WHOLE_TEST_TIMEOUT_MS = 240000;

// ---- the test data ----

// Words the searches look for, each in exactly one of the alerts below.
const EN_WORD = 'Kestrel';
const AR_WORD = 'الأردن';

const ALERTS = {
  en: {
    lang: 'en',
    title: 'Community radio station in Sfax silenced by court order',
    summary: 'A court in Sfax ordered the closure of Radio Kestrel, a community station, after it reported on water shortages.',
    body: 'Radio Kestrel had broadcast a series on water cuts in the region.\n\nThe court gave no reason in public.',
    country: 'TN',
    categories: ['press-freedom', 'censorship'],
    sources: ['https://example.org/radio-station-silenced'],
    translations: {
      fr: {
        title: 'Une radio communautaire de Sfax réduite au silence par décision de justice',
        summary: 'Un tribunal de Sfax a ordonné la fermeture d\'une radio communautaire après ses reportages sur les pénuries d\'eau.',
        body: 'La station diffusait une série sur les coupures d\'eau.',
      },
      ar: {
        title: 'إسكات إذاعة مجتمعية في صفاقس بقرار قضائي',
        summary: 'أمرت محكمة في صفاقس بإغلاق إذاعة مجتمعية بعد تغطيتها لنقص المياه.',
        body: 'كانت الإذاعة تبث سلسلة عن انقطاع المياه في المنطقة.',
      },
    },
  },
  fr: {
    lang: 'fr',
    title: 'Un journaliste détenu à Tunis après une enquête sur la corruption',
    summary: 'Le journaliste a été arrêté à son domicile et interrogé pendant douze heures.',
    body: 'Son avocat n\'a pas pu le voir.',
    country: 'TN',
    categories: ['detention'],
  },
  es: {
    lang: 'es',
    title: 'Periodista amenazada de muerte en Oaxaca tras publicar un reportaje',
    summary: 'La periodista recibió amenazas después de publicar una investigación sobre la minería ilegal.',
    body: 'Las autoridades no han ofrecido protección.',
    country: 'MX',
    categories: ['attack-on-journalist'],
  },
  ar: {
    lang: 'ar',
    title: 'حجب موقع إخباري مستقل في الأردن',
    summary: 'حجبت السلطات في الأردن موقعا إخباريا مستقلا بعد نشره تحقيقا عن الفساد.',
    body: 'لم تقدم السلطات أي تفسير للحجب.\n\nيطالب الصحفيون برفع الحجب فورا.',
    country: 'JO',
    categories: ['internet-censorship'],
    sources: ['https://example.org/news-site-blocked'],
    translations: {
      en: {
        title: 'Independent news website blocked in Jordan',
        summary: 'The authorities blocked an independent news website after it published an investigation into corruption.',
        body: '',
      },
    },
  },
  // Markup and a right-to-left override in a title must show as text and stay isolated.
  hostile: {
    lang: 'en',
    title: 'Blogger fined <img src=x onerror="window.__ifexXss=1"> \u202Eeuqitirc\u202C for a post',
    summary: 'The <b>summary</b> is text too.',
    body: '',
    country: 'EG',
    categories: ['criminal-defamation'],
  },
};

const PUBLISHED_TITLE = 'Cartoonist questioned over a drawing of the minister';

// ---- a small test runner ----

const results = [];
let currentStep = '';

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function step(name, fn) {
  currentStep = name;
  const started = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    results.push({ name, ok: false, error: e });
    console.log(`FAIL ${name}: ${e && e.stack ? e.stack : e}`);
  }
}

// ---- the node ----

function runCli(bin, args) {
  const r = spawnSync(bin, args, { encoding: 'utf8', timeout: 60000, env: nodeEnv() });
  if (r.error) throw new Error(`ifexnode ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) {
    throw new Error(`ifexnode ${args.join(' ')} exited ${r.status}${r.signal ? ' (' + r.signal + ')' : ''}:\n${r.stderr}${r.stdout}`);
  }
  return r.stdout;
}

function nodeEnv() {
  const env = { ...process.env };
  delete env.IFEXNODE_PASSPHRASE_FILE;  // init makes an unencrypted key for the test
  return env;
}

function hasCommand(bin, name) {
  const r = spawnSync(bin, [name, '--help'], { encoding: 'utf8', timeout: 20000 });
  return r.status === 0;
}

// A port free right now on 127.0.0.1 (`run --listen` wants a real port, not 0).
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

class RunningNode {
  constructor(bin, data, port, logFile) {
    this.log = '';
    this.logStream = fs.createWriteStream(logFile);
    this.child = spawn(bin, ['run', '--data', data, '--listen', `127.0.0.1:${port}`], {
      env: nodeEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitStatus = { code, signal };
        resolve(this.exitStatus);
      });
    });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      stream.setEncoding('utf8');
      stream.on('data', (chunk) => {
        this.log += chunk;
        this.logStream.write(chunk);
      });
    }
  }

  // The port from the log line "... listening on 127.0.0.1:PORT".
  async port() {
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      const m = this.log.match(/listening on 127\.0\.0\.1:(\d+)/);
      if (m) return Number(m[1]);
      if (this.exitStatus) throw new Error(`ifexnode run exited (${JSON.stringify(this.exitStatus)}) before listening:\n${this.log}`);
      await Promise.race([this.exited, delay(50)]);
    }
    throw new Error(`ifexnode run did not say "listening on" within ${START_TIMEOUT_MS} ms:\n${this.log}`);
  }

  // SIGTERM, then SIGKILL if it has not exited within the bound.
  async stop() {
    if (!this.exitStatus && this.child.pid) {
      try {
        process.kill(this.child.pid, 'SIGTERM');
      } catch (e) {
        // Already gone.
      }
      const done = await Promise.race([this.exited.then(() => true), delay(10000).then(() => false)]);
      if (!done) {
        console.log('node did not stop within 10 s of SIGTERM; sending SIGKILL');
        try {
          process.kill(this.child.pid, 'SIGKILL');
        } catch (e) {
          // Already gone.
        }
        await Promise.race([this.exited, delay(5000)]);
      }
    }
    this.logStream.end();
    return this.exitStatus;
  }
}

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function getJson(url, options) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 10000);
  try {
    const r = await fetch(url, { ...options, signal: controller.signal });
    const text = await r.text();
    let body = null;
    try {
      body = JSON.parse(text);
    } catch (e) {
      body = null;
    }
    return { status: r.status, headers: r.headers, text, body };
  } finally {
    clearTimeout(timer);
  }
}

// Polls until `probe` returns a truthy value; returns it, or throws `what` after the bound.
async function waitFor(what, probe, timeoutMs = STEP_TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  let last = null;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (e) {
      last = e;
    }
    await delay(100);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ': ' + last.message : ''}`);
}

// ---- the browser checks ----

async function visibleTexts(page, selector) {
  return page.locator(selector).allInnerTexts();
}

async function goto(page, base, hash) {
  await page.goto(base + '/' + hash, { waitUntil: 'domcontentloaded' });
}

// Waits until the view shows a list that has finished loading (status text set).
async function waitForList(page, listId) {
  await page.waitForFunction((id) => {
    const loading = document.getElementById('loading');
    const list = document.getElementById(id);
    const status = document.querySelector('.list-status');
    return list && loading && loading.textContent === '' && status && status.textContent !== '';
  }, listId, { timeout: STEP_TIMEOUT_MS });
}

// Every form control of the view has a label (for=, wrapping, or aria-label).
async function unlabelledControls(page) {
  return page.evaluate(() => [...document.querySelectorAll('input, select, textarea')]
    .filter((c) => c.type !== 'hidden' && c.labels.length === 0 && !c.getAttribute('aria-label'))
    .map((c) => c.outerHTML));
}

// A view that shows "[object ...]" put a value where text belonged.
async function checkViewText(page) {
  const text = await page.locator('#view').innerText();
  check(!/\[object |undefined|NaN/.test(text), `the view shows a raw value: ${text.slice(0, 400)}`);
  return text;
}

async function noHorizontalOverflow(page) {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
}

async function main() {
  const [bin, tmpArg] = process.argv.slice(2);
  if (!bin || !tmpArg) {
    console.error('usage: node browser_test.mjs IFEXNODE_BIN TMP_DIR');
    process.exit(2);
  }
  const tmp = path.resolve(tmpArg);
  const data = path.join(tmp, 'data');
  const profile = path.join(tmp, 'chromium-profile');
  const shots = path.resolve(process.env.IFEX_SCREENSHOT_DIR || path.join(tmp, 'screenshots'));
  fs.rmSync(data, { recursive: true, force: true });
  fs.rmSync(profile, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  fs.mkdirSync(shots, { recursive: true });
  console.log(`browser test: binary ${bin}, temp dir ${tmp}, screenshots in ${shots}`);

  let node = null;
  let context = null;
  const watchdog = setTimeout(() => {
    console.log(`FAIL the whole test took more than ${WHOLE_TEST_TIMEOUT_MS / 1000} s (in step: ${currentStep})`);
    const pid = node && node.child.pid;
    if (pid && !node.exitStatus) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch (e) {
        // Already gone.
      }
    }
    process.exit(1);
  }, WHOLE_TEST_TIMEOUT_MS);
  const onSignal = (signal) => {
    console.log(`stopped by ${signal}`);
    if (node && node.child.pid && !node.exitStatus) {
      try {
        process.kill(node.child.pid, 'SIGKILL');
      } catch (e) {
        // Already gone.
      }
    }
    process.exit(1);
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);

  const ids = {};
  let base = '';
  let token = '';
  try {
    // ---- a real node with data ----
    runCli(bin, ['init', '--data', data, '--name', 'hub', '--role', 'hub']);
    if (fs.existsSync(FIXTURE) && hasCommand(bin, 'import-archive')) {
      runCli(bin, ['import-archive', '--data', data, FIXTURE]);
      console.log(`imported ${path.relative(REPO, FIXTURE)}`);
    } else {
      console.log('no import-archive command or fixture: using the published alerts only');
    }
    for (const [key, alert] of Object.entries(ALERTS)) {
      const file = path.join(tmp, `alert-${key}.json`);
      fs.writeFileSync(file, JSON.stringify(alert));
      ids[key] = runCli(bin, ['publish', '--data', data, '--file', file]).trim();
      check(/^[0-9a-f]{64}$/.test(ids[key]), `publish printed no id: ${ids[key]}`);
    }
    const tokenFile = path.join(data, 'admin.token');
    check(fs.existsSync(tokenFile), `init made no ${tokenFile} (the admin token of docs/http-api.md)`);
    token = fs.readFileSync(tokenFile, 'utf8').trim();
    check(token.length > 0, 'admin.token is empty');

    // Another process may take the free port before the node binds it: then try another.
    let port = 0;
    for (let attempt = 1; !port; attempt++) {
      node = new RunningNode(bin, data, await freePort(), path.join(tmp, 'node.log'));
      try {
        port = await node.port();
      } catch (e) {
        if (attempt >= 3 || !/in use|taken/i.test(node.log)) throw e;
        await node.stop();
      }
    }
    base = `http://127.0.0.1:${port}`;
    console.log(`node listening at ${base}`);

    // The API must answer, and the search index must hold the test's alerts, before the page
    // is worth looking at (the index may be built in the background after start).
    await waitFor('GET /api/alerts to answer JSON', async () => {
      const r = await getJson(base + '/api/alerts?limit=1');
      if (r.status === 404) throw new Error(`404: this binary has no HTTP API yet (${r.text.slice(0, 200)})`);
      return r.status === 200 && r.body && Array.isArray(r.body.alerts);
    });
    await waitFor(`the search index to find "${EN_WORD}" and "${AR_WORD}"`, async () => {
      const en = await getJson(base + '/api/search?q=' + encodeURIComponent(EN_WORD));
      const ar = await getJson(base + '/api/search?q=' + encodeURIComponent(AR_WORD));
      return en.status === 200 && ar.status === 200 &&
        en.body.results.some((r) => r.id === ids.en) && ar.body.results.some((r) => r.id === ids.ar);
    }, 30000);

    // ---- the browser ----
    context = await launch(path.join(profile, 'desktop'), { viewport: { width: 1280, height: 900 } });
    const page = context.pages()[0] || await context.newPage();
    // Requests the page makes anywhere but the node are refused (and counted): it must work offline.
    const foreign = [];
    await context.route((url) => !url.href.startsWith(base + '/'), (r) => {
      foreign.push(r.request().url());
      return r.abort();
    });
    const consoleErrors = [];
    // Chromium logs every non-2xx fetch as an error; the ones this test provokes on purpose are
    // expected and removed below.
    let expectedFailures = 0;
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push('uncaught: ' + e.message));

    await step('the page and its assets are served with types and ETags', async () => {
      for (const [p, type] of [['/', 'text/html'], ['/app.js', 'text/javascript'], ['/style.css', 'text/css']]) {
        const r = await fetch(base + p);
        check(r.status === 200, `${p}: status ${r.status}`);
        check((r.headers.get('content-type') || '').startsWith(type), `${p}: content-type ${r.headers.get('content-type')}`);
        const etag = r.headers.get('etag');
        check(etag && /^"[^"]+"$/.test(etag), `${p}: etag ${etag}`);
        const again = await fetch(base + p, { headers: { 'If-None-Match': etag } });
        check(again.status === 304, `${p}: If-None-Match gave ${again.status}, not 304`);
      }
    });

    await step('#/ lists the newest alerts with landmarks and labels', async () => {
      await goto(page, base, '#/');
      await waitForList(page, 'alert-list');
      const titles = await visibleTexts(page, '#alert-list .card-title');
      for (const key of ['en', 'fr', 'es', 'ar']) {
        check(titles.includes(ALERTS[key].title), `"${ALERTS[key].title}" not listed; got ${JSON.stringify(titles.slice(0, 25))}`);
      }
      for (const landmark of ['header', 'nav', 'main']) {
        check(await page.locator(landmark).count() >= 1, `no <${landmark}>`);
      }
      check(await page.locator('[aria-live]').count() >= 1, 'no aria-live region');
      const unlabelled = await unlabelledControls(page);
      check(unlabelled.length === 0, `controls without a label: ${unlabelled.join(' ')}`);
      await checkViewText(page);
      const arTitle = page.locator(`#alert-list h2:has(a[href^="#/alert/${ids.ar}"])`);
      check(await arTitle.getAttribute('lang') === 'ar', 'the Arabic title has no lang="ar"');
      check(await arTitle.getAttribute('dir') === 'auto', 'the Arabic title has no dir="auto"');
      const align = await arTitle.evaluate((h) => getComputedStyle(h).direction);
      check(align === 'rtl', `the Arabic title is laid out ${align}`);
      await page.screenshot({ path: path.join(shots, 'desktop-home.png'), fullPage: true });
    });

    await step('markup and bidi controls in a title stay text, isolated', async () => {
      const link = page.locator(`#alert-list a[href^="#/alert/${ids.hostile}"]`);
      check(await link.count() === 1, 'the hostile alert is not listed');
      check(await link.innerText() === ALERTS.hostile.title, `the title was altered: ${await link.innerText()}`);
      check(await link.evaluate((a) => a.closest('h2').getAttribute('dir')) === 'auto', 'the title is not isolated with dir="auto"');
      check(await page.locator('#view img').count() === 0, 'markup from a title became an element');
      check(await page.evaluate(() => window.__ifexXss === undefined), 'a script from a title ran');
    });

    await step('the filters narrow the list (category, country, language)', async () => {
      await page.selectOption('#filter-category', 'internet-censorship');
      await page.click('.filters button[type=submit]');
      await page.waitForFunction(() => location.hash.includes('category=internet-censorship'));
      await waitForList(page, 'alert-list');
      let titles = await visibleTexts(page, '#alert-list .card-title');
      check(titles.includes(ALERTS.ar.title), `category filter lost the Arabic alert: ${JSON.stringify(titles)}`);
      check(!titles.includes(ALERTS.es.title), 'category filter kept an alert of another category');

      await goto(page, base, '#/?country=MX');
      await waitForList(page, 'alert-list');
      titles = await visibleTexts(page, '#alert-list .card-title');
      check(titles.includes(ALERTS.es.title) && !titles.includes(ALERTS.fr.title), `country filter: ${JSON.stringify(titles)}`);
      check(await page.inputValue('#filter-country') === 'MX', 'the country field does not show the filter');

      // lang=fr: the English alert with a French translation is titled in French.
      await goto(page, base, '#/?lang=fr');
      await waitForList(page, 'alert-list');
      titles = await visibleTexts(page, '#alert-list .card-title');
      check(titles.includes(ALERTS.en.translations.fr.title), `lang=fr did not give the French title: ${JSON.stringify(titles)}`);
      check(titles.includes(ALERTS.fr.title), 'lang=fr lost the French original');
    });

    await step('"load more" follows next_cursor', async () => {
      const total = (await getJson(base + '/api/alerts?limit=100')).body.alerts.length;
      await goto(page, base, '#/');
      await waitForList(page, 'alert-list');
      const first = await page.locator('#alert-list > li').count();
      const more = page.locator('.more-row button');
      if (total <= first) {
        check(await more.count() === 0, `"load more" shown with all ${total} alerts listed`);
        console.log(`     (only ${total} alerts: one page, no "load more")`);
        return;
      }
      await more.click();
      await page.waitForFunction((n) => document.querySelectorAll('#alert-list > li').length > n, first);
      const hrefs = await page.locator('#alert-list .card-title a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      check(new Set(hrefs).size === hrefs.length, 'an alert was listed twice across pages');
    });

    await step(`search in English ("${EN_WORD}") from the header box`, async () => {
      await goto(page, base, '#/');
      await page.fill('#search-q', EN_WORD);
      await page.press('#search-q', 'Enter');
      await page.waitForFunction(() => location.hash.startsWith('#/search?'));
      await waitForList(page, 'search-results');
      const hrefs = await page.locator('#search-results .card-title a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      check(hrefs.some((h) => h.startsWith('#/alert/' + ids.en)), `the English alert was not found: ${JSON.stringify(hrefs)}`);
      check(!hrefs.some((h) => h.startsWith('#/alert/' + ids.es)), 'an unrelated alert was found');
      check(await page.locator('#search-results .snippet mark').count() >= 1, 'no <mark> in the snippets');
      await checkViewText(page);
      check(await page.locator('#search-results .snippet *:not(mark)').count() === 0, 'a snippet holds markup other than <mark>');
    });

    await step(`search in Arabic ("${AR_WORD}") and open the alert: dir="rtl"`, async () => {
      await page.fill('#search-q', AR_WORD);
      await page.press('#search-q', 'Enter');
      await page.waitForFunction((w) => decodeURIComponent(location.hash).includes(w), AR_WORD);
      await waitForList(page, 'search-results');
      const link = page.locator(`#search-results a[href^="#/alert/${ids.ar}"]`);
      check(await link.count() === 1, 'the Arabic alert was not found');
      check(await page.locator(`#search-results a[href^="#/alert/${ids.es}"]`).count() === 0, 'an unrelated alert was found');
      await page.screenshot({ path: path.join(shots, 'desktop-search-ar.png'), fullPage: true });
      await link.click();
      await page.waitForSelector('#alert-text h1');
      const article = page.locator('#alert-text');
      check(await article.getAttribute('lang') === 'ar', 'the Arabic text has no lang="ar"');
      check(await article.getAttribute('dir') === 'rtl', 'the Arabic text is not dir="rtl"');
      check(await page.locator('#alert-text h1').innerText() === ALERTS.ar.title, 'wrong title');
      const text = await checkViewText(page);
      check(text.includes('Jordan (JO)') && text.includes('Internet censorship'), `country or category missing: ${text.slice(0, 400)}`);
      const direction = await page.locator('#alert-text .body p').first().evaluate((p) => getComputedStyle(p).direction);
      check(direction === 'rtl', `the Arabic body is laid out ${direction}`);
      const source = page.locator('.sources a');
      check(await source.getAttribute('rel') === 'noopener noreferrer nofollow', `source rel is ${await source.getAttribute('rel')}`);
      check(await source.getAttribute('href') === ALERTS.ar.sources[0], 'the source link is wrong');
      check(await page.evaluate(() => document.activeElement && document.activeElement.id) === 'alert-title', 'focus did not move to the alert');
      await page.screenshot({ path: path.join(shots, 'desktop-alert-ar.png'), fullPage: true });
    });

    await step('the language switcher shows each translation with its direction', async () => {
      await goto(page, base, '#/alert/' + ids.en);
      await page.waitForSelector('#alert-text h1');
      const article = page.locator('#alert-text');
      check(await article.getAttribute('dir') === 'ltr' && await article.getAttribute('lang') === 'en', 'the English original is not lang=en dir=ltr');
      const buttons = await page.locator('.lang-switcher button').evaluateAll((bs) => bs.map((b) => b.dataset.lang));
      // The original first, then the translations (in the alert's canonical order).
      check(buttons[0] === 'en' && JSON.stringify(buttons.slice(1).sort()) === JSON.stringify(['ar', 'fr']),
        `switcher offers ${JSON.stringify(buttons)}`);
      await page.click('.lang-switcher button[data-lang="ar"]');
      check(await article.getAttribute('dir') === 'rtl' && await article.getAttribute('lang') === 'ar', 'the Arabic translation is not lang=ar dir=rtl');
      check(await page.locator('#alert-text h1').innerText() === ALERTS.en.translations.ar.title, 'wrong Arabic title');
      check(await page.locator('.lang-switcher button[data-lang="ar"]').getAttribute('aria-pressed') === 'true', 'aria-pressed not set');
      // Keyboard: the French button is reachable and works with Enter.
      await page.focus('.lang-switcher button[data-lang="fr"]');
      await page.keyboard.press('Enter');
      check(await article.getAttribute('lang') === 'fr' && await article.getAttribute('dir') === 'ltr', 'the French translation is not lang=fr dir=ltr');
      check(page.url().endsWith('?lang=fr'), `the address does not keep the language: ${page.url()}`);
    });

    await step('#/status shows the node, peers and members', async () => {
      await goto(page, base, '#/status');
      await page.waitForSelector('#status-body dl');
      await checkViewText(page);
      const text = await page.locator('#status-body').innerText();
      check(text.includes('hub'), `status lacks the name/role: ${text.slice(0, 300)}`);
      const status = (await getJson(base + '/api/status')).body;
      check(text.includes(status.node.fingerprint), 'status lacks the fingerprint');
      await page.screenshot({ path: path.join(shots, 'desktop-status.png'), fullPage: true });
    });

    await step('publishing with a wrong token shows the server\'s error, stores nothing', async () => {
      await goto(page, base, '#/publish');
      await page.fill('#admin-token', 'not-the-token');
      await page.press('#admin-token', 'Enter');
      await page.waitForSelector('#publish-form');
      check(await page.evaluate(() => sessionStorage.getItem('ifex-admin-token')) === 'not-the-token', 'the token is not in sessionStorage');
      check(await page.evaluate(() => localStorage.length) === 0, 'something was put in localStorage');
      const unlabelled = await unlabelledControls(page);
      check(unlabelled.length === 0, `controls without a label: ${unlabelled.join(' ')}`);
      await fillPublishForm(page, 'A title that must not be stored');
      expectedFailures += 1;
      await page.click('#publish-submit');
      await page.waitForSelector('#publish-error p');
      const message = await page.locator('#publish-error').innerText();
      check(/^The token was refused: .{8,}/.test(message), `no token error from the server shown: ${message}`);
      check(await page.locator('#publish-error').getAttribute('role') === 'alert', 'the error is not in an alert region');
      check(page.url().endsWith('#/publish'), 'the page left the form');
      // Dated today, it would be on the first page.
      const newest = (await getJson(base + '/api/alerts?limit=50')).body.alerts.map((a) => a.title);
      check(!newest.includes('A title that must not be stored'), 'an alert was stored with a wrong token');
    });

    await step('an invalid alert shows the server\'s 400 message', async () => {
      // The page checks the country's shape; the server checks it is a real code.
      await page.click('#forget-token');
      await page.fill('#admin-token', token);
      await page.press('#admin-token', 'Enter');
      await page.waitForSelector('#publish-form');
      await fillPublishForm(page, 'A title with an unknown country');
      await page.fill('#pub-country', 'QQ');
      expectedFailures += 1;
      await page.click('#publish-submit');
      await page.waitForSelector('#publish-error p');
      const message = await page.locator('#publish-error').innerText();
      check(/country/i.test(message), `no country error shown: ${message}`);
    });

    await step('publishing through the form with the token, then seeing it on #/', async () => {
      await fillPublishForm(page, PUBLISHED_TITLE);
      await page.screenshot({ path: path.join(shots, 'desktop-publish.png'), fullPage: true });
      await page.click('#publish-submit');
      await page.waitForFunction(() => /^#\/alert\/[0-9a-f]{64}$/.test(location.hash));
      await page.waitForSelector('#alert-text h1');
      check(await page.locator('#alert-text h1').innerText() === PUBLISHED_TITLE, 'the new alert is not shown');
      const newId = page.url().split('#/alert/')[1];
      await goto(page, base, '#/');
      await waitForList(page, 'alert-list');
      // Dated today and signed last, it comes first.
      const first = page.locator('#alert-list .card-title a').first();
      check(await first.innerText() === PUBLISHED_TITLE, `the new alert is not first on #/: ${await first.innerText()}`);
      check((await first.getAttribute('href')).startsWith('#/alert/' + newId), 'the listed alert has another id');
    });

    await step('keyboard: a visible skip link first, then the header', async () => {
      await goto(page, base, '#/');
      await page.reload({ waitUntil: 'domcontentloaded' });  // focus starts at the top of the page
      await waitForList(page, 'alert-list');
      await page.keyboard.press('Tab');
      const first = await page.evaluate(() => document.activeElement.className);
      check(first === 'skip-link', `the first Tab stop is "${first}"`);
      const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
      check(outline !== 'none', 'the focused element has no visible outline');
      await page.keyboard.press('Enter');
      check(await page.evaluate(() => document.activeElement.id) === 'main', 'the skip link did not move focus to <main>');
    });

    await step('375 px phone: no sideways scrolling, screenshots', async () => {
      const phone = await launch(path.join(profile, 'phone'), {
        viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
      });
      try {
        const p = phone.pages()[0] || await phone.newPage();
        p.on('console', (m) => {
          if (m.type() === 'error') consoleErrors.push('phone: ' + m.text());
        });
        p.on('pageerror', (e) => consoleErrors.push('phone uncaught: ' + e.message));
        await goto(p, base, '#/');
        await waitForList(p, 'alert-list');
        check(await noHorizontalOverflow(p), '#/ scrolls sideways at 375 px');
        await p.screenshot({ path: path.join(shots, 'phone-home.png') });  // the first screen
        await goto(p, base, '#/alert/' + ids.ar);
        await p.waitForSelector('#alert-text h1');
        check(await noHorizontalOverflow(p), 'the alert scrolls sideways at 375 px');
        await p.screenshot({ path: path.join(shots, 'phone-alert-ar.png'), fullPage: true });
        await goto(p, base, '#/search?q=' + encodeURIComponent(EN_WORD));
        await waitForList(p, 'search-results');
        check(await noHorizontalOverflow(p), 'the search scrolls sideways at 375 px');
        await p.screenshot({ path: path.join(shots, 'phone-search.png'), fullPage: true });
        await goto(p, base, '#/status');
        await p.waitForSelector('#status-body dl');
        check(await noHorizontalOverflow(p), 'the status scrolls sideways at 375 px');
        await goto(p, base, '#/publish');
        await p.waitForSelector('#admin-token');
        check(await noHorizontalOverflow(p), 'the publish page scrolls sideways at 375 px');
      } finally {
        await phone.close();
      }
    });

    await step('no console errors and no request leaves the node', async () => {
      // Each provoked failure logs one "Failed to load resource" line.
      const unexpected = [...consoleErrors];
      for (let i = 0; i < expectedFailures; i++) {
        const at = unexpected.findIndex((t) => /Failed to load resource.*(401|400)/.test(t));
        if (at >= 0) unexpected.splice(at, 1);
      }
      check(unexpected.length === 0, `console errors: ${JSON.stringify(unexpected)}`);
      check(foreign.length === 0, `requests to elsewhere: ${JSON.stringify(foreign)}`);
    });
  } catch (e) {
    results.push({ name: currentStep || 'setup', ok: false, error: e });
    console.log(`FAIL ${currentStep || 'setup'}: ${e && e.stack ? e.stack : e}`);
  } finally {
    if (context) await context.close().catch(() => {});
    if (node) {
      const status = await node.stop();
      console.log(`node stopped (${JSON.stringify(status)}); its log is ${path.join(tmp, 'node.log')}`);
    }
    clearTimeout(watchdog);
  }

  const failed = results.filter((r) => !r.ok);
  const passed = results.length - failed.length;
  console.log(`screenshots: ${shots}`);
  console.log(`browser_test: ${passed} passed, ${failed.length} failed`);
  if (failed.length === 0) {
    fs.rmSync(data, { recursive: true, force: true });
    fs.rmSync(profile, { recursive: true, force: true });
  }
  process.exit(failed.length === 0 && passed > 0 ? 0 : 1);
}

// Debian's Chromium with a fresh profile in `profileDir` (a persistent context is how
// playwright takes --user-data-dir); closing the context ends the browser.
async function launch(profileDir, contextOptions) {
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    timeout: STEP_TIMEOUT_MS * 2,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
    locale: 'en-US',
    ...contextOptions,
  });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  return context;
}

async function fillPublishForm(page, title) {
  await page.selectOption('#pub-lang', 'en');
  await page.fill('#pub-title', title);
  await page.fill('#pub-summary', 'Police questioned the cartoonist for six hours about a drawing.');
  await page.fill('#pub-body', 'The drawing was published last week.\n\nNo charge has been brought so far.');
  await page.fill('#pub-country', 'lb');
  for (const box of await page.locator('#publish-form input[type=checkbox]').all()) await box.uncheck();
  await page.check('#pub-cat-artistic-expression');
  await page.check('#pub-cat-legal-harassment');
  await page.fill('#pub-date', new Date().toISOString().slice(0, 10));
  await page.fill('#pub-sources', 'https://example.org/cartoonist-questioned');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
