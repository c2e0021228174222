// The web page in a real browser against a real node: Debian's Chromium, driven by
// playwright-core, reads and publishes through the page served by `ifexnode run`.
//
//   node browser_test.mjs IFEXNODE_BIN TMP_DIR      (run_browser_test.sh does the npm part)
//
// The node is made with `init`, filled with `import-archive` of tests/fixtures/legacy_fixture.jsonl
// when this binary has that command, and with the alerts below (en, fr, es, ar) through
// `publish --file`. It belongs to no federation; a second node that does (federation_fixture.mjs)
// serves the Members view. Screenshots go to $IFEX_SCREENSHOT_DIR, else TMP_DIR/screenshots. The node is
// stopped by its pid (SIGTERM, then SIGKILL) whatever happens. Every wait is bounded.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import * as federation from './federation_fixture.mjs';
import { runReaderChecks } from './reader_checks.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..');
const FIXTURE = path.join(REPO, 'tests', 'fixtures', 'legacy_fixture.jsonl');
const CHROMIUM = process.env.IFEX_CHROMIUM || '/usr/bin/chromium';
const START_TIMEOUT_MS = 20000;
const STEP_TIMEOUT_MS = 15000;
const WHOLE_TEST_TIMEOUT_MS = 420000;

// ---- the test data ----

// Words the searches look for, each in exactly one of the alerts below.
const EN_WORD = 'Kestrel';
const AR_WORD = 'الأردن';

// Bidi controls an author opened and never closed: no U+202C PDF after U+202B RLE or U+202E RLO,
// no U+2069 PDI after U+2067 RLI. Each must end with the element that holds its text (a block,
// dir="auto", <bdi>); the text after it in the page must still be laid out left to right.
const RLE = '\u202B';
const RLO = '\u202E';
const RLI = '\u2067';
const BIDI_TITLE = `Editor summoned over a headline ${RLI}that the court calls false`;
// Ends inside all three (the override innermost): text after it, if not isolated, is reversed.
const BIDI_SUMMARY = `Prosecutors say: ${RLI}an open isolate, ${RLE}an open embedding, ${RLO}and an open override`;
// Shown as three paragraphs: the first has two lines (the first line ends inside an override);
// the second ends inside an override; the third is plain English.
const BIDI_PARAGRAPHS = [
  `Officers questioned the editor ${RLI}for five hours, ${RLE}without a lawyer; <b>bold</b> and ` +
    `<img src=x onerror="window.__ifexBidiXss=1"> stay text ${RLO}edirrevo na edisni sdne enil siht\n` +
    'The next line of this paragraph reads normally.',
  `This paragraph ends inside an override: ${RLO}hpargarap siht fo dne eht`,
  'The newspaper said it would keep publishing the series.',
];
const BIDI_BODY = BIDI_PARAGRAPHS.join('\n\n');

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
  // Published just before `bidi`, so that it is the card right after it on #/ (same day, signed
  // earlier). Plain English: any reordering of it comes from the alert before it.
  neighbour: {
    lang: 'en',
    title: 'Printing house in Alexandria raided over leaflets',
    summary: 'Police seized the leaflets and the printing press.',
    body: 'The owner was released the same evening.',
    country: 'EG',
    categories: ['press-freedom'],
  },
  // Bidi controls left open in a title, a summary and a body (BIDI_* above).
  bidi: {
    lang: 'en',
    title: BIDI_TITLE,
    summary: BIDI_SUMMARY,
    body: BIDI_BODY,
    country: 'EG',
    categories: ['legal-harassment'],
    // A translation without a summary.
    translations: {
      fr: {
        title: 'Un rédacteur convoqué pour un titre',
        body: 'Le journal continuera de publier la série.',
      },
    },
  },
};

const PUBLISHED_TITLE = 'Cartoonist questioned over a drawing of the minister';

// The interface languages, each in a browser whose first language is `locale`: ar-EG writes
// Arabic-Indic digits and ar-MA Western ones (CLDR), which the page must follow.
const UI_LANGUAGES = [
  { lang: 'en', locale: 'en-US', dir: 'ltr', digits: 'latn', screenshot: true },
  { lang: 'fr', locale: 'fr-FR', dir: 'ltr', digits: 'latn', screenshot: true },
  { lang: 'es', locale: 'es-MX', dir: 'ltr', digits: 'latn', screenshot: true },
  { lang: 'ar', locale: 'ar-EG', dir: 'rtl', digits: 'arab', screenshot: true },
  { lang: 'ar', locale: 'ar-MA', dir: 'rtl', digits: 'latn', screenshot: false },
];

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

