// The node's web page: one script, no framework, no build step, nothing loaded from elsewhere.
// Views are chosen by the URL fragment (docs/http-api.md, "The web page"). Every text that comes
// from an alert or a roster entry is put in the page with textContent; the one exception is a search result's
// snippet_html, which the server escapes and which is still rebuilt here from text and <mark>.
// Every interface text comes from the catalogue of the reader's language (i18n.js), by a key
// written out in full at each call, so that a test can check every key is in every catalogue.
'use strict';

(() => {
  const i18n = window.ifexI18n;
  const { t, tp, tn } = i18n;

  // The categories (slug, label) in presentation order, as the node serves them
  // (GET /api/categories): the page keeps no copy of the list the node publishes with.
  let CATEGORIES = [];
  let CATEGORY_LABEL = new Map();
  const MAX_CATEGORIES = 8;

  // The languages offered for filtering and publishing; others are displayed when received.
  const LANGUAGES = [
    ['en', 'English'],
    ['fr', 'Français'],
    ['es', 'Español'],
    ['ar', 'العربية'],
  ];
  const LANGUAGE_LABEL = new Map(LANGUAGES);
  const RTL_LANGUAGES = new Set(['ar', 'arc', 'ckb', 'dv', 'fa', 'he', 'ks', 'ps', 'sd', 'ug', 'ur', 'yi']);

  const TOKEN_KEY = 'ifex-admin-token';
  const PAGE_SIZE = 20;
  const FETCH_TIMEOUT_MS = 20000;
  const ID_PATTERN = /^[0-9a-f]{64}$/;

  const view = document.getElementById('view');
  const loading = document.getElementById('loading');
  const errors = document.getElementById('errors');
  const searchForm = document.getElementById('search-form');
  const searchInput = document.getElementById('search-q');

  // Bumped at each navigation: answers that arrive for an older view are dropped.
  let generation = 0;
  let firstRender = true;
  // Set when the view is redrawn in another interface language: focus stays on the chooser.
  let keepFocus = false;

  // ---- small DOM helpers ----

  // el('a', {href: '#/', class: 'x'}, 'text', child, ...): children are strings (text nodes),
  // nodes, or null/false (skipped). Attribute values are set with setAttribute, never parsed.
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (value === true) {
        node.setAttribute(key, '');
      } else {
        node.setAttribute(key, String(value));
      }
    }
    append(node, children);
    return node;
  }

  function append(node, children) {
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(typeof child === 'string' || typeof child === 'number' ? String(child) : child);
    }
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  // Text from an alert placed among UI text: isolated so that bidi controls or a right-to-left
  // script inside it cannot reorder what surrounds it.
  function bdi(text, lang) {
    return el('bdi', { lang: lang || null }, text);
  }

  function dirOf(lang) {
    return RTL_LANGUAGES.has(lang) ? 'rtl' : 'ltr';
  }

  function languageName(code) {
    if (LANGUAGE_LABEL.has(code)) return LANGUAGE_LABEL.get(code);
    try {
      const name = new Intl.DisplayNames([code], { type: 'language' }).of(code);
      if (name && name !== code) return name;
    } catch (e) {
      // An unknown code: shown as it is.
    }
    return code;
  }

  const countryName = i18n.countryName;
  const formatTime = i18n.formatTime;

  // The catalogue's name for a category, else the node's own (a category newer than the page).
  function categoryLabel(slug) {
    const key = 'category.' + slug;
    const label = i18n.t(key);  // keys built here are checked against the taxonomy's slugs
    return label !== key ? label : CATEGORY_LABEL.get(slug) || slug;
  }

  // "VIEW – IFEX alerts" in the interface language.
  function setTitle(viewName) {
    document.title = t('site.title_of', { view: viewName });
  }

  // Items (strings or nodes) with the interface language's list separator between them.
  function joined(items) {
    return items.map((item, i) => [i ? t('list.separator') : '', item]);
  }

  function setLoading(text) {
    loading.textContent = text || '';
  }

  function showError(message) {
    clear(errors);
    if (!message) return;
    errors.append(el('p', {}, message));
  }

  // A message inside the view too, so it stays where the reader looks.
  function errorBox(message) {
    return el('p', { class: 'error-box' }, message);
  }

  // ---- the API ----

  class ApiError extends Error {
    constructor(message, status) {
      super(message);
      this.status = status;
    }
  }

  // Fetches JSON from the node. Throws ApiError with the server's own sentence when it gave one
  // ({"error": "...", "status": N}), else a sentence saying what went wrong.
  async function api(path, options) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), FETCH_TIMEOUT_MS);
    let response;
    try {
      response = await fetch(path, {
        credentials: 'same-origin',
        headers: { Accept: 'application/json' },
        ...options,
        signal: controller.signal,
      });
    } catch (e) {
      const reason = e.name === 'AbortError' ? t('error.timeout', { s: FETCH_TIMEOUT_MS / 1000 }) : e.message;
      throw new ApiError(t('error.unreachable', { reason }), 0);
    } finally {
      clearTimeout(timer);
    }
    const text = await response.text();
    let body = null;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch (e) {
        if (response.ok)
          throw new ApiError(t('error.not_json'), response.status);
      }
    }
    if (!response.ok) {
      const message = body && typeof body.error === 'string' && body.error
        ? body.error
        : t('error.status', { status: String(response.status), text: response.statusText });
      throw new ApiError(message, response.status);
    }
    return body;
  }

  function query(params) {
    const q = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
      if (value !== null && value !== undefined && value !== '') q.set(key, value);
    }
    const s = q.toString();
    return s ? '?' + s : '';
  }

  // ---- routing ----

  function parseHash() {
    let hash = location.hash.replace(/^#/, '');
    if (hash === '') hash = '/';
    const q = hash.indexOf('?');
    const path = q < 0 ? hash : hash.slice(0, q);
    const params = new URLSearchParams(q < 0 ? '' : hash.slice(q + 1));
    return { path, params };
  }

  function route() {
    const { path, params } = parseHash();
    if (!path.startsWith('/')) return;  // an in-page anchor, not a view
    generation += 1;
    showError('');
    setLoading('');
    clear(view);
    searchInput.value = path === '/search' ? params.get('q') || '' : '';
    let section = null;
    let m;
    if (path === '/') {
      section = 'home';
      renderList(params);
    } else if (path === '/search') {
      renderSearch(params);
    } else if ((m = path.match(/^\/alert\/([^/]+)$/))) {
      renderAlert(decodeURIComponent(m[1]), params);
    } else if ((m = path.match(/^\/member\/([^/]+)$/))) {
      renderMember(decodeURIComponent(m[1]), params);
    } else if (path === '/status') {
      section = 'status';
      renderStatus();
    } else if (path === '/members') {
      section = 'members';
      renderMembers();
    } else if (path === '/publish') {
      section = 'publish';
      renderPublish();
    } else {
      setTitle(t('notfound.heading'));
      view.append(heading(t('notfound.heading')), el('p', {}, t('notfound.text'), ' ', el('a', { href: '#/' }, t('notfound.link'))));
    }
    for (const link of document.querySelectorAll('[data-nav]')) {
      if (link.dataset.nav === section)
        link.setAttribute('aria-current', 'page');
      else
        link.removeAttribute('aria-current');
    }
    // Moving focus to the new view's heading tells screen readers the page changed; not on the
    // first load, where the browser starts at the top anyway.
    if (!firstRender && !keepFocus) {
      const h1 = view.querySelector('h1');
      if (h1) h1.focus({ preventScroll: false });
    }
    firstRender = false;
    keepFocus = false;
  }

  function heading(text, attrs) {
    return el('h1', { tabindex: '-1', ...(attrs || {}) }, text);
  }

  // ---- alert summaries (list and search) ----

  function alertLink(id, lang) {
    return '#/alert/' + encodeURIComponent(id) + (lang ? '?lang=' + encodeURIComponent(lang) : '');
  }

  function metaLine(a) {
    const parts = [];
    // The organisation from the roster, isolated (a right-to-left name cannot reorder the line),
    // linked to its page; its fingerprint when the roster names it not.
    if (a.author || a.author_name) parts.push(memberLink(a.author, a.author_name, a.fingerprint));
    if (a.date) parts.push(el('time', { datetime: a.date }, i18n.formatDate(a.date)));
    if (a.country)
      parts.push(el('span', {class: 'country', title: countryName(a.country)}, a.country));
    for (const c of a.categories || []) {
      parts.push(el('a', { class: 'tag', href: '#/' + query({ category: c }) }, categoryLabel(c)));
    }
    if (Array.isArray(a.langs) && a.langs.length) {
      parts.push(el('span', { class: 'langs' },
        a.langs.map((l, i) => [i ? ' ' : '', el('span', { class: 'lang-code', lang: 'en', title: languageName(l) }, l)])));
    }
    return el('p', { class: 'meta' }, parts.map((p, i) => (i ? [' ', p] : p)));
  }

  function summaryCard(a, requestedLang, snippetHtml) {
    const lang = a.lang || null;
    return el('li', { class: 'card' },
      el('article', {},
        // dir="auto" on the heading (not the link): a right-to-left title aligns right, and its
        // text cannot reorder anything outside the heading.
        el('h2', { class: 'card-title', lang, dir: 'auto' },
          el('a', { href: alertLink(a.id, requestedLang || null) }, a.title || t('alert.untitled'))),
        metaLine(a),
        snippetHtml !== undefined
          ? el('p', { class: 'snippet', dir: 'auto' }, snippetNodes(snippetHtml))
          : a.summary ? el('p', { class: 'summary', lang, dir: 'auto' }, a.summary) : null));
  }

  // snippet_html is escaped text with <mark> around matches (docs/http-api.md). It is parsed in
  // an inert <template> and rebuilt from its text and <mark> elements only, so even a server bug
  // cannot put other markup, attributes or scripts into the page.
  function snippetNodes(html) {
    const template = document.createElement('template');
    template.innerHTML = String(html || '');
    const out = [];
    for (const node of template.content.childNodes) {
      if (node.nodeType === Node.ELEMENT_NODE && node.nodeName === 'MARK')
        out.push(el('mark', {}, node.textContent));
      else
        out.push(node.textContent);
    }
    return out;
  }

  // ---- filters, facets and totals (shared by #/, #/search and #/member/KEY) ----

  // The fragment's filter keys, in the order they are written into it (docs/http-api.md).
  const FILTER_KEYS = ['lang', 'country', 'category', 'author', 'from', 'to'];
  const SORTS = ['relevance', 'newest', 'oldest'];

  function filtersOf(params) {
    const out = {};
    for (const key of FILTER_KEYS) {
      const v = params.get(key);
      if (v) out[key] = v;
    }
    return out;
  }

  // A view's address: its path, what it keeps (q, sort), its filters with `changes` applied
  // (a null value removes that key). Every view is reachable by such a link, so a reader can
  // copy it and another reader opens the same view.
  function viewHref(basePath, keep, filters, changes) {
    return '#' + basePath + query({ ...keep, ...filters, ...(changes || {}) });
  }

  // The members this page can name: key -> {name, fingerprint}, filled from every answer that
  // names one (facets.author, summaries), so that a filter chip or a select reads a name.
  const knownAuthors = new Map();

  function noteAuthor(key, name, fingerprint) {
    if (typeof key !== 'string' || !key) return;
    const known = knownAuthors.get(key) || {};
    knownAuthors.set(key, {
      name: typeof name === 'string' && name ? name : known.name,
      fingerprint: typeof fingerprint === 'string' && fingerprint ? fingerprint : known.fingerprint,
    });
  }

  function shortKey(key) {
    const text = String(key || '');
    return text.length > 20 ? text.slice(0, 20) + '…' : text;
  }

  // A member as text for a select option or a chip: its name, else its fingerprint, else its key.
  function authorText(key) {
    const known = knownAuthors.get(key) || {};
    return known.name || known.fingerprint || shortKey(key);
  }

  function memberHref(key) {
    return '#/member/' + encodeURIComponent(key);
  }

  // Who published, linked to the member's page: the roster name isolated in <bdi dir="auto">,
  // else the fingerprint.
  function memberLink(key, name, fingerprint) {
    const label = name
      ? el('bdi', { dir: 'auto' }, name)
      : el('code', { class: 'fingerprint' }, fingerprint || shortKey(key));
    return key ? el('a', { class: 'author', href: memberHref(key), 'data-author': key }, label) : el('span', { class: 'author' }, label);
  }

  function yearOf(filters) {
    const m = /^(\d{4})-01-01$/.exec(filters.from || '');
    return m && filters.to === m[1] + '-12-31' ? m[1] : null;
  }

  function yearText(year) {
    return i18n.number(Number(year), { useGrouping: false });
  }

  // Each facet: its heading, how a value reads, and the filter a click on it sets.
  const FACETS = [
    { key: 'country', heading: () => t('facets.country'), label: (v) => countryName(v) + ' (' + v + ')' },
    { key: 'category', heading: () => t('facets.category'), label: (v) => categoryLabel(v) },
    { key: 'lang', heading: () => t('facets.language'), label: (v) => bdi(languageName(v), v) },
    { key: 'author', heading: () => t('facets.member'), label: (v, entry) => (entry && entry.name ? el('bdi', { dir: 'auto' }, entry.name) : authorText(v)) },
    { key: 'year', heading: () => t('facets.year'), label: (v) => yearText(v) },
  ];

  function facetFilter(key, value) {
    return key === 'year' ? { from: value + '-01-01', to: value + '-12-31' } : { [key]: value };
  }

  function facetActive(key, value, filters) {
    return key === 'year' ? yearOf(filters) === value : filters[key] === value;
  }

  // The counts beside the results: every value a link that adds its filter (or, when it is the
  // filter in use, takes it away). `fixed` keys (the member page's author) are not offered.
  function facetPanel(facets, basePath, keep, filters, fixed) {
    const panel = el('aside', { class: 'facets', id: 'facets', 'aria-labelledby': 'facets-h' },
      el('h2', { id: 'facets-h' }, t('facets.heading')));
    for (const facet of FACETS) {
      if (fixed && facet.key in fixed) continue;
      const entries = Array.isArray(facets && facets[facet.key]) ? facets[facet.key] : [];
      if (!entries.length) continue;
      const headingId = 'facet-' + facet.key + '-h';
      const items = entries.map((entry) => {
        const value = String(entry.value);
        const active = facetActive(facet.key, value, filters);
        const changes = active
          ? (facet.key === 'year' ? { from: null, to: null } : { [facet.key]: null })
          : facetFilter(facet.key, value);
        return el('li', {},
          el('a', {
            href: viewHref(basePath, keep, filters, changes), 'data-facet': facet.key, 'data-value': value,
            'data-count': String(entry.count), 'aria-current': active ? 'true' : null, class: active ? 'active' : null,
          },
          el('span', { class: 'facet-label' }, facet.label(value, entry)), ' ',
          el('span', { class: 'facet-count' }, i18n.number(Number(entry.count)))));
      });
      panel.append(el('section', { class: 'facet', 'aria-labelledby': headingId },
        el('h3', { id: headingId }, facet.heading()),
        el('ul', { class: 'facet-values', tabindex: entries.length > 10 ? '0' : null, 'aria-labelledby': headingId }, items)));
    }
    return panel;
  }

  // The filters in use, each removable by its own link.
  function activeFilters(basePath, keep, filters, fixed) {
    const chips = [];
    const year = yearOf(filters);
    const chip = (key, label, value, changes) => chips.push(el('li', {},
      el('a', {
        class: 'chip', href: viewHref(basePath, keep, filters, changes), 'data-filter': key,
        'aria-label': t('filters.remove', { filter: label + ': ' + (typeof value === 'string' ? value : value.textContent) }),
      }, label, ': ', value, el('span', { class: 'chip-x', 'aria-hidden': 'true' }, ' ×'))));
    if (filters.country) chip('country', t('filters.country'), countryName(filters.country), { country: null });
    if (filters.category) chip('category', t('filters.category'), categoryLabel(filters.category), { category: null });
    if (filters.lang) chip('lang', t('filters.language'), languageName(filters.lang), { lang: null });
    if (filters.author && !(fixed && fixed.author)) chip('author', t('filters.member'), authorText(filters.author), { author: null });
    if (year) {
      chip('year', t('facets.year'), yearText(year), { from: null, to: null });
    } else {
      if (filters.from) chip('from', t('filters.from'), i18n.formatDate(filters.from), { from: null });
      if (filters.to) chip('to', t('filters.to'), i18n.formatDate(filters.to), { to: null });
    }
    if (!chips.length) return null;
    return el('div', { class: 'active-filters', id: 'active-filters' },
      el('h2', { class: 'visually-hidden' }, t('filters.in_use')),
      el('ul', { class: 'chips' }, chips));
  }

  // "1,234 alerts"; when the node stopped counting (total_exact false), a listing's total is a
  // lower bound ("at least") and a search's is Xapian's estimate ("about").
  function totalText(page) {
    const total = Number(page.total);
    if (page.total_exact !== false) return tp('results.total', total);
    return tp(page.query !== undefined ? 'results.total_about' : 'results.total_at_least', total);
  }

  // The filter form; submitting it changes the fragment. `keep` is what the view keeps besides
  // the filters (q and sort for a search), `fixed` the filters the view sets itself.
  function filterForm(params, basePath, keep, fixed) {
    const country = el('input', {
      id: 'filter-country', name: 'country', maxlength: '2', size: '4', autocomplete: 'off',
      pattern: '[A-Za-z]{2}', placeholder: t('filters.country_example'), value: params.get('country') || '',
    });
    const category = el('select', { id: 'filter-category', name: 'category' },
      el('option', { value: '' }, t('filters.any_category')),
      CATEGORIES.map(([slug]) => el('option', { value: slug, selected: params.get('category') === slug }, categoryLabel(slug))));
    const lang = el('select', { id: 'filter-lang', name: 'lang' },
      el('option', { value: '' }, t('filters.any_language')),
      LANGUAGES.map(([code, label]) => el('option', { value: code, lang: code, selected: params.get('lang') === code }, label)));
    const withAuthor = !(fixed && fixed.author);
    const author = el('select', { id: 'filter-author', name: 'author' });
    // Filled again once an answer names the members (setAuthors); the one in use is kept.
    const setAuthors = (keys) => {
      const chosen = params.get('author') || '';
      const all = [...new Set([...keys, ...(chosen ? [chosen] : [])])]
        .sort((a, b) => authorText(a).localeCompare(authorText(b), i18n.locale()));
      author.replaceChildren(el('option', { value: '' }, t('filters.any_member')),
        ...all.map((key) => el('option', { value: key, selected: key === chosen, dir: 'auto' }, authorText(key))));
    };
    setAuthors([]);
    const from = el('input', { id: 'filter-from', name: 'from', type: 'date', value: params.get('from') || '' });
    const to = el('input', { id: 'filter-to', name: 'to', type: 'date', value: params.get('to') || '' });
    const form = el('form', { class: 'filters' },
      el('div', { class: 'field' }, el('label', { for: 'filter-country' }, t('filters.country')), country),
      el('div', { class: 'field' }, el('label', { for: 'filter-category' }, t('filters.category')), category),
      el('div', { class: 'field' }, el('label', { for: 'filter-lang' }, t('filters.language')), lang),
      withAuthor ? el('div', { class: 'field' }, el('label', { for: 'filter-author' }, t('filters.member')), author) : null,
      el('div', { class: 'field' }, el('label', { for: 'filter-from' }, t('filters.from')), from),
      el('div', { class: 'field' }, el('label', { for: 'filter-to' }, t('filters.to')), to),
      el('div', { class: 'field actions' },
        el('button', { type: 'submit' }, t('filters.apply')),
        el('a', { class: 'button secondary', href: viewHref(basePath, keep, {}, {}) }, t('filters.clear'))));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (!form.reportValidity()) return;
      location.hash = viewHref(basePath, keep, {}, {
        country: country.value.trim().toUpperCase(),
        category: category.value,
        lang: lang.value,
        author: withAuthor ? author.value : null,
        from: from.value,
        to: to.value,
      });
    });
    // Folded on narrow screens unless a filter is in use, so that the alerts come first.
    const active = FILTER_KEYS.filter((k) => params.get(k) && !(fixed && k in fixed)).length;
    const open = active > 0 || window.matchMedia('(min-width: 40rem)').matches;
    const box = el('details', { class: 'filters-box', open },
      el('summary', {}, active ? tp('filters.summary_active', active) : t('filters.summary')), form);
    return { box, setAuthors };
  }

  // The results beside their facets: on a wide screen the facets at the inline end, on a narrow
  // one below the results.
  function resultsLayout(main, aside) {
    return el('div', { class: 'results-layout' }, el('div', { class: 'results-main' }, main), aside);
  }

  // What the first page of an answer says about the members, for the select and the chips.
  function learnAuthors(page, rows) {
    const facetAuthors = page.facets && Array.isArray(page.facets.author) ? page.facets.author : [];
    for (const f of facetAuthors) noteAuthor(f.value, f.name, null);
    for (const r of rows) noteAuthor(r.author, r.author_name, r.fingerprint);
    return facetAuthors.map((f) => f.value);
  }

  // A "load more" button that runs `load` and stays usable after a failure.
  function moreButton(label, load) {
    const button = el('button', { type: 'button', class: 'more' }, label);
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        await load();
      } finally {
        button.disabled = false;
      }
    });
    return button;
  }

  // ---- #/ and #/member/KEY: alerts newest first ----

  // The listing of GET /api/alerts for the fragment's filters plus `fixed` (the member page's
  // author): "N alerts", the active filters, the cards with "Load more", and the facets.
  // `onFirstPage(page)` is told of the first answer (the member page takes its name from it).
  function alertListing(params, basePath, fixed, listId, onFirstPage) {
    const gen = generation;
    const filters = { ...filtersOf(params), ...(fixed || {}) };
    const { box, setAuthors } = filterForm(params, basePath, {}, fixed);
    const total = el('p', { class: 'result-total', id: 'result-total', role: 'status', 'aria-live': 'polite' });
    const list = el('ol', { class: 'cards', id: listId });
    const status = el('p', { class: 'list-status', role: 'status', 'aria-live': 'polite' });
    const more = el('div', { class: 'more-row' });
    const aside = el('div', { class: 'facets-slot' });
    const viewFilters = filtersOf(params);
    const parts = [box, activeFilters(basePath, {}, viewFilters, fixed), total,
      resultsLayout([list, status, more], aside)];

    let cursor = null;
    let first = true;
    const loadPage = async () => {
      setLoading(t('list.loading'));
      try {
        const page = await api('/api/alerts' + query({ ...filters, limit: PAGE_SIZE, cursor }));
        if (gen !== generation) return;
        const alerts = Array.isArray(page.alerts) ? page.alerts : [];
        if (first) {
          first = false;
          setAuthors(learnAuthors(page, alerts));
          if (typeof page.total === 'number') {
            total.textContent = totalText(page);
            total.dataset.total = String(page.total);
          }
          if (page.facets) aside.replaceChildren(facetPanel(page.facets, basePath, {}, viewFilters, fixed));
          if (onFirstPage) onFirstPage(page);
        } else {
          learnAuthors({}, alerts);
        }
        for (const a of alerts) list.append(summaryCard(a, filters.lang));
        cursor = page.next_cursor || null;
        clear(more);
        if (cursor) more.append(moreButton(t('list.more'), loadPage));
        const n = list.children.length;
        status.textContent = n === 0
          ? (Object.keys(viewFilters).length ? t('list.none_match') : t('list.none'))
          : cursor ? tp('list.shown_more', n) : tp('list.shown', n);
        showError('');
      } catch (e) {
        if (gen !== generation) return;
        showError(t('list.failed', { reason: e.message }));
        if (!list.children.length) status.replaceChildren(errorBox(t('list.failed', { reason: e.message })));
      } finally {
        if (gen === generation) setLoading('');
      }
    };
    loadPage();
    return parts;
  }

  function renderList(params) {
    setTitle(t('list.heading'));
    append(view, [heading(t('list.heading')), alertListing(params, '/', null, 'alert-list', null)]);
  }

  // A member's page: its name (from the answers that name it, else the node's status), its
  // fingerprint and key, how many alerts it published, and those alerts newest first.
  function renderMember(key, params) {
    const gen = generation;
    const basePath = '/member/' + encodeURIComponent(key);
    const title = heading(authorText(key), { dir: 'auto', id: 'member-name' });
    const facts = el('dl', { class: 'facts', id: 'member-facts' });
    setTitle(authorText(key));
    const show = (name, fingerprint, count) => {
      noteAuthor(key, name, fingerprint);
      const known = knownAuthors.get(key) || {};
      title.replaceChildren(known.name ? el('bdi', { dir: 'auto' }, known.name) : (known.fingerprint || shortKey(key)));
      setTitle(authorText(key));
      facts.replaceChildren(
        el('dt', {}, t('member.fingerprint')), el('dd', {}, el('code', { class: 'fingerprint', id: 'member-fingerprint' }, known.fingerprint || '—')),
        el('dt', {}, t('member.key')), el('dd', {}, el('code', { id: 'member-key' }, key)),
        el('dt', {}, t('member.published')), el('dd', { id: 'member-count' }, count));
    };
    show(null, null, '…');
    const listing = alertListing(params, basePath, { author: key }, 'member-alerts', (page) => {
      const alerts = Array.isArray(page.alerts) ? page.alerts : [];
      const facet = ((page.facets && page.facets.author) || []).find((f) => f.value === key);
      const count = typeof page.total === 'number' ? totalText(page) : '—';
      const name = (facet && facet.name) || (alerts[0] && alerts[0].author_name) || null;
      const fingerprint = alerts[0] ? alerts[0].fingerprint : null;
      show(name, fingerprint, count);
      if (name && fingerprint) return;
      // A member without alerts here yet: the node's status names its roster's members.
      api('/api/status').then((s) => {
        if (gen !== generation) return;
        const people = [s.node || {}, ...(Array.isArray(s.members) ? s.members : [])];
        const m = people.find((p) => p.key === key);
        if (m) show(m.name, m.fingerprint, count);
      }, () => {});
    });
    append(view, [title, facts, el('h2', { class: 'member-alerts-h' }, t('member.alerts')), listing]);
  }

  // ---- #/search?q=... ----

  function renderSearch(params) {
    const gen = generation;
    const q = (params.get('q') || '').trim();
    const sort = SORTS.includes(params.get('sort')) ? params.get('sort') : 'relevance';
    const filters = filtersOf(params);
    const keep = { q, sort: sort === 'relevance' ? null : sort };
    setTitle(q ? t('search.title_q', { q }) : t('search.heading'));
    const title = heading(q ? tn('search.heading_q', { q: bdi(q) }) : t('search.heading'));
    const list = el('ol', { class: 'cards', id: 'search-results' });
    const status = el('p', { class: 'list-status', role: 'status', 'aria-live': 'polite' });
    const total = el('p', { class: 'result-total', id: 'result-total', role: 'status', 'aria-live': 'polite' });
    const more = el('div', { class: 'more-row' });
    const aside = el('div', { class: 'facets-slot' });
    const sortSelect = el('select', { id: 'search-sort', name: 'sort' },
      el('option', { value: 'relevance', selected: sort === 'relevance' }, t('search.sort_relevance')),
      el('option', { value: 'newest', selected: sort === 'newest' }, t('search.sort_newest')),
      el('option', { value: 'oldest', selected: sort === 'oldest' }, t('search.sort_oldest')));
    sortSelect.addEventListener('change', () => {
      location.hash = viewHref('/search', { q, sort: sortSelect.value === 'relevance' ? null : sortSelect.value }, filters, {});
    });
    const { box, setAuthors } = filterForm(params, '/search', keep, null);
    // append() skips the filters in use when there are none; the DOM's append would show "null".
    append(view, [title, box, activeFilters('/search', keep, filters, null),
      el('div', { class: 'results-bar' }, total,
        q ? el('div', { class: 'field sort-field' }, el('label', { for: 'search-sort' }, t('search.sort')), sortSelect) : null),
      resultsLayout([list, status, more], aside)]);
    if (!q) {
      status.textContent = t('search.hint');
      searchInput.focus();
      return;
    }

    let offset = 0;
    let first = true;
    const loadPage = async () => {
      setLoading(t('search.loading'));
      try {
        const page = await api('/api/search' + query({ q, ...filters, sort: keep.sort, limit: PAGE_SIZE, offset: offset || null }));
        if (gen !== generation) return;
        const results = Array.isArray(page.results) ? page.results : [];
        if (first) {
          first = false;
          setAuthors(learnAuthors(page, results));
          if (typeof page.total === 'number') {
            total.textContent = totalText(page);
            total.dataset.total = String(page.total);
          }
          if (page.facets) aside.replaceChildren(facetPanel(page.facets, '/search', keep, filters, null));
        } else {
          learnAuthors({}, results);
        }
        for (const r of results) list.append(summaryCard(r, filters.lang, r.snippet_html || ''));
        offset = typeof page.next_offset === 'number' ? page.next_offset : null;
        clear(more);
        if (offset !== null) more.append(moreButton(t('search.more'), loadPage));
        const n = list.children.length;
        if (n === 0) {
          status.textContent = t('search.none');
        } else {
          const count = typeof page.total === 'number' ? page.total : typeof page.total_estimate === 'number' ? page.total_estimate : n;
          status.textContent = typeof page.took_ms === 'number'
            ? tp('search.showing_took', count, { shown: n, ms: i18n.number(page.took_ms, { minimumFractionDigits: 1, maximumFractionDigits: 1 }) })
            : tp('search.showing', count, { shown: n });
        }
        showError('');
      } catch (e) {
        if (gen !== generation) return;
        showError(t('search.failed', { reason: e.message }));
        if (!list.children.length) status.replaceChildren(errorBox(t('search.failed', { reason: e.message })));
      } finally {
        if (gen === generation) setLoading('');
      }
    };
    loadPage();
  }

  // ---- #/alert/ID ----

  function textsOf(alert) {
    const texts = [{ lang: alert.lang, title: alert.title, summary: alert.summary, body: alert.body, original: true }];
    const translations = alert.translations || {};
    if (Array.isArray(translations)) {
      for (const t of translations) texts.push({ ...t, original: false });
    } else {
      for (const [lang, t] of Object.entries(translations))
        texts.push({lang, ...t, original: false});
    }
    return texts;
  }

  function bodyParagraphs(body) {
    return String(body || '').split(/\n\s*\n/).filter((p) => p.trim() !== '').map((p) => el('p', {}, p));
  }

  function renderAlert(id, params) {
    const gen = generation;
    setTitle(t('alert.heading'));
    if (!ID_PATTERN.test(id)) {
      view.append(heading(t('alert.not_found')), errorBox(t('alert.bad_id', { id })));
      return;
    }
    setLoading(t('alert.loading'));
    api('/api/alerts/' + id).then((entry) => {
      if (gen !== generation) return;
      setLoading('');
      const alert = entry.alert || entry;
      const texts = textsOf(alert);
      const wanted = params.get('lang');

      const article = el('article', { class: 'alert-text', id: 'alert-text' });
      const switcher = el('div', { class: 'lang-switcher', role: 'group', 'aria-label': t('alert.text_language') });
      const buttons = texts.map((text) => {
        const b = el('button', { type: 'button', 'data-lang': text.lang },
          bdi(languageName(text.lang), text.lang), text.original ? el('span', { class: 'original-mark' }, t('alert.original')) : null);
        b.addEventListener('click', () => show(text, true));
        return b;
      });
      append(switcher, buttons);

      const show = (text, byUser) => {
        article.setAttribute('lang', text.lang);
        article.setAttribute('dir', dirOf(text.lang));
        // append() skips null; the DOM's own append/replaceChildren would show it as "null".
        clear(article);
        append(article, [
          el('h1', { tabindex: '-1', dir: 'auto', id: 'alert-title' }, text.title || t('alert.untitled')),
          text.summary ? el('p', { class: 'lead', dir: 'auto' }, text.summary) : null,
          el('div', { class: 'body', dir: 'auto' }, bodyParagraphs(text.body))]);
        for (const b of buttons) b.setAttribute('aria-pressed', String(b.dataset.lang === text.lang));
        setTitle(text.title || t('alert.heading'));
        if (byUser) {
          history.replaceState(null, '', '#/alert/' + id + (text.lang === texts[0].lang ? '' : '?lang=' + encodeURIComponent(text.lang)));
        }
      };
      show(texts.find((text) => text.lang === wanted) || texts[0], false);

      const facts = el('dl', { class: 'facts' });
      const fact = (label, ...value) => facts.append(el('dt', {}, label), el('dd', {}, value));
      fact(t('alert.date'), el('time', { datetime: entry.date || alert.event_date || '' }, i18n.formatDate(entry.date || alert.event_date || '')));
      if (alert.country || entry.country) {
        const c = alert.country || entry.country;
        fact(t('alert.country'), el('a', { href: '#/' + query({ country: c }) }, countryName(c) + ' (' + c + ')'));
      }
      const cats = alert.categories || entry.categories || [];
      fact(t('alert.categories'), cats.map((c, i) => [i ? ' ' : '', el('a', { class: 'tag', href: '#/' + query({ category: c }) }, categoryLabel(c))]));
      fact(t('alert.languages'), joined(texts.map((text) => bdi(languageName(text.lang), text.lang))));
      const author = entry.author_name ? [memberLink(entry.author, entry.author_name, null), ' '] : [];
      fact(t('alert.published_by'), author, entry.author_name
        ? el('code', { class: 'fingerprint' }, entry.fingerprint || entry.author || '')
        : memberLink(entry.author, null, entry.fingerprint));
      if (entry.created_at) fact(t('alert.signed'), el('time', { datetime: entry.created_at }, formatTime(entry.created_at)));
      if (Array.isArray(alert.tags) && alert.tags.length) fact(t('alert.tags'), joined(alert.tags.map((tag) => bdi(tag))));
      if (alert.legacy_id) fact(t('alert.legacy_id'), bdi(alert.legacy_id));

      const sources = Array.isArray(alert.sources) ? alert.sources : [];
      const sourceList = sources.length
        ? el('section', { class: 'sources', 'aria-labelledby': 'sources-h' },
          el('h2', { id: 'sources-h' }, t('alert.sources')),
          el('ul', {}, sources.map((url) => el('li', {}, sourceLink(url)))))
        : null;

      const technical = el('details', { class: 'technical' },
        el('summary', {}, t('alert.signature_details')),
        el('dl', { class: 'facts' },
          el('dt', {}, t('alert.entry_id')), el('dd', {}, el('code', {}, entry.id || id)),
          el('dt', {}, t('alert.author_key')), el('dd', {}, el('code', {}, entry.author || '')),
          el('dt', {}, t('alert.sequence')), el('dd', {}, String(entry.seq ?? '')),
          el('dt', {}, t('alert.previous')), el('dd', {}, el('code', {}, entry.prev || '')),
          el('dt', {}, t('alert.signature')), el('dd', {}, el('code', {}, entry.signature || ''))));

      append(view, [texts.length > 1 ? switcher : null, article, facts, sourceList, technical]);
      // The heading arrives after route() moved focus; move it again, except on the first load.
      if (gen !== 1) article.querySelector('h1').focus();
    }).catch((e) => {
      if (gen !== generation) return;
      setLoading('');
      const message = e.status === 404 ? t('alert.not_here') : t('alert.failed', { reason: e.message });
      showError(message);
      view.append(heading(e.status === 404 ? t('alert.not_found') : t('alert.heading')), errorBox(message));
    });
  }

  // Only http(s) addresses become links; anything else is shown as text.
  function sourceLink(url) {
    let parsed = null;
    try {
      parsed = new URL(url);
    } catch (e) {
      parsed = null;
    }
    if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:'))
      return bdi(String(url));
    return el('a', { href: parsed.href, rel: 'noopener noreferrer nofollow', target: '_blank', dir: 'ltr' },
      String(url));
  }

  // ---- #/status ----

  function table(caption, headers, rows, emptyText) {
    if (!rows.length) return el('section', {}, el('h2', {}, caption), el('p', {}, emptyText));
    return el('section', {},
      el('h2', {}, caption),
      el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': caption },
        el('table', {},
          el('thead', {}, el('tr', {}, headers.map((h) => el('th', { scope: 'col' }, h)))),
          el('tbody', {}, rows.map((cells) => el('tr', {}, cells.map((c) => el('td', {}, c))))))));
  }

  function renderStatus() {
    const gen = generation;
    setTitle(t('status.heading'));
    const body = el('div', { id: 'status-body' });
    const refresh = el('button', { type: 'button', class: 'secondary' }, t('common.refresh'));
    refresh.addEventListener('click', () => load());
    view.append(heading(t('status.heading')), refresh, body);

    const load = async () => {
      setLoading(t('status.loading'));
      refresh.disabled = true;
      try {
        // With the admin token (kept for publishing) the node also shows addresses and errors.
        const token = storedToken();
        const s = await api('/api/status', token ? { headers: { Accept: 'application/json', Authorization: 'Bearer ' + token } } : undefined);
        if (gen !== generation) return;
        const node = s.node || {};
        const facts = el('dl', { class: 'facts' });
        const fact = (label, value) => facts.append(el('dt', {}, label), el('dd', {}, value));
        fact(t('status.name'), bdi(node.name || ''));
        fact(t('status.role'), node.role || '');
        fact(t('status.fingerprint'), el('code', { class: 'fingerprint' }, node.fingerprint || ''));
        fact(t('status.key'), el('code', {}, node.key || ''));
        if (node.version) fact(t('status.version'), node.version);
        if (typeof s.uptime_s === 'number') fact(t('status.up_for'), i18n.formatDuration(s.uptime_s));
        if (typeof s.entries === 'number') fact(t('status.entries'), i18n.number(s.entries));
        if (typeof s.indexed === 'number') fact(t('status.indexed'), i18n.number(s.indexed));
        if (typeof s.authors === 'number') fact(t('status.authors'), i18n.number(s.authors));

        const peers = Array.isArray(s.peers) ? s.peers : [];
        const members = Array.isArray(s.members) ? s.members : [];
        // Addresses and errors come only with the admin token (a public hub hides them).
        const detailed = peers.some((p) => 'urls' in p || 'last_error' in p);
        const refused = s.refused_authors || {};
        const refusedRows = (Array.isArray(refused.authors) ? refused.authors : [])
          .map((a) => [el('code', {}, a.fingerprint || ''), i18n.number(a.entries_offered ?? 0), i18n.number(a.entries_refused ?? 0)]);
        const other = refused.other || {};
        if (other.entries_offered || other.entries_refused) {
          refusedRows.push([t('status.other_authors'), i18n.number(other.entries_offered ?? 0), i18n.number(other.entries_refused ?? 0)]);
        }
        body.replaceChildren(
          el('section', {}, el('h2', {}, t('status.this_node')), facts),
          table(t('status.peers'), [t('status.name'), t('status.fingerprint'), t('status.state'), t('status.last_seen')]
            .concat(detailed ? [t('status.addresses'), t('status.last_error')] : []),
            peers.map((p) => [
              bdi(p.name || ''),
              el('code', {}, p.fingerprint || ''),
              p.connected
                ? el('span', { class: 'ok' }, p.since ? t('status.up_since', { time: formatTime(p.since) }) : t('status.up'))
                : el('span', { class: 'bad' }, p.down_since ? t('status.down_since', { time: formatTime(p.down_since) }) : t('status.down')),
              p.last_seen ? formatTime(p.last_seen) : t('status.never'),
            ].concat(detailed ? [
              (p.urls || []).map((u, i) => [i ? el('br') : null, el('code', {}, u)]),
              p.last_error ? bdi(p.last_error) : '—',
            ] : [])), t('status.no_peers')),
          table(t('status.refused'), [t('status.fingerprint'), t('status.entries_offered'), t('status.entries_refused')],
            refusedRows, t('status.none_refused')),
          table(t('status.members'), [t('status.name'), t('status.fingerprint'), t('status.head_seq'), t('status.frozen')],
            members.map((m) => [
              bdi(m.name || ''),
              el('code', {}, m.fingerprint || ''),
              String(m.head_seq ?? ''),
              m.frozen ? el('span', { class: 'bad' }, t('status.is_frozen')) : t('status.not_frozen'),
            ]), t('status.no_members')));
        showError('');
      } catch (e) {
        if (gen !== generation) return;
        showError(t('status.failed', { reason: e.message }));
        body.replaceChildren(errorBox(t('status.failed', { reason: e.message })));
      } finally {
        if (gen === generation) {
          setLoading('');
          refresh.disabled = false;
        }
      }
    };
    load();
  }

  // ---- #/members: the federation (GET /api/federation) ----

  // A name from a roster entry another member signed: text only, isolated from what surrounds
  // it, and laid out in its own script's direction (an Arabic name reads right to left).
  function memberName(name) {
    return name
      ? el('bdi', { dir: 'auto', class: 'member-name' }, name)
      : el('span', { class: 'member-name unnamed' }, t('members.no_name'));
  }

  // Who a key belongs to, by every name the answer gives for it: current members (and the keys
  // they rotated away from), former members, and the approvers' own names.
  function federationIndex(f) {
    const names = new Map();
    const prints = new Map();
    const note = (key, name, print) => {
      if (typeof key !== 'string') return;
      if (typeof name === 'string' && !names.has(key)) names.set(key, name);
      if (typeof print === 'string' && !prints.has(key)) prints.set(key, print);
    };
    for (const m of f.members || []) {
      note(m.key, m.name, m.fingerprint);
      for (const k of m.earlier_keys || []) note(k.key, m.name, k.fingerprint);
    }
    for (const m of f.former_members || []) note(m.key, m.name, m.fingerprint);
    for (const d of [...(f.applied || []), ...(f.pending || [])]) {
      for (const a of d.approvers || []) note(a.key, a.name, a.fingerprint);
    }
    return { names, prints };
  }

  // A member by name, else by fingerprint, else by the start of its key (one the answer does not
  // name: a proposer removed since, say).
  function whoIs(index, key) {
    if (index.names.has(key) && index.names.get(key)) return memberName(index.names.get(key));
    if (index.prints.has(key)) return el('code', { class: 'fingerprint', title: key }, index.prints.get(key));
    const text = String(key || '');
    return el('code', { title: text }, text.length > 20 ? text.slice(0, 20) + '…' : text);
  }

  // The change a decision makes, in words: "Add NAME", "Remove NAME", "Threshold 3", ...
  function changeInWords(index, d) {
    switch (d.op) {
      case 'add':
        return tn('change.add', { name: d.name ? memberName(d.name) : whoIs(index, d.member) });
      case 'remove':
        return tn('change.remove', { name: whoIs(index, d.member) });
      case 'threshold':
        return t('change.threshold', { n: Number(d.threshold) });
      case 'revoke':
        return tn('change.revoke', { name: whoIs(index, d.member), seq: String(d.after_seq) });
      case 'rotate':
        return tn('change.rotate', { name: whoIs(index, d.member), seq: String(d.after_seq) });
      default:
        return String(d.op);
    }
  }

  function namesList(index, people) {
    return joined(people.map((a) => (a.name ? memberName(a.name) : whoIs(index, a.key))));
  }

  function proposalCard(index, threshold, p) {
    const approvers = Array.isArray(p.approvers) ? p.approvers : [];
    const missing = threshold - approvers.length;
    const count = el('strong', {}, t('proposal.count', { n: approvers.length, total: threshold }));
    let state;
    if (p.stale)
      state = el('p', { class: 'bad proposal-state' }, t('proposal.stale'));
    else if (!p.applies_now)
      state = el('p', { class: 'bad proposal-state' }, t('proposal.does_not_fit'));
    else if (missing > 0)
      state = el('p', { class: 'proposal-state' }, tp('proposal.needs', missing));
    else
      state = null;
    return el('li', { class: 'card proposal' + (p.stale ? ' stale' : ''), 'data-proposal': p.id },
      el('article', {},
        el('h3', { class: 'card-title' }, changeInWords(index, p)),
        el('p', { class: 'proposer' }, tn('proposal.by', { name: whoIs(index, p.proposer) })),
        el('p', { class: 'approvals' },
          approvers.length
            ? tn('proposal.approvals_signed', { count, names: namesList(index, approvers) })
            : tn('proposal.approvals', { count }),
          p.other_signers ? [' ', tp('proposal.other_signers', Number(p.other_signers))] : ''),
        state,
        el('p', { class: 'proposal-id' }, tn('proposal.id', { id: el('code', {}, p.id) }))));
  }

  function federationView(f) {
    const index = federationIndex(f);
    const members = (Array.isArray(f.members) ? f.members : []).slice()
      .sort((a, b) => String(a.name).localeCompare(String(b.name)));
    const pending = Array.isArray(f.pending) ? f.pending : [];
    const applied = Array.isArray(f.applied) ? f.applied : [];
    const threshold = Number(f.threshold);

    const facts = el('dl', { class: 'facts' },
      el('dt', {}, t('federation.name')), el('dd', {}, f.name ? el('bdi', { dir: 'auto', id: 'federation-name' }, f.name) : t('federation.unnamed')),
      el('dt', {}, t('federation.changes_need')), el('dd', { id: 'federation-threshold' },
        tn('federation.of_members', { n: el('strong', {}, i18n.number(threshold)), total: members.length })),
      el('dt', {}, t('federation.founded_by')), el('dd', {}, whoIs(index, f.founder)),
      el('dt', {}, t('federation.genesis')), el('dd', {}, el('code', {}, f.genesis || '')));

    const memberRows = members.map((m) => [
      memberName(m.name),
      [el('code', { class: 'fingerprint', title: m.key }, m.fingerprint || ''),
        (m.earlier_keys || []).map((k) => [el('br'), tn('federation.earlier_key', { key: el('code', { title: k.key }, k.fingerprint || ''), seq: String(k.after_seq) })])],
      m.since_change ? t('federation.since_change', { n: String(m.since_change) }) : t('federation.founding_member'),
    ]);

    const pendingSection = el('section', { 'aria-labelledby': 'pending-h' },
      el('h2', { id: 'pending-h' }, t('federation.pending')),
      pending.length
        ? el('ol', { class: 'cards', id: 'pending-list' }, pending.map((p) => proposalCard(index, threshold, p)))
        : el('p', {}, t('federation.no_pending')));

    const appliedRows = applied.map((d, i) => [
      t('federation.change_number', { n: i + 1 }),
      changeInWords(index, d),
      whoIs(index, d.proposer),
      namesList(index, Array.isArray(d.approvers) ? d.approvers : []),
    ]);

    return [
      el('section', { 'aria-labelledby': 'federation-h' }, el('h2', { id: 'federation-h', class: 'visually-hidden' }, t('federation.heading')), facts),
      table(t('federation.members'), [t('status.name'), t('status.fingerprint'), t('federation.member_since')], memberRows, t('federation.no_members')),
      pendingSection,
      table(t('federation.applied'), ['#', t('federation.change'), t('federation.proposed_by'), t('federation.approved_by')], appliedRows,
        t('federation.no_applied')),
    ];
  }

  function renderMembers() {
    const gen = generation;
    setTitle(t('members.heading'));
    const body = el('div', { id: 'members-body' });
    const refresh = el('button', { type: 'button', class: 'secondary' }, t('common.refresh'));
    refresh.addEventListener('click', () => load());
    view.append(heading(t('members.heading')), refresh, body);

    const load = async () => {
      setLoading(t('members.loading'));
      refresh.disabled = true;
      try {
        const f = await api('/api/federation');
        if (gen !== generation) return;
        body.replaceChildren(...federationView(f || {}));
        showError('');
      } catch (e) {
        if (gen !== generation) return;
        // No federation, or its genesis not received yet: states of the node, not failures.
        if (e.status === 404) {
          body.replaceChildren(el('p', { class: 'no-federation' },
            tn('members.no_federation', { link: el('a', { href: '#/status' }, t('nav.status')) })));
        } else if (e.status === 503) {
          body.replaceChildren(el('p', { class: 'no-federation' }, t('members.not_known_yet', { reason: e.message })));
        } else {
          showError(t('members.failed', { reason: e.message }));
          body.replaceChildren(errorBox(t('members.failed', { reason: e.message })));
        }
      } finally {
        if (gen === generation) {
          setLoading('');
          refresh.disabled = false;
        }
      }
    };
    load();
  }

  // ---- #/publish ----

  function storedToken() {
    try {
      return sessionStorage.getItem(TOKEN_KEY) || '';
    } catch (e) {
      return '';
    }
  }

  function storeToken(token) {
    try {
      if (token)
        sessionStorage.setItem(TOKEN_KEY, token);
      else
        sessionStorage.removeItem(TOKEN_KEY);
    } catch (e) {
      showError(t('publish.storage_refused', { reason: e.message }));
    }
  }

  function renderPublish() {
    setTitle(t('publish.heading'));
    if (!storedToken())
      renderLogin();
    else
      renderPublishForm();
  }

  function renderLogin() {
    view.append(heading(t('publish.heading')));
    const input = el('input', {
      id: 'admin-token', name: 'token', type: 'password', autocomplete: 'off', required: true,
      spellcheck: 'false', 'aria-describedby': 'admin-token-help',
    });
    const form = el('form', { class: 'login', id: 'login-form' },
      el('div', { class: 'field' },
        el('label', { for: 'admin-token' }, t('login.token')),
        input,
        el('p', { id: 'admin-token-help', class: 'help' }, t('login.help'))),
      el('button', { type: 'submit' }, t('login.continue')));
    const loginError = el('div', { class: 'form-error', id: 'login-error', role: 'alert', 'aria-live': 'assertive' });
    const submit = form.querySelector('button[type="submit"]');
    form.insertBefore(loginError, submit);
    const gen = generation;
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      loginError.replaceChildren();
      const token = input.value.trim();
      if (!token) {
        input.focus();
        return;
      }
      // Ask the node now whether the token is right, not after the whole alert is written.
      submit.disabled = true;
      try {
        await api('/api/auth/check', { headers: { Accept: 'application/json', Authorization: 'Bearer ' + token } });
        if (gen !== generation) return;
        storeToken(token);
        route();
      } catch (e) {
        if (gen !== generation) return;
        loginError.replaceChildren(el('p', {}, e.status === 401
          ? t('login.refused')
          : t('login.check_failed', { reason: e.message })));
        input.focus();
      } finally {
        submit.disabled = false;
      }
    });
    view.append(form);
  }

  function field(id, label, control, help) {
    const helpId = help ? id + '-help' : null;
    if (helpId) control.setAttribute('aria-describedby', helpId);
    return el('div', { class: 'field' },
      el('label', { for: id }, label), control,
      help ? el('p', { id: helpId, class: 'help' }, help) : null);
  }

  // The languages a translation may be in: the interface's four first, then others the
  // federation's members write in (the node takes any ISO 639-1 code of docs/taxonomy.md).
  const TRANSLATION_LANGUAGES = ['en', 'fr', 'es', 'ar', 'fa', 'ur', 'ps', 'he', 'tr', 'ru', 'pt', 'sw', 'zh', 'hi', 'bn', 'id'];

  // The translations of the publish form: "Add a translation" adds a language and its title,
  // summary and text, each laid out in that language's direction; collect() gives them as the
  // API takes them, {"fr": {"title", "summary", "body"}, ...}.
  function translationsEditor(originalLang) {
    const list = el('div', { class: 'translations', id: 'pub-translations' });
    const add = el('button', { type: 'button', class: 'secondary', id: 'pub-add-translation' }, t('publish.add_translation'));
    const rows = [];
    let made = 0;
    add.addEventListener('click', () => {
      made += 1;
      const id = 'pub-tr-' + made;
      // Offered first: a language the alert does not have yet.
      const taken = new Set([originalLang(), ...rows.map((r) => r.lang.value)]);
      const fresh = TRANSLATION_LANGUAGES.find((code) => !taken.has(code));
      const lang = el('select', { id: id + '-lang', name: 'translation-lang', class: 'translation-lang' },
        TRANSLATION_LANGUAGES.map((code) => el('option', { value: code, lang: code, selected: code === fresh }, languageName(code))));
      const title = el('input', { id: id + '-title', name: 'translation-title', maxlength: '1024' });
      const summary = el('textarea', { id: id + '-summary', name: 'translation-summary', rows: '3' });
      const body = el('textarea', { id: id + '-body', name: 'translation-body', rows: '6' });
      const remove = el('button', { type: 'button', class: 'secondary remove-translation' }, t('publish.remove_translation'));
      const syncDir = () => {
        for (const c of [title, summary, body]) {
          c.setAttribute('lang', lang.value);
          c.setAttribute('dir', dirOf(lang.value));
        }
      };
      lang.addEventListener('change', syncDir);
      syncDir();
      const box = el('fieldset', { class: 'translation', 'data-translation': String(made) },
        el('legend', {}, t('publish.translation')),
        field(id + '-lang', t('publish.translation_language'), lang),
        field(id + '-title', t('publish.title'), title),
        field(id + '-summary', t('publish.summary'), summary),
        field(id + '-body', t('publish.body'), body),
        el('div', { class: 'actions' }, remove));
      const row = { box, lang, title, summary, body };
      remove.addEventListener('click', () => {
        rows.splice(rows.indexOf(row), 1);
        box.remove();
        add.focus();
      });
      rows.push(row);
      list.append(box);
      lang.focus();
    });
    // The API's object has one key per language: a language given twice is said, not dropped.
    const twice = () => {
      const seen = new Set();
      for (const r of rows) {
        if (seen.has(r.lang.value)) return r.lang;
        seen.add(r.lang.value);
      }
      return null;
    };
    const collect = () => {
      const out = {};
      for (const r of rows) {
        const text = { title: r.title.value.trim() };
        if (r.summary.value.trim()) text.summary = r.summary.value.trim();
        if (r.body.value.trim()) text.body = r.body.value.trim();
        out[r.lang.value] = text;
      }
      return out;
    };
    const box = el('fieldset', { class: 'translations-box' },
      el('legend', {}, t('publish.translations')),
      el('p', { class: 'help' }, t('publish.translations_help')),
      list, add);
    return { box, collect, twice };
  }

  function renderPublishForm() {
    const gen = generation;
    const signOut = el('button', { type: 'button', class: 'secondary', id: 'forget-token' }, t('publish.forget_token'));
    signOut.addEventListener('click', () => {
      storeToken('');
      route();
    });

    const lang = el('select', { id: 'pub-lang', name: 'lang', required: true },
      LANGUAGES.map(([code, label]) => el('option', { value: code, lang: code }, label)));
    const title = el('input', { id: 'pub-title', name: 'title', required: true, maxlength: '1024', dir: 'auto' });
    const summary = el('textarea', { id: 'pub-summary', name: 'summary', rows: '3', dir: 'auto' });
    const body = el('textarea', { id: 'pub-body', name: 'body', rows: '10', dir: 'auto' });
    const country = el('input', {
      id: 'pub-country', name: 'country', required: true, maxlength: '2', size: '4', pattern: '[A-Za-z]{2}',
      autocomplete: 'off', placeholder: 'TN',
    });
    const eventDate = el('input', { id: 'pub-date', name: 'event_date', type: 'date' });
    const sources = el('textarea', { id: 'pub-sources', name: 'sources', rows: '3', dir: 'ltr', spellcheck: 'false' });
    const tags = el('input', { id: 'pub-tags', name: 'tags', maxlength: '2200', autocomplete: 'off', dir: 'ltr', spellcheck: 'false' });
    const translations = translationsEditor(() => lang.value);
    const categoryBoxes = CATEGORIES.map(([slug]) =>
      el('input', { type: 'checkbox', name: 'categories', value: slug, id: 'pub-cat-' + slug }));
    const categories = el('fieldset', { class: 'categories' },
      el('legend', {}, t('publish.categories', { min: 1, max: MAX_CATEGORIES })),
      el('div', { class: 'checkbox-grid' }, CATEGORIES.map(([slug], i) =>
        el('div', { class: 'checkbox' }, categoryBoxes[i], el('label', { for: 'pub-cat-' + slug }, categoryLabel(slug))))));
    const formError = el('div', { class: 'form-error', id: 'publish-error', role: 'alert', 'aria-live': 'assertive' });
    const submit = el('button', { type: 'submit', id: 'publish-submit' }, t('publish.submit'));

    const syncDir = () => {
      for (const c of [title, summary, body]) {
        c.setAttribute('lang', lang.value);
        c.setAttribute('dir', dirOf(lang.value));
      }
    };
    lang.addEventListener('change', syncDir);
    syncDir();

    const form = el('form', { class: 'publish', id: 'publish-form', novalidate: true },
      field('pub-lang', t('publish.language'), lang),
      field('pub-title', t('publish.title'), title),
      field('pub-summary', t('publish.summary'), summary),
      field('pub-body', t('publish.body'), body, t('publish.body_help')),
      field('pub-country', t('publish.country'), country, t('publish.country_help')),
      categories,
      field('pub-date', t('publish.date'), eventDate, t('publish.optional')),
      field('pub-sources', t('publish.sources'), sources, t('publish.sources_help')),
      field('pub-tags', t('publish.tags'), tags, t('publish.tags_help')),
      translations.box,
      formError,
      el('div', { class: 'actions' }, submit));

    const fail = (message, focus) => {
      formError.replaceChildren(el('p', {}, message));
      if (focus) focus.focus();
    };

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      formError.replaceChildren();
      const chosen = categoryBoxes.filter((b) => b.checked).map((b) => b.value);
      if (!title.value.trim()) return fail(t('publish.title_required'), title);
      if (!/^[A-Za-z]{2}$/.test(country.value.trim())) return fail(t('publish.country_invalid'), country);
      if (chosen.length < 1) return fail(t('publish.too_few_categories'), categoryBoxes[0]);
      if (chosen.length > MAX_CATEGORIES) return fail(t('publish.too_many_categories', { max: MAX_CATEGORIES }), categoryBoxes[0]);
      const repeated = translations.twice();
      if (repeated) return fail(t('publish.translation_twice', { lang: languageName(repeated.value) }), repeated);

      const alert = {
        lang: lang.value,
        title: title.value.trim(),
        country: country.value.trim().toUpperCase(),
        categories: chosen,
      };
      if (summary.value.trim()) alert.summary = summary.value.trim();
      if (body.value.trim()) alert.body = body.value.trim();
      if (eventDate.value) alert.event_date = eventDate.value;
      const urls = sources.value.split('\n').map((s) => s.trim()).filter((s) => s !== '');
      if (urls.length) alert.sources = urls;
      // As typed: the node says which tag it refuses, and why (docs/protocol.md, "tags").
      const tagList = tags.value.split(',').map((s) => s.trim()).filter((s) => s !== '');
      if (tagList.length) alert.tags = tagList;
      const texts = translations.collect();
      if (Object.keys(texts).length) alert.translations = texts;

      submit.disabled = true;
      setLoading(t('publish.publishing'));
      try {
        const answer = await api('/api/alerts', {
          method: 'POST',
          headers: {
            Accept: 'application/json',
            'Content-Type': 'application/json',
            Authorization: 'Bearer ' + storedToken(),
          },
          body: JSON.stringify(alert),
        });
        if (gen !== generation) return;
        if (!answer || typeof answer.id !== 'string' || !ID_PATTERN.test(answer.id)) {
          throw new ApiError(t('publish.no_id'), 201);
        }
        location.hash = '#/alert/' + answer.id;
      } catch (e) {
        if (gen !== generation) return;
        const reason = e.message;
        fail(e.status === 401 ? t('publish.token_refused', { reason })
          : e.status === 400 ? t('publish.alert_refused', { reason })
            : t('publish.failed', { reason }), null);
      } finally {
        if (gen === generation) {
          setLoading('');
          submit.disabled = false;
        }
      }
    });

    view.append(heading(t('publish.heading')),
      el('p', { class: 'signed-in' }, t('publish.signed_with_key'), ' ', signOut),
      form);
  }

  // ---- start ----

  searchForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const q = searchInput.value.trim();
    if (!q) {
      searchInput.focus();
      return;
    }
    const { path, params } = parseHash();
    // A new search keeps the filters and the order of the one on screen.
    const keep = path === '/search' ? { ...filtersOf(params), sort: params.get('sort') } : {};
    location.hash = '#/search' + query({ q, ...keep });
  });

  for (const skip of document.querySelectorAll('[data-skip]')) {
    skip.addEventListener('click', (event) => {
      event.preventDefault();
      document.getElementById('main').focus();
    });
  }

  async function loadCategories() {
    const answer = await api('/api/categories');
    CATEGORIES = answer.categories.map((c) => [c.slug, c.label]);
    CATEGORY_LABEL = new Map(CATEGORIES);
  }

  // The interface language chooser in the header: the view is drawn again in the new language.
  const uiLang = document.getElementById('ui-lang');
  uiLang.addEventListener('change', async () => {
    try {
      await i18n.choose(uiLang.value);
    } catch (e) {
      showError(t('error.catalogue', { reason: e.message }));
      return;
    }
    keepFocus = true;
    route();
  });

  // The page starts once it has its words and the categories; without the categories it still
  // shows what it can, and says why the category choices are missing (after route(), which
  // clears the errors).
  Promise.all([i18n.ready, loadCategories().then(() => null, (e) => e)]).then(([, failure]) => {
    uiLang.value = i18n.lang();
    window.addEventListener('hashchange', route);
    route();
    if (failure) showError(t('error.categories', { reason: failure.message }));
  });
})();
