// The page's interface language (docs/http-api.md, "Languages of the page"): which one, its
// catalogue (/i18n/LANG.json, embedded like the page), and the words, numbers and dates in it.
// Loaded before app.js, which waits for `ifexI18n.ready` before drawing anything.
'use strict';

window.ifexI18n = (() => {
  // The interface languages, each named in itself; a catalogue per code in node/web/i18n/.
  const LANGUAGES = [['en', 'English'], ['fr', 'Français'], ['es', 'Español'], ['ar', 'العربية']];
  const CODES = LANGUAGES.map(([code]) => code);
  const RTL = new Set(['ar']);
  const STORE_KEY = 'ifex-ui-lang';
  // In the query, not the fragment: it survives every in-page link, which only changes the
  // fragment, and the fragment's own `lang=` is the language of the alerts' texts.
  const URL_KEY = 'ui';

  let lang = 'en';
  let locale = 'en';
  let catalogue = {};
  let plurals = new Intl.PluralRules('en');
  let numbers = new Intl.NumberFormat('en');

  const known = (code) => (CODES.includes(code) ? code : null);
  const baseOf = (tag) => String(tag || '').toLowerCase().split(/[-_]/)[0];

  function fromUrl() {
    return known(new URLSearchParams(location.search).get(URL_KEY));
  }

  function fromStorage() {
    try {
      return known(localStorage.getItem(STORE_KEY));
    } catch (e) {
      return null;
    }
  }

  // navigator.languages is the list the browser sends as Accept-Language, best first.
  function preferredTags() {
    const tags = Array.isArray(navigator.languages) && navigator.languages.length
      ? navigator.languages : [navigator.language];
    return tags.filter((t) => typeof t === 'string' && t);
  }

  function fromBrowser() {
    for (const tag of preferredTags()) {
      if (known(baseOf(tag))) return baseOf(tag);
    }
    return null;
  }

  // Numbers and dates follow the reader's own locale for that language when the browser names
  // one (ar-EG writes Arabic-Indic digits, ar-MA and ar-TN Western ones, as CLDR says), else the
  // bare language (CLDR's 'ar' writes Western digits).
  function formatLocaleFor(code) {
    for (const tag of preferredTags()) {
      if (baseOf(tag) !== code) continue;
      try {
        return Intl.getCanonicalLocales(tag)[0];
      } catch (e) {
        // A malformed tag: try the next one.
      }
    }
    return code;
  }

  async function fetchCatalogue(code) {
    const response = await fetch('/i18n/' + code + '.json', { headers: { Accept: 'application/json' } });
    if (!response.ok) throw new Error('catalogue ' + code + ': ' + response.status);
    return response.json();
  }

  // Keeps the language in the address (?ui=xx before the fragment), so that a copied link
  // opens in the same language.
  function putInUrl(code) {
    const url = new URL(location.href);
    if (url.searchParams.get(URL_KEY) === code) return;
    url.searchParams.set(URL_KEY, code);
    history.replaceState(history.state, '', url.pathname + url.search + url.hash);
  }

  async function use(code) {
    const messages = await fetchCatalogue(code);
    catalogue = messages;
    lang = code;
    locale = formatLocaleFor(code);
    plurals = new Intl.PluralRules(locale);
    numbers = new Intl.NumberFormat(locale);
    document.documentElement.setAttribute('lang', code);
    document.documentElement.setAttribute('dir', RTL.has(code) ? 'rtl' : 'ltr');
    putInUrl(code);
    translateStatic();
  }

  // The address wins (a shared link), then the reader's own choice on this browser, then the
  // browser's languages, then English.
  const ready = use(fromUrl() || fromStorage() || fromBrowser() || 'en').catch(() => use('en'));

  // A choice made on the page is remembered on this browser.
  async function choose(code) {
    if (!known(code)) return;
    await use(code);
    try {
      localStorage.setItem(STORE_KEY, code);
    } catch (e) {
      // Storage refused (a private window's settings): the choice lasts for this page.
    }
  }

  function fill(text, vars) {
    return String(text).replace(/\{(\w+)\}/g, (whole, name) =>
      (vars && name in vars ? format(vars[name]) : whole));
  }

  function format(value) {
    return typeof value === 'number' ? numbers.format(value) : String(value);
  }

  // A number in the interface's locale; options as Intl.NumberFormat takes them.
  function number(value, options) {
    return options ? new Intl.NumberFormat(locale, options).format(value) : format(value);
  }

  function message(key) {
    const m = catalogue[key];
    return m === undefined ? key : m;
  }

  // t('key', {name: value}): the message with {name} replaced (numbers formatted).
  function t(key, vars) {
    const m = message(key);
    return fill(typeof m === 'string' ? m : m.other, vars);
  }

  // tp('key', n, vars): the plural form for n (Intl.PluralRules: Arabic has six), {n} is n.
  function tp(key, n, vars) {
    const m = message(key);
    if (typeof m === 'string') return fill(m, { n, ...vars });
    const form = m[plurals.select(n)] !== undefined ? m[plurals.select(n)] : m.other;
    return fill(form, { n, ...vars });
  }

  // tn('key', {name: node}): the message as a list of strings and the given nodes, for text
  // that holds elements (a member's name isolated in <bdi>, a link).
  function tn(key, vars) {
    const m = message(key);
    const text = typeof m === 'string' ? m : m.other;
    const out = [];
    let last = 0;
    text.replace(/\{(\w+)\}/g, (whole, name, at) => {
      out.push(text.slice(last, at));
      out.push(vars && name in vars ? (typeof vars[name] === 'number' ? format(vars[name]) : vars[name]) : whole);
      last = at + whole.length;
      return whole;
    });
    out.push(text.slice(last));
    return out.filter((part) => part !== '');
  }

  // The page's fixed texts: data-i18n="key" sets the text, data-i18n-ATTR="key" an attribute.
  function translateStatic() {
    for (const node of document.querySelectorAll('*')) {
      for (const attr of [...node.attributes]) {
        if (attr.name === 'data-i18n') node.textContent = t(attr.value);
        else if (attr.name.startsWith('data-i18n-')) node.setAttribute(attr.name.slice('data-i18n-'.length), t(attr.value));
      }
    }
  }

  function formatDate(isoDay) {
    const d = new Date(String(isoDay) + 'T00:00:00Z');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(String(isoDay)) || Number.isNaN(d.getTime())) return String(isoDay || '');
    return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(d);
  }

  // Signing times in UTC, as the node states them, with the zone said.
  function formatTime(iso) {
    if (!iso) return '';
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return String(iso);
    return new Intl.DateTimeFormat(locale, {
      year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit',
      second: '2-digit', hourCycle: 'h23', timeZone: 'UTC', timeZoneName: 'short',
    }).format(d);
  }

  // "2 d 3 h" in the interface's own unit words.
  function formatDuration(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    const unit = (n, u) => new Intl.NumberFormat(locale, { style: 'unit', unit: u, unitDisplay: 'short' }).format(n);
    const d = Math.floor(s / 86400);
    const h = Math.floor((s % 86400) / 3600);
    const m = Math.floor((s % 3600) / 60);
    if (d) return unit(d, 'day') + ' ' + unit(h, 'hour');
    if (h) return unit(h, 'hour') + ' ' + unit(m, 'minute');
    if (m) return unit(m, 'minute') + ' ' + unit(s % 60, 'second');
    return unit(s, 'second');
  }

  function countryName(code) {
    try {
      const name = new Intl.DisplayNames([locale], { type: 'region' }).of(code);
      if (name && name !== code) return name;
    } catch (e) {
      // A code Intl does not know: shown as it is.
    }
    return code;
  }

  return {
    LANGUAGES,
    ready,
    choose,
    lang: () => lang,
    locale: () => locale,
    t, tp, tn,
    number,
    formatDate, formatTime, formatDuration, countryName,
  };
})();