// `ifexnode run` on a free port; another process may take the port before the node binds it:
// then another. `track` is told of each process started, so that the caller can always stop it.
async function startNode(bin, data, logFile, track) {
  for (let attempt = 1; ; attempt++) {
    const n = new RunningNode(bin, data, await freePort(), logFile);
    track(n);
    try {
      return { node: n, base: `http://127.0.0.1:${await n.port()}` };
    } catch (e) {
      if (attempt >= 3 || !/in use|taken/i.test(n.log)) throw e;
      await n.stop();
    }
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

// A view that shows "[object ...]", "undefined" or "null" put a value where text belonged.
async function checkViewText(page) {
  const text = await page.locator('#view').innerText();
  // "null" only as a whole line: the page's own slip, not a word of an alert's text.
  const raw = /\[object |undefined|NaN|^null$/m.exec(text);
  check(!raw, `the view shows a raw value: ${raw && JSON.stringify(text.slice(Math.max(0, raw.index - 80), raw.index + 80))}`);
  return text;
}

// Each sampled element shows the catalogue's words for the interface language, which (outside
// English) are not the English ones.
async function checkUiWords(page, cat, en, lang, samples) {
  for (const [selector, key] of samples) {
    const text = (await page.locator(selector).first().innerText()).trim();
    check(text === cat[key], `${selector} reads "${text}", not "${cat[key]}" (${key})`);
    if (lang !== 'en') check(text !== en[key], `${selector} is still English: "${text}"`);
  }
}

// No catalogue key shows as text anywhere on the page (a key missing from the catalogue would).
async function checkNoRawKeys(page, cat) {
  const text = await page.locator('body').innerText();
  const raw = Object.keys(cat).filter((key) => text.includes(key));
  check(raw.length === 0, `raw keys on the page: ${JSON.stringify(raw)}`);
}

async function noHorizontalOverflow(page) {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
}

// Text nodes under `selector` (in document order) with their characters, so that a check can say
// exactly what the page holds: "U+202E" for an invisible control.
async function textNodesOf(page, selector) {
  return page.evaluate((sel) => {
    const root = document.querySelector(sel);
    if (!root) return null;
    const out = [];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) out.push(n.data);
    return { texts: out, elements: root.querySelectorAll('*').length };
  }, selector);
}

function codePoints(s) {
  return [...s].map((c) => (/[\x20-\x7e]/.test(c) ? c : `<U+${c.codePointAt(0).toString(16).toUpperCase().padStart(4, '0')}>`)).join('');
}

// The element `selector` holds `expected` as exactly one text node: nothing stripped or added,
// no markup made into elements.
async function checkExactText(page, selector, expected) {
  const got = await textNodesOf(page, selector);
  check(got !== null, `no ${selector} in the page`);
  check(got.elements === 0, `${selector} holds ${got.elements} element(s): markup from the alert became elements`);
  check(got.texts.length === 1 && got.texts[0] === expected,
    `${selector} holds ${JSON.stringify(got.texts.map(codePoints))}, not ${JSON.stringify(codePoints(expected))}`);
}

// Where the browser drew each non-space character of `text` (the first text node under
// `selector` that contains it): one box per character, from Range.getBoundingClientRect.
async function characterBoxes(page, selector, text) {
  return page.evaluate(([sel, wanted]) => {
    const root = document.querySelector(sel);
    if (!root) return { error: `no ${sel} in the page` };
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const at = n.data.indexOf(wanted);
      if (at < 0) continue;
      const range = document.createRange();
      const boxes = [];
      for (let i = 0; i < wanted.length; i++) {
        if (wanted[i] === ' ') continue;
        range.setStart(n, at + i);
        range.setEnd(n, at + i + 1);
        const r = range.getBoundingClientRect();
        boxes.push({ ch: wanted[i], left: r.left, right: r.right, top: r.top, height: r.height });
      }
      return { boxes };
    }
    return { error: `"${wanted}" is in no text node of ${sel}` };
  }, [selector, text]);
}

// `text` (under `selector`) is drawn left to right: each character to the right of the one
// before on the same line, or on a line below it. An override that leaked into it would draw it
// reversed; an embedding or isolate that leaked into it would move its end punctuation to its
// left. Returns the measured x positions.
async function checkLeftToRight(page, selector, text) {
  const m = await characterBoxes(page, selector, text);
  check(!m.error, m.error);
  const { boxes } = m;
  const at = (b) => `${b.ch}@${b.left.toFixed(1)}`;
  const where = boxes.map(at).join(' ');
  check(boxes.length > 0 && boxes.every((b) => b.right > b.left && b.height > 0), `"${text}" in ${selector} is not drawn: ${where}`);
  let lines = 1;
  for (let i = 1; i < boxes.length; i++) {
    const [a, b] = [boxes[i - 1], boxes[i]];
    if (Math.abs(b.top - a.top) < a.height / 2) {
      check(b.left > a.left, `"${text}" in ${selector} is not laid out left to right: ${at(a)} then ${at(b)}; all: ${where}`);
    } else {
      check(b.top > a.top, `"${text}" in ${selector} goes up a line: ${a.ch}@y${a.top.toFixed(1)} then ${b.ch}@y${b.top.toFixed(1)}`);
      lines += 1;
    }
  }
  const first = boxes[0];
  const last = boxes[boxes.length - 1];
  return `"${text}" ${at(first)} ${lines === 1 ? '<' : '.. (' + lines + ' lines) ..'} ${at(last)}`;
}

// checkLeftToRight for each [selector, text, what the text comes after]; every target is
// measured, then one failure names all that failed. Logs the x positions relied on.
async function checkAllLeftToRight(page, targets) {
  const measured = [];
  const failures = [];
  for (const [selector, text, after] of targets) {
    try {
      measured.push(await checkLeftToRight(page, selector, text));
    } catch (e) {
      failures.push(`after ${after}: ${e.message}`);
    }
  }
  console.log(`     x: ${measured.join('; ')}`);
  check(failures.length === 0, `${failures.length} of ${targets.length} texts are reordered:\n  ${failures.join('\n  ')}`);
}

// ---- the Members view (#/members) ----

// The member names the view lists, the threshold line, and the pending and applied changes, as
// federation_fixture.mjs made them. Returns what it measured of the Arabic name.
async function checkMembersView(page, fed) {
  await page.waitForSelector('#members-body #pending-list');
  await checkViewText(page);
  const current = await page.locator('[data-nav="members"]').getAttribute('aria-current');
  check(current === 'page', `the Members link is not marked current (${current})`);
  const section = (title) => page.locator('#members-body section', { has: page.locator('h2', { hasText: new RegExp(`^${title}$`) }) });

  const listed = await section('Members').locator('tbody tr .member-name').allTextContents();
  check(JSON.stringify([...listed].sort()) === JSON.stringify([...fed.members].sort()),
    `the members listed are ${JSON.stringify(listed)}, not ${JSON.stringify(fed.members)}`);
  const threshold = (await page.locator('#federation-threshold').innerText()).trim();
  const wanted = `${fed.threshold} of ${fed.members.length} members`;
  check(threshold === wanted, `the threshold reads "${threshold}", not "${wanted}"`);
  check((await page.locator('#federation-name').innerText()) === federation.FEDERATION_NAME, 'the federation\'s name is not shown');

  // The pending proposal: what it does, who proposed it, 1 of K approvals (the proposer's own).
  const card = page.locator(`#pending-list li[data-proposal="${fed.ids.pending}"]`);
  check(await card.count() === 1, 'the pending proposal is not listed');
  const cardText = await card.innerText();
  check((await card.locator('h3').innerText()) === `Add ${federation.PENDING_NAME}`, `the proposal's heading is "${await card.locator('h3').innerText()}"`);
  for (const part of [`Proposed by ${federation.HUB_NAME}`, `1 of ${fed.threshold} approvals: signed by ${federation.HUB_NAME}`,
    `Needs ${fed.threshold - 1} more approval`]) {
    check(cardText.includes(part), `the pending proposal does not say "${part}": ${cardText}`);
  }
  const stale = page.locator(`#pending-list li[data-proposal="${fed.ids.stale}"]`);
  check(await stale.count() === 1 && /\bstale\b/.test(await stale.getAttribute('class')) && /^Stale:/m.test(await stale.innerText()),
    'the stale proposal is not marked stale');

  const history = await section('Applied changes').locator('tbody tr').allInnerTexts();
  check(history.length === fed.ids.applied.length, `${history.length} applied changes shown, not ${fed.ids.applied.length}`);
  check(history[0].includes(`Add ${federation.ADDED_NAME}`) && history[1].includes(`Threshold ${fed.threshold}`),
    `the applied changes read ${JSON.stringify(history)}`);

  // A name with markup is text: one text node, no element made, no script run.
  const hostile = await page.evaluate((name) => {
    const found = [...document.querySelectorAll('#members-body .member-name')].filter((e) => e.textContent === name);
    return { count: found.length, elements: found.reduce((n, e) => n + e.querySelectorAll('*').length, 0) };
  }, federation.HOSTILE_NAME);
  check(hostile.count === 1 && hostile.elements === 0, `the hostile name is not shown as text: ${JSON.stringify(hostile)}`);
  check(await page.locator('#view img').count() === 0, 'a member name became an element');
  check(await page.evaluate(() => window.__ifexFedXss === undefined), 'a script from a member name ran');

  // The Arabic name is laid out right to left: its element's direction is rtl (what orders it
  // among digits and Latin text and aligns it), and its first letter is drawn right of its last
  // (the letters alone would be in any direction: that part checks the text is drawn at all).
  const arabic = await page.evaluate((name) => {
    const e = [...document.querySelectorAll('#members-body .member-name')].find((x) => x.textContent === name);
    if (!e) return null;
    const range = document.createRange();
    const box = (i) => {
      range.setStart(e.firstChild, i);
      range.setEnd(e.firstChild, i + 1);
      return range.getBoundingClientRect();
    };
    return { dir: e.getAttribute('dir'), direction: getComputedStyle(e).direction, first: box(0).left, last: box(name.length - 1).left };
  }, federation.ARABIC_NAME);
  check(arabic !== null, 'the Arabic name is not in the members list');
  check(arabic.dir === 'auto' && arabic.direction === 'rtl', `the Arabic name is not laid out right to left: ${JSON.stringify(arabic)}`);
  check(arabic.first > arabic.last, `the Arabic name is drawn left to right: ${JSON.stringify(arabic)}`);
  check(await noHorizontalOverflow(page), 'the Members view scrolls sideways');
  return arabic;
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
  // A member that is configured but never runs: the status page must name it and show it down.
  const absentData = path.join(tmp, 'absent-member');
  const fedDir = path.join(tmp, 'federation');
  fs.rmSync(data, { recursive: true, force: true });
  fs.rmSync(profile, { recursive: true, force: true });
  fs.rmSync(absentData, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  fs.mkdirSync(shots, { recursive: true });
  console.log(`browser test: binary ${bin}, temp dir ${tmp}, screenshots in ${shots}`);

  let node = null;
  let fedNode = null;  // the node of federation_fixture.mjs
  let context = null;
  const killNodes = () => {
    for (const n of [node, fedNode]) {
      if (n && n.child.pid && !n.exitStatus) {
        try {
          process.kill(n.child.pid, 'SIGKILL');
        } catch (e) {
          // Already gone.
        }
      }
    }
  };
  const watchdog = setTimeout(() => {
    console.log(`FAIL the whole test took more than ${WHOLE_TEST_TIMEOUT_MS / 1000} s (in step: ${currentStep})`);
    killNodes();
    process.exit(1);
  }, WHOLE_TEST_TIMEOUT_MS);
  const onSignal = (signal) => {
    console.log(`stopped by ${signal}`);
    killNodes();
    process.exit(1);
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);

  const ids = {};
  let base = '';
  let fed = null;
  let fedBase = '';
  let token = '';
  try {
    // ---- a real node with data ----
    runCli(bin, ['init', '--data', data, '--name', 'hub', '--role', 'hub']);
    // Several browsers share 127.0.0.1 here, each keeping up to 6 connections open: the
    // per-address limit, meant for one remote client, would refuse some of them.
    const config = path.join(data, 'ifexnode.toml');
    const toml = fs.readFileSync(config, 'utf8');
    check(/max_connections_per_address = 8\n/.test(toml), 'no per-address limit in ' + config);
    fs.writeFileSync(config, toml.replace('max_connections_per_address = 8\n',
                                          'max_connections_per_address = 64\n'));
    runCli(bin, ['init', '--data', absentData, '--name', 'absent']);
    const absentKey = JSON.parse(runCli(bin, ['id', '--data', absentData, '--json'])).public_key;
    runCli(bin, ['roster', 'add', '--data', data, absentKey, '--name', 'Absent Member NGO']);
    // Port 9 (discard) on loopback: nothing answers, the node keeps it listed as down.
    runCli(bin, ['peer', 'add', '--data', data, 'ws://127.0.0.1:9/gossip', absentKey]);
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

    ({ base } = await startNode(bin, data, path.join(tmp, 'node.log'), (n) => { node = n; }));
    console.log(`node listening at ${base}`);

    // ---- a node of a federation (three founders besides it, one change pending) ----
    fed = federation.makeFederationNode(runCli, bin, fedDir);
    ({ base: fedBase } = await startNode(bin, fed.data, path.join(tmp, 'federation-node.log'), (n) => { fedNode = n; }));
    console.log(`federation node listening at ${fedBase}`);
    await waitFor('GET /api/federation to answer at the federation node', async () =>
      (await getJson(fedBase + '/api/federation')).status === 200);

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
    // Requests the page makes anywhere but the nodes are refused (and counted): it must work offline.
    const foreign = [];
    await context.route((url) => !url.href.startsWith(base + '/') && !url.href.startsWith(fedBase + '/'), (r) => {
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

    // The page keeps no list of its own (GET /api/categories); both forms offer the node's.
    const nodeCategories = (await getJson(base + '/api/categories')).body.categories.map((c) => [c.slug, c.label]);
    const sameCategories = (got) => JSON.stringify(got) === JSON.stringify(nodeCategories);

    await step('the filter form offers exactly the node\'s categories, in its order', async () => {
      check(nodeCategories.length === 14, `the node serves ${nodeCategories.length} categories`);
      const offered = await page.$$eval('#filter-category option', (options) =>
        options.filter((o) => o.value !== '').map((o) => [o.value, o.textContent]));
      check(sameCategories(offered), `the filter offers ${JSON.stringify(offered)}`);
    });

    await step('markup and bidi controls in a title stay text, isolated', async () => {
      const link = page.locator(`#alert-list a[href^="#/alert/${ids.hostile}"]`);
      check(await link.count() === 1, 'the hostile alert is not listed');
      check(await link.innerText() === ALERTS.hostile.title, `the title was altered: ${await link.innerText()}`);
      check(await link.evaluate((a) => a.closest('h2').getAttribute('dir')) === 'auto', 'the title is not isolated with dir="auto"');
      check(await page.locator('#view img').count() === 0, 'markup from a title became an element');
      check(await page.evaluate(() => window.__ifexXss === undefined), 'a script from a title ran');
    });

    await step('bidi controls left open in a title and a summary stay in their card', async () => {
      // Still on #/ from the steps above. Same day: the alert signed last comes first.
      const card = `#alert-list > li:has(a[href^="#/alert/${ids.bidi}"])`;
      check(await page.locator(card).count() === 1, 'the alert with open bidi controls is not listed');
      const next = await page.locator(card).evaluate((li) => {
        const a = li.nextElementSibling && li.nextElementSibling.querySelector('.card-title a');
        return a ? a.getAttribute('href') : null;
      });
      check(next && next.startsWith('#/alert/' + ids.neighbour), `the card after it is ${next}, not the alert published just before it`);
      const after = `#alert-list > li:has(a[href^="#/alert/${ids.neighbour}"])`;
      await checkExactText(page, `${card} .card-title a`, BIDI_TITLE);
      await checkExactText(page, `${card} .summary`, BIDI_SUMMARY);
      check(await page.evaluate(() => window.__ifexBidiXss === undefined), 'a script from the alert ran');
      await checkAllLeftToRight(page, [
        [`${card} .summary`, 'Prosecutors say:', 'the title\'s open isolate'],
        [`${after} .card-title a`, ALERTS.neighbour.title, 'the previous card\'s summary (open isolate, embedding, override)'],
        [`${after} .summary`, ALERTS.neighbour.summary, 'the previous card\'s summary (open isolate, embedding, override)'],
      ]);
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

    await step('bidi controls left open in a title, summary and body stay in their block', async () => {
      await goto(page, base, '#/alert/' + ids.bidi);
      // This alert's view, not the one before it (the entry id is in the signature details).
      await page.waitForFunction((id) => document.querySelector('#alert-text .body p') &&
        [...document.querySelectorAll('#view .technical code')].some((c) => c.textContent === id), ids.bidi);
      await checkExactText(page, '#alert-text h1', BIDI_TITLE);
      await checkExactText(page, '#alert-text .lead', BIDI_SUMMARY);
      check(await page.locator('#alert-text .body p').count() === BIDI_PARAGRAPHS.length,
        `the body is not shown as ${BIDI_PARAGRAPHS.length} paragraphs`);
      for (const [i, text] of BIDI_PARAGRAPHS.entries()) {
        await checkExactText(page, `#alert-text .body p:nth-child(${i + 1})`, text);
      }
      check(await page.locator('#view img').count() === 0, 'markup from the body became an element');
      check(await page.evaluate(() => window.__ifexBidiXss === undefined), 'a script from the body ran');
      await checkAllLeftToRight(page, [
        ['#alert-text .lead', 'Prosecutors say:', 'the title\'s open isolate'],
        ['#alert-text .body p:nth-child(1)', 'Officers questioned the editor', 'the summary\'s open isolate, embedding and override'],
        ['#alert-text .body p:nth-child(1)', 'The next line of this paragraph reads normally.', 'a line that ends inside an override'],
        ['#alert-text .body p:nth-child(3)', BIDI_PARAGRAPHS[2], 'a paragraph that ends inside an override'],
        ['#view .facts', 'Languages', 'the whole text'],
        ['#view .facts', 'Published by', 'the whole text'],
      ]);
      await checkViewText(page);
      await page.screenshot({ path: path.join(shots, 'desktop-alert-bidi.png'), fullPage: true });
      // The French translation has no summary.
      await page.click('.lang-switcher button[data-lang="fr"]');
      await page.waitForFunction(() => document.getElementById('alert-text').getAttribute('lang') === 'fr');
      check(await page.locator('#alert-text .lead').count() === 0, 'a lead is shown for a text without a summary');
      await checkViewText(page);
    });

    await step('#/status shows the node, peers and members', async () => {
      await goto(page, base, '#/status');
      await page.waitForSelector('#status-body dl');
      await checkViewText(page);
      const text = await page.locator('#status-body').innerText();
      check(text.includes('hub'), `status lacks the name/role: ${text.slice(0, 300)}`);
      const status = (await getJson(base + '/api/status')).body;
      check(text.includes(status.node.fingerprint), 'status lacks the fingerprint');
      // Issue 11: the peer's name from the roster, its state, and no address for a public reader.
      const peersTable = page.locator('#status-body section', { has: page.locator('h2', { hasText: /^Peers$/ }) });
      const row = peersTable.locator('tr', { hasText: 'Absent Member NGO' });
      check(await row.count() === 1, `the configured peer is not listed by name: ${text.slice(0, 600)}`);
      check(/down/.test(await row.innerText()), `the absent peer is not shown down: ${await row.innerText()}`);
      check(!text.includes('127.0.0.1'), 'the public status page shows an address');
      await page.screenshot({ path: path.join(shots, 'desktop-status.png'), fullPage: true });
    });

    await step('#/members says plainly that a node of no federation has none', async () => {
      expectedFailures += 1;  // GET /api/federation answers 404
      await goto(page, base, '#/members');
      await page.waitForSelector('#members-body .no-federation');
      const text = await page.locator('#members-body').innerText();
      check(/belongs to no federation/.test(text), `the view says: ${text}`);
      await checkViewText(page);
    });

    await step('#/members shows the federation: members, threshold, pending and applied changes (1280 px)', async () => {
      await goto(page, fedBase, '#/members');
      const arabic = await checkMembersView(page, fed);
      console.log(`     Arabic name: direction ${arabic.direction}, first letter x ${arabic.first.toFixed(1)} > last ${arabic.last.toFixed(1)}`);
      await page.screenshot({ path: path.join(shots, 'desktop-members.png'), fullPage: true });
      // Reached from the navigation too, not only by its address.
      await goto(page, fedBase, '#/');
      await page.click('[data-nav="members"]');
      await page.waitForSelector('#members-body #pending-list');
      check(page.url().endsWith('#/members'), `the Members link leads to ${page.url()}`);
    });

    await step('#/members at 390 px: the same, no sideways scrolling', async () => {
      const phone = await launch(path.join(profile, 'phone-members'), {
        viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
      });
      try {
        const p = phone.pages()[0] || await phone.newPage();
        p.on('console', (m) => {
          if (m.type() === 'error') consoleErrors.push('phone: ' + m.text());
        });
        p.on('pageerror', (e) => consoleErrors.push('phone uncaught: ' + e.message));
        await goto(p, fedBase, '#/members');
        await checkMembersView(p, fed);
        await p.screenshot({ path: path.join(shots, 'phone-members.png'), fullPage: true });
      } finally {
        await phone.close();
      }
    });

    await step('an alert of a federation member shows the organisation\'s name from the roster', async () => {
      await goto(page, fedBase, '#/alert/' + fed.arabicAlert);
      await page.waitForSelector('#alert-text h1');
      check(await page.locator('#alert-text h1').innerText() === fed.arabicAlertTitle, 'the member\'s alert is not shown');
      const by = await page.evaluate(() => {
        const dt = [...document.querySelectorAll('#view .facts dt')].find((d) => d.textContent === 'Published by');
        return dt ? dt.nextElementSibling.innerText : null;
      });
      check(by !== null && by.includes(federation.ARABIC_NAME), `"Published by" reads ${JSON.stringify(by)}, not the roster name`);
      await checkViewText(page);
    });

    await step('a wrong token is refused at "Continue", before the form', async () => {
      await goto(page, base, '#/publish');
      await page.fill('#admin-token', 'not-the-token');
      expectedFailures += 1;
      await page.press('#admin-token', 'Enter');
      await page.waitForSelector('#login-error p');
      const message = await page.locator('#login-error').innerText();
      check(/token was refused/.test(message), `no refusal shown at once: ${message}`);
      check(await page.locator('#login-error').getAttribute('role') === 'alert', 'the refusal is not in an alert region');
      check(await page.locator('#publish-form').count() === 0, 'the publish form opened with a wrong token');
      check(await page.evaluate(() => sessionStorage.getItem('ifex-admin-token')) === null, 'a refused token was kept');
      check(page.url().endsWith('#/publish'), 'the page left the login');
    });

    await step('publishing with a token refused at submit shows the server\'s error, stores nothing', async () => {
      // A token that was right at "Continue" and has since been replaced on the node.
      await page.evaluate(() => sessionStorage.setItem('ifex-admin-token', 'not-the-token'));
      await page.reload({ waitUntil: 'domcontentloaded' });  // same URL: goto would not re-render
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

    await step('the publish form offers exactly the node\'s categories, in its order', async () => {
      const offered = await page.$$eval('#publish-form input[name=categories]', (boxes) =>
        boxes.map((b) => [b.value, document.querySelector(`label[for="${b.id}"]`).textContent]));
      check(sameCategories(offered), `the publish form offers ${JSON.stringify(offered)}`);
    });

    await step('publishing through the form with the token, then seeing it on #/', async () => {
      await fillPublishForm(page, PUBLISHED_TITLE);
      await page.screenshot({ path: path.join(shots, 'desktop-publish.png'), fullPage: true });
      await page.click('#publish-submit');
      await page.waitForFunction(() => /^#\/alert\/[0-9a-f]{64}$/.test(location.hash));
      await page.waitForSelector('#alert-text h1');
      check(await page.locator('#alert-text h1').innerText() === PUBLISHED_TITLE, 'the new alert is not shown');
      await checkViewText(page);
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

    // ---- the interface in each language (issue 18) ----

    // The catalogues the node embeds; the page must show their words, not English or raw keys.
    const catalogues = Object.fromEntries(UI_LANGUAGES.map((l) =>
      [l.lang, JSON.parse(fs.readFileSync(path.join(REPO, 'node', 'web', 'i18n', l.lang + '.json'), 'utf8'))]));
    // A context whose console errors and requests elsewhere are counted like the main one's.
    const openContext = async (name, options) => {
      const ctx = await launch(path.join(profile, name), options);
      await ctx.route((url) => !url.href.startsWith(base + '/') && !url.href.startsWith(fedBase + '/'), (r) => {
        foreign.push(r.request().url());
        return r.abort();
      });
      const p = ctx.pages()[0] || await ctx.newPage();
      p.on('console', (m) => {
        if (m.type() === 'error') consoleErrors.push(`${name}: ${m.text()}`);
      });
      p.on('pageerror', (e) => consoleErrors.push(`${name} uncaught: ${e.message}`));
      return { ctx, p };
    };

    for (const ui of UI_LANGUAGES) {
      await step(`the interface in ${ui.lang} (browser locale ${ui.locale}): root lang/dir, its own words, ${ui.digits} digits`, async () => {
        const { ctx, p } = await openContext('ui-' + ui.locale, { viewport: { width: 1280, height: 900 }, locale: ui.locale });
        try {
          const cat = catalogues[ui.lang];
          await goto(p, base, '#/');
          await waitForList(p, 'alert-list');
          const root = await p.evaluate(() => ({ lang: document.documentElement.lang, dir: document.documentElement.dir, search: location.search }));
          check(root.lang === ui.lang && root.dir === ui.dir, `the root is lang=${root.lang} dir=${root.dir}`);
          check(new URLSearchParams(root.search).get('ui') === ui.lang, `the address does not carry the language: ${root.search}`);
          check(await p.inputValue('#ui-lang') === ui.lang, 'the language chooser does not show the language in use');
          await checkUiWords(p, cat, catalogues.en, ui.lang, [
            ['[data-nav="home"]', 'nav.latest'], ['[data-nav="status"]', 'nav.status'], ['[data-nav="members"]', 'nav.members'],
            ['[data-nav="publish"]', 'nav.publish'], ['#search-form button', 'search.button'], ['#view h1', 'list.heading'],
            ['label[for="filter-country"]', 'filters.country'], ['.filters button[type=submit]', 'filters.apply'],
            ['.site-footer a', 'footer.feed'], ['label[for="ui-lang"]', 'ui_lang.label'],
          ]);
          check(await p.getAttribute('#search-q', 'placeholder') === cat['search.label'], 'the search box placeholder is not translated');
          check(await p.title() === cat['site.title_of'].replace('{view}', cat['list.heading']), `the title is "${await p.title()}"`);
          const status = await p.locator('.list-status').innerText();
          if (ui.lang !== 'en') check(!/alerts? shown/.test(status), `the list status is English: ${status}`);
          // Dates by Intl in the reader's locale; the machine-readable date stays in datetime.
          const times = await p.locator('#alert-list time').evaluateAll((ts) => ts.slice(0, 5).map((t) => [t.getAttribute('datetime'), t.textContent]));
          check(times.length > 0, 'no dates in the list');
          for (const [iso, shown] of times) {
            check(/^\d{4}-\d{2}-\d{2}$/.test(iso), `a datetime attribute reads ${iso}`);
            check(shown !== iso, `the date ${iso} is not formatted for ${ui.locale}`);
            const arabicIndic = /[\u0660-\u0669]/.test(shown);
            const western = /[0-9]/.test(shown);
            check(ui.digits === 'arab' ? arabicIndic && !western : western && !arabicIndic, `the date ${iso} reads "${shown}" in ${ui.locale}`);
          }
          await checkNoRawKeys(p, cat);
          // Mirrored as a whole: the brand is at the inline start of the header (right in Arabic).
          const boxes = await p.evaluate(() => ({
            brand: document.querySelector('.brand').getBoundingClientRect().left,
            search: document.querySelector('.search-form').getBoundingClientRect().left,
          }));
          check(ui.dir === 'rtl' ? boxes.brand > boxes.search : boxes.brand < boxes.search,
            `the header is not laid out ${ui.dir}: brand x ${boxes.brand}, search x ${boxes.search}`);
          check(await noHorizontalOverflow(p), `#/ scrolls sideways in ${ui.lang}`);
          if (ui.screenshot) await p.screenshot({ path: path.join(shots, `desktop-ui-${ui.lang}-home.png`), fullPage: true });

          // An alert: the interface's words around it, the text in its own language and direction.
          await goto(p, base, '?ui=' + ui.lang + '#/alert/' + ids.en);
          await p.waitForSelector('#alert-text h1');
          const article = await p.evaluate(() => {
            const a = document.getElementById('alert-text');
            return { lang: a.getAttribute('lang'), dir: a.getAttribute('dir'), direction: getComputedStyle(a).direction };
          });
          check(article.lang === 'en' && article.dir === 'ltr' && article.direction === 'ltr',
            `the English alert's text is not lang=en dir=ltr inside the ${ui.lang} page: ${JSON.stringify(article)}`);
          const terms = await p.locator('#view .facts dt').allTextContents();
          for (const key of ['alert.date', 'alert.country', 'alert.categories', 'alert.languages', 'alert.published_by']) {
            check(terms.includes(cat[key]), `the alert's facts lack "${cat[key]}" (${key}): ${JSON.stringify(terms)}`);
          }
          check(await p.locator('#view .technical summary').innerText() === cat['alert.signature_details'], 'the signature details are not translated');
          const country = await p.locator('#view .facts a[href^="#/?country="]').innerText();
          // The name Intl gives in the interface language (the page once always asked for English).
          const countryName = await p.evaluate((l) => new Intl.DisplayNames([l], { type: 'region' }).of('TN'), ui.lang);
          check(country.includes(countryName), `the country reads "${country}", not the ${ui.lang} name "${countryName}"`);
          await checkViewText(p);
          await checkNoRawKeys(p, cat);
          if (ui.screenshot) await p.screenshot({ path: path.join(shots, `desktop-ui-${ui.lang}-alert.png`), fullPage: true });
        } finally {
          await ctx.close();
        }
      });
    }

    await step('the Arabic interface at 390 px: right to left, no sideways scrolling', async () => {
      const { ctx, p } = await openContext('ui-ar-phone', {
        viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'ar-EG',
      });
      try {
        await goto(p, base, '#/');
        await waitForList(p, 'alert-list');
        check(await p.evaluate(() => document.documentElement.dir) === 'rtl', 'the Arabic page is not dir=rtl');
        check(await noHorizontalOverflow(p), 'the Arabic #/ scrolls sideways at 390 px');
        await p.screenshot({ path: path.join(shots, 'phone-ui-ar-home.png'), fullPage: true });
        await goto(p, base, '#/status');
        await p.waitForSelector('#status-body dl');
        check(await noHorizontalOverflow(p), 'the Arabic status scrolls sideways at 390 px');
        await checkNoRawKeys(p, catalogues.ar);
      } finally {
        await ctx.close();
      }
    });

    await step('the language chosen on the page stays after a reload, in the address and on this browser', async () => {
      const { ctx, p } = await openContext('ui-switch', { viewport: { width: 1280, height: 900 }, locale: 'en-US' });
      try {
        await goto(p, base, '#/search?q=' + encodeURIComponent(EN_WORD));
        await waitForList(p, 'search-results');
        check(await p.evaluate(() => document.documentElement.lang) === 'en', 'an en-US browser did not get English');
        await p.focus('#ui-lang');
        await p.selectOption('#ui-lang', 'fr');
        await p.waitForFunction(() => document.documentElement.lang === 'fr');
        await waitForList(p, 'search-results');
        check(await p.locator('#search-form button').innerText() === catalogues.fr['search.button'], 'the header was not redrawn in French');
        check((await p.locator('#view h1').innerText()).startsWith(catalogues.fr['search.heading']), 'the view was not redrawn in French');
        check(await p.evaluate(() => document.activeElement && document.activeElement.id) === 'ui-lang', 'focus left the language chooser');
        const url = new URL(p.url());
        check(url.searchParams.get('ui') === 'fr' && url.hash.startsWith('#/search?q='), `the address is ${p.url()}`);
        check(await p.evaluate(() => localStorage.getItem('ifex-ui-lang')) === 'fr', 'the choice is not remembered');
        await p.reload({ waitUntil: 'domcontentloaded' });
        await waitForList(p, 'search-results');
        check(await p.evaluate(() => document.documentElement.lang) === 'fr', 'the reload lost the language');
        // Without ?ui= in the address, the remembered choice beats the browser's English.
        await goto(p, base, '#/status');
        await p.waitForSelector('#status-body dl');
        check(await p.evaluate(() => document.documentElement.lang) === 'fr', 'the remembered choice was not used');
        check(await p.locator('#view h1').innerText() === catalogues.fr['status.heading'], 'the status view is not in French');
        await checkNoRawKeys(p, catalogues.fr);
        // The shared link (Arabic, a search) opens in a browser that never chose: Arabic, rtl.
        const shared = base + '/?ui=ar#/search?q=' + encodeURIComponent(AR_WORD);
        const other = await openContext('ui-shared', { viewport: { width: 1280, height: 900 }, locale: 'es-ES' });
        try {
          await other.p.goto(shared, { waitUntil: 'domcontentloaded' });
          await waitForList(other.p, 'search-results');
          const root = await other.p.evaluate(() => [document.documentElement.lang, document.documentElement.dir]);
          check(root[0] === 'ar' && root[1] === 'rtl', `the shared link opened as ${root}`);
          check(await other.p.locator(`#search-results a[href^="#/alert/${ids.ar}"]`).count() === 1, 'the shared search does not show its result');
          check(await other.p.evaluate(() => localStorage.length) === 0, 'opening a link stored a choice');
          await other.p.screenshot({ path: path.join(shots, 'desktop-ui-ar-shared-search.png'), fullPage: true });
        } finally {
          await other.ctx.close();
        }
      } finally {
        await ctx.close();
      }
    });

    // ---- the archive as readers use it (issue 18): reader_checks.mjs ----
    await runReaderChecks({
      step, check, page, base, fedBase, fed, federation, token, catalogues, openContext, getJson, goto, waitFor, shots,
      waitForList, checkViewText, unlabelledControls, noHorizontalOverflow, checkNoRawKeys, fillPublishForm,
      expectFailure: () => { expectedFailures += 1; },
    });

    await step('no console errors and no request leaves the node', async () => {
      // Each provoked failure logs one "Failed to load resource" line.
      const unexpected = [...consoleErrors];
      for (let i = 0; i < expectedFailures; i++) {
        const at = unexpected.findIndex((t) => /Failed to load resource.*(401|400|404)/.test(t));
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
    if (fedNode) {
      const status = await fedNode.stop();
      console.log(`federation node stopped (${JSON.stringify(status)}); its log is ${path.join(tmp, 'federation-node.log')}`);
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
    fs.rmSync(absentData, { recursive: true, force: true });
    fs.rmSync(fedDir, { recursive: true, force: true });
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
