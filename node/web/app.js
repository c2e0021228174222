// The node's web page: one script, no framework, no build step, nothing loaded from elsewhere.
// Views are chosen by the URL fragment (docs/http-api.md, "The web page"). Every text that comes
// from an alert or a roster entry is put in the page with textContent; the one exception is a search result's
// snippet_html, which the server escapes and which is still rebuilt here from text and <mark>.
'use strict';

(() => {
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

  function countryName(code) {
    try {
      const name = new Intl.DisplayNames(['en'], { type: 'region' }).of(code);
      if (name && name !== code) return name;
    } catch (e) {
      // A code Intl does not know: shown as it is.
    }
    return code;
  }

  function categoryLabel(slug) {
    return CATEGORY_LABEL.get(slug) || slug;
  }

  function formatTime(iso) {
    if (!iso) return '';
    const t = new Date(iso);
    if (Number.isNaN(t.getTime())) return iso;
    return t.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC').replace(/Z$/, ' UTC');
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
      const reason = e.name === 'AbortError' ? 'no answer within ' + FETCH_TIMEOUT_MS / 1000 + ' s' : e.message;
      throw new ApiError('Could not reach the node (' + reason + ').', 0);
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
          throw new ApiError('The node sent an answer that is not JSON.', response.status);
      }
    }
    if (!response.ok) {
      const message = body && typeof body.error === 'string' && body.error
        ? body.error
        : 'The node answered ' + response.status + ' ' + response.statusText + '.';
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
      document.title = 'Not found – IFEX alerts';
      view.append(heading('Page not found'), el('p', {}, 'There is no such page. ', el('a', { href: '#/' }, 'See the latest alerts.')));
    }
    for (const link of document.querySelectorAll('[data-nav]')) {
      if (link.dataset.nav === section)
        link.setAttribute('aria-current', 'page');
      else
        link.removeAttribute('aria-current');
    }
    // Moving focus to the new view's heading tells screen readers the page changed; not on the
    // first load, where the browser starts at the top anyway.
    if (!firstRender) {
      const h1 = view.querySelector('h1');
      if (h1) h1.focus({ preventScroll: false });
    }
    firstRender = false;
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
    // The organisation from the roster, isolated: a right-to-left name cannot reorder the line.
    if (a.author_name) parts.push(el('span', { class: 'author' }, el('bdi', { dir: 'auto' }, a.author_name)));
    if (a.date) parts.push(el('time', { datetime: a.date }, a.date));
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
          el('a', { href: alertLink(a.id, requestedLang || null) }, a.title || '(untitled)')),
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

  // The filter form shared by the list and search views; submitting it changes the fragment.
  function filterForm(params, basePath, extra) {
    const country = el('input', {
      id: 'filter-country', name: 'country', maxlength: '2', size: '4', autocomplete: 'off',
      pattern: '[A-Za-z]{2}', placeholder: 'e.g. TN', value: params.get('country') || '',
    });
    const category = el('select', { id: 'filter-category', name: 'category' },
      el('option', { value: '' }, 'Any category'),
      CATEGORIES.map(([slug, label]) => el('option', { value: slug, selected: params.get('category') === slug }, label)));
    const lang = el('select', { id: 'filter-lang', name: 'lang' },
      el('option', { value: '' }, 'Any language'),
      LANGUAGES.map(([code, label]) => el('option', { value: code, lang: code, selected: params.get('lang') === code }, label)));
    const from = el('input', { id: 'filter-from', name: 'from', type: 'date', value: params.get('from') || '' });
    const to = el('input', { id: 'filter-to', name: 'to', type: 'date', value: params.get('to') || '' });
    const form = el('form', { class: 'filters' },
      el('div', { class: 'field' }, el('label', { for: 'filter-country' }, 'Country'), country),
      el('div', { class: 'field' }, el('label', { for: 'filter-category' }, 'Category'), category),
      el('div', { class: 'field' }, el('label', { for: 'filter-lang' }, 'Language'), lang),
      el('div', { class: 'field' }, el('label', { for: 'filter-from' }, 'From'), from),
      el('div', { class: 'field' }, el('label', { for: 'filter-to' }, 'To'), to),
      el('div', { class: 'field actions' },
        el('button', { type: 'submit' }, 'Apply'),
        el('a', { class: 'button secondary', href: '#' + basePath + query(extra || {}) }, 'Clear')));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      if (!form.reportValidity()) return;
      location.hash = '#' + basePath + query({
        ...(extra || {}),
        country: country.value.trim().toUpperCase(),
        category: category.value,
        lang: lang.value,
        from: from.value,
        to: to.value,
      });
    });
    // Folded on narrow screens unless a filter is in use, so that the alerts come first.
    const active = ['country', 'category', 'lang', 'from', 'to'].filter((k) => params.get(k)).length;
    const open = active > 0 || window.matchMedia('(min-width: 40rem)').matches;
    return el('details', { class: 'filters-box', open },
      el('summary', {}, 'Filters' + (active ? ' (' + active + ' in use)' : '')), form);
  }

  function filtersOf(params) {
    const out = {};
    for (const key of ['lang', 'country', 'category', 'author', 'from', 'to']) {
      const v = params.get(key);
      if (v) out[key] = v;
    }
    return out;
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

  // ---- #/ : newest alerts ----

  function renderList(params) {
    const gen = generation;
    const filters = filtersOf(params);
    document.title = 'Latest alerts – IFEX alerts';
    const list = el('ol', { class: 'cards', id: 'alert-list' });
    const status = el('p', { class: 'list-status', role: 'status', 'aria-live': 'polite' });
    const more = el('div', { class: 'more-row' });
    view.append(heading('Latest alerts'), filterForm(params, '/'), status, list, more);

    let cursor = null;
    const loadPage = async () => {
      setLoading('Loading alerts…');
      try {
        const page = await api('/api/alerts' + query({ ...filters, limit: PAGE_SIZE, cursor }));
        if (gen !== generation) return;
        const alerts = Array.isArray(page.alerts) ? page.alerts : [];
        for (const a of alerts) list.append(summaryCard(a, filters.lang));
        cursor = page.next_cursor || null;
        clear(more);
        if (cursor) more.append(moreButton('Load more', loadPage));
        const n = list.children.length;
        status.textContent = n === 0
          ? (Object.keys(filters).length ? 'No alerts match these filters.' : 'No alerts yet.')
          : n + (n === 1 ? ' alert shown' : ' alerts shown') + (cursor ? '; more are available.' : '.');
        showError('');
      } catch (e) {
        if (gen !== generation) return;
        showError('Could not load the alerts: ' + e.message);
        if (!list.children.length) status.replaceChildren(errorBox('Could not load the alerts: ' + e.message));
      } finally {
        if (gen === generation) setLoading('');
      }
    };
    loadPage();
  }

  // ---- #/search?q=... ----

  function renderSearch(params) {
    const gen = generation;
    const q = (params.get('q') || '').trim();
    const filters = filtersOf(params);
    document.title = (q ? q + ' – ' : '') + 'Search – IFEX alerts';
    const title = heading(q ? ['Search: ', bdi(q)] : 'Search');
    const list = el('ol', { class: 'cards', id: 'search-results' });
    const status = el('p', { class: 'list-status', role: 'status', 'aria-live': 'polite' });
    const more = el('div', { class: 'more-row' });
    view.append(title, filterForm(params, '/search', { q }), status, list, more);
    if (!q) {
      status.textContent = 'Type words in the search box above. Use "quotes" for a phrase, OR, NOT and -word.';
      searchInput.focus();
      return;
    }

    let offset = 0;
    const loadPage = async () => {
      setLoading('Searching…');
      try {
        const page = await api('/api/search' + query({ q, ...filters, limit: PAGE_SIZE, offset: offset || null }));
        if (gen !== generation) return;
        const results = Array.isArray(page.results) ? page.results : [];
        for (const r of results) list.append(summaryCard(r, filters.lang, r.snippet_html || ''));
        offset = typeof page.next_offset === 'number' ? page.next_offset : null;
        clear(more);
        if (offset !== null) more.append(moreButton('More results', loadPage));
        const n = list.children.length;
        if (n === 0) {
          status.textContent = 'No alerts match this search.';
        } else {
          const total = typeof page.total_estimate === 'number' ? page.total_estimate : n;
          const took = typeof page.took_ms === 'number' ? ' (' + page.took_ms.toFixed(1) + ' ms)' : '';
          status.textContent = 'Showing ' + n + ' of about ' + total + (total === 1 ? ' result' : ' results') + took + '.';
        }
        showError('');
      } catch (e) {
        if (gen !== generation) return;
        showError('Search failed: ' + e.message);
        if (!list.children.length) status.replaceChildren(errorBox('Search failed: ' + e.message));
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
    document.title = 'Alert – IFEX alerts';
    if (!ID_PATTERN.test(id)) {
      view.append(heading('Alert not found'), errorBox('"' + id + '" is not an alert id (64 hexadecimal digits).'));
      return;
    }
    setLoading('Loading the alert…');
    api('/api/alerts/' + id).then((entry) => {
      if (gen !== generation) return;
      setLoading('');
      const alert = entry.alert || entry;
      const texts = textsOf(alert);
      const wanted = params.get('lang');

      const article = el('article', { class: 'alert-text', id: 'alert-text' });
      const switcher = el('div', { class: 'lang-switcher', role: 'group', 'aria-label': 'Language of the text' });
      const buttons = texts.map((t) => {
        const b = el('button', { type: 'button', 'data-lang': t.lang },
          bdi(languageName(t.lang), t.lang), t.original ? el('span', { class: 'original-mark' }, '(original)') : null);
        b.addEventListener('click', () => show(t, true));
        return b;
      });
      append(switcher, buttons);

      const show = (t, byUser) => {
        article.setAttribute('lang', t.lang);
        article.setAttribute('dir', dirOf(t.lang));
        // append() skips null; the DOM's own append/replaceChildren would show it as "null".
        clear(article);
        append(article, [
          el('h1', { tabindex: '-1', dir: 'auto', id: 'alert-title' }, t.title || '(untitled)'),
          t.summary ? el('p', { class: 'lead', dir: 'auto' }, t.summary) : null,
          el('div', { class: 'body', dir: 'auto' }, bodyParagraphs(t.body))]);
        for (const b of buttons) b.setAttribute('aria-pressed', String(b.dataset.lang === t.lang));
        document.title = (t.title || 'Alert') + ' – IFEX alerts';
        if (byUser) {
          history.replaceState(null, '', '#/alert/' + id + (t.lang === texts[0].lang ? '' : '?lang=' + encodeURIComponent(t.lang)));
        }
      };
      show(texts.find((t) => t.lang === wanted) || texts[0], false);

      const facts = el('dl', { class: 'facts' });
      const fact = (label, ...value) => facts.append(el('dt', {}, label), el('dd', {}, value));
      fact('Date', el('time', { datetime: entry.date || alert.event_date || '' }, entry.date || alert.event_date || ''));
      if (alert.country || entry.country) {
        const c = alert.country || entry.country;
        fact('Country', el('a', { href: '#/' + query({ country: c }) }, countryName(c) + ' (' + c + ')'));
      }
      const cats = alert.categories || entry.categories || [];
      fact('Categories', cats.map((c, i) => [i ? ' ' : '', el('a', { class: 'tag', href: '#/' + query({ category: c }) }, categoryLabel(c))]));
      fact('Languages', texts.map((t, i) => [i ? ', ' : '', bdi(languageName(t.lang), t.lang)]));
      const author = entry.author_name ? [bdi(entry.author_name), ' '] : [];
      fact('Published by', author, el('code', { class: 'fingerprint' }, entry.fingerprint || entry.author || ''));
      if (entry.created_at) fact('Signed', el('time', { datetime: entry.created_at }, formatTime(entry.created_at)));
      if (Array.isArray(alert.tags) && alert.tags.length) fact('Tags', alert.tags.map((t, i) => [i ? ', ' : '', bdi(t)]));
      if (alert.legacy_id) fact('Legacy id', bdi(alert.legacy_id));

      const sources = Array.isArray(alert.sources) ? alert.sources : [];
      const sourceList = sources.length
        ? el('section', { class: 'sources', 'aria-labelledby': 'sources-h' },
          el('h2', { id: 'sources-h' }, 'Sources'),
          el('ul', {}, sources.map((url) => el('li', {}, sourceLink(url)))))
        : null;

      const technical = el('details', { class: 'technical' },
        el('summary', {}, 'Signature details'),
        el('dl', { class: 'facts' },
          el('dt', {}, 'Entry id'), el('dd', {}, el('code', {}, entry.id || id)),
          el('dt', {}, 'Author key'), el('dd', {}, el('code', {}, entry.author || '')),
          el('dt', {}, 'Sequence'), el('dd', {}, String(entry.seq ?? '')),
          el('dt', {}, 'Previous'), el('dd', {}, el('code', {}, entry.prev || '')),
          el('dt', {}, 'Signature'), el('dd', {}, el('code', {}, entry.signature || ''))));

      append(view, [texts.length > 1 ? switcher : null, article, facts, sourceList, technical]);
      // The heading arrives after route() moved focus; move it again, except on the first load.
      if (gen !== 1) article.querySelector('h1').focus();
    }).catch((e) => {
      if (gen !== generation) return;
      setLoading('');
      const message = e.status === 404 ? 'This alert is not on this node.' : 'Could not load the alert: ' + e.message;
      showError(message);
      view.append(heading(e.status === 404 ? 'Alert not found' : 'Alert'), errorBox(message));
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
    document.title = 'Node status – IFEX alerts';
    const body = el('div', { id: 'status-body' });
    const refresh = el('button', { type: 'button', class: 'secondary' }, 'Refresh');
    refresh.addEventListener('click', () => load());
    view.append(heading('Node status'), refresh, body);

    const load = async () => {
      setLoading('Loading the node status…');
      refresh.disabled = true;
      try {
        // With the admin token (kept for publishing) the node also shows addresses and errors.
        const token = storedToken();
        const s = await api('/api/status', token ? { headers: { Accept: 'application/json', Authorization: 'Bearer ' + token } } : undefined);
        if (gen !== generation) return;
        const node = s.node || {};
        const facts = el('dl', { class: 'facts' });
        const fact = (label, value) => facts.append(el('dt', {}, label), el('dd', {}, value));
        fact('Name', bdi(node.name || ''));
        fact('Role', node.role || '');
        fact('Fingerprint', el('code', { class: 'fingerprint' }, node.fingerprint || ''));
        fact('Key', el('code', {}, node.key || ''));
        if (node.version) fact('Version', node.version);
        if (typeof s.uptime_s === 'number') fact('Up for', formatDuration(s.uptime_s));
        if (typeof s.entries === 'number') fact('Entries', String(s.entries));
        if (typeof s.indexed === 'number') fact('Indexed for search', String(s.indexed));
        if (typeof s.authors === 'number') fact('Authors', String(s.authors));

        const peers = Array.isArray(s.peers) ? s.peers : [];
        const members = Array.isArray(s.members) ? s.members : [];
        // Addresses and errors come only with the admin token (a public hub hides them).
        const detailed = peers.some((p) => 'urls' in p || 'last_error' in p);
        const refused = s.refused_authors || {};
        const refusedRows = (Array.isArray(refused.authors) ? refused.authors : [])
          .map((a) => [el('code', {}, a.fingerprint || ''), String(a.entries_offered ?? 0), String(a.entries_refused ?? 0)]);
        const other = refused.other || {};
        if (other.entries_offered || other.entries_refused) {
          refusedRows.push(['other authors', String(other.entries_offered ?? 0), String(other.entries_refused ?? 0)]);
        }
        body.replaceChildren(
          el('section', {}, el('h2', {}, 'This node'), facts),
          table('Peers', ['Name', 'Fingerprint', 'State', 'Last seen'].concat(detailed ? ['Addresses', 'Last error'] : []),
            peers.map((p) => [
              bdi(p.name || ''),
              el('code', {}, p.fingerprint || ''),
              p.connected
                ? el('span', { class: 'ok' }, 'up' + (p.since ? ' since ' + formatTime(p.since) : ''))
                : el('span', { class: 'bad' }, 'down' + (p.down_since ? ' since ' + formatTime(p.down_since) : '')),
              p.last_seen ? formatTime(p.last_seen) : 'never',
            ].concat(detailed ? [
              (p.urls || []).map((u, i) => [i ? el('br') : null, el('code', {}, u)]),
              p.last_error ? bdi(p.last_error) : '—',
            ] : [])), 'No peers configured.'),
          table('Authors not on the roster', ['Fingerprint', 'Entries peers hold', 'Entries refused'],
            refusedRows, 'No entries refused for want of a roster entry.'),
          table('Members', ['Name', 'Fingerprint', 'Head seq', 'Frozen'],
            members.map((m) => [
              bdi(m.name || ''),
              el('code', {}, m.fingerprint || ''),
              String(m.head_seq ?? ''),
              m.frozen ? el('span', { class: 'bad' }, 'frozen') : 'no',
            ]), 'No members in the roster.'));
        showError('');
      } catch (e) {
        if (gen !== generation) return;
        showError('Could not load the node status: ' + e.message);
        body.replaceChildren(errorBox('Could not load the node status: ' + e.message));
      } finally {
        if (gen === generation) {
          setLoading('');
          refresh.disabled = false;
        }
      }
    };
    load();
  }

  function formatDuration(seconds) {
    const s = Math.floor(seconds);
    const d = Math.floor(s / 86400);
    const h = Math.floor((s % 86400) / 3600);
    const m = Math.floor((s % 3600) / 60);
    if (d) return d + ' d ' + h + ' h';
    if (h) return h + ' h ' + m + ' min';
    if (m) return m + ' min ' + (s % 60) + ' s';
    return s + ' s';
  }

  // ---- #/members: the federation (GET /api/federation) ----

  // A name from a roster entry another member signed: text only, isolated from what surrounds
  // it, and laid out in its own script's direction (an Arabic name reads right to left).
  function memberName(name) {
    return name
      ? el('bdi', { dir: 'auto', class: 'member-name' }, name)
      : el('span', { class: 'member-name unnamed' }, '(no name)');
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
        return ['Add ', d.name ? memberName(d.name) : whoIs(index, d.member)];
      case 'remove':
        return ['Remove ', whoIs(index, d.member)];
      case 'threshold':
        return 'Threshold ' + d.threshold;
      case 'revoke':
        return ['Revoke ', whoIs(index, d.member), ' after #' + d.after_seq];
      case 'rotate':
        return ['Move ', whoIs(index, d.member), ' to a new key (the old one ends after #' + d.after_seq + ')'];
      default:
        return String(d.op);
    }
  }

  function namesList(index, people) {
    return people.map((a, i) => [i ? ', ' : '', a.name ? memberName(a.name) : whoIs(index, a.key)]);
  }

  function proposalCard(index, threshold, p) {
    const approvers = Array.isArray(p.approvers) ? p.approvers : [];
    const missing = threshold - approvers.length;
    let state;
    if (p.stale)
      state = el('p', { class: 'bad proposal-state' }, 'Stale: another change took its place. Propose it again if it still makes sense.');
    else if (!p.applies_now)
      state = el('p', { class: 'bad proposal-state' }, 'It does not fit the current roster.');
    else if (missing > 0)
      state = el('p', { class: 'proposal-state' }, 'Needs ' + missing + ' more ' + (missing === 1 ? 'approval.' : 'approvals.'));
    else
      state = null;
    return el('li', { class: 'card proposal' + (p.stale ? ' stale' : ''), 'data-proposal': p.id },
      el('article', {},
        el('h3', { class: 'card-title' }, changeInWords(index, p)),
        el('p', { class: 'proposer' }, 'Proposed by ', whoIs(index, p.proposer)),
        el('p', { class: 'approvals' },
          el('strong', {}, approvers.length + ' of ' + threshold), ' approvals',
          approvers.length ? [': signed by ', namesList(index, approvers)] : '',
          p.other_signers ? ' (and ' + p.other_signers + ' signature' + (p.other_signers === 1 ? '' : 's') + ' that do not count)' : ''),
        state,
        el('p', { class: 'proposal-id' }, 'Id ', el('code', {}, p.id))));
  }

  function federationView(f) {
    const index = federationIndex(f);
    const members = (Array.isArray(f.members) ? f.members : []).slice()
      .sort((a, b) => String(a.name).localeCompare(String(b.name)));
    const pending = Array.isArray(f.pending) ? f.pending : [];
    const applied = Array.isArray(f.applied) ? f.applied : [];
    const threshold = Number(f.threshold);

    const facts = el('dl', { class: 'facts' },
      el('dt', {}, 'Federation'), el('dd', {}, f.name ? el('bdi', { dir: 'auto', id: 'federation-name' }, f.name) : '(unnamed)'),
      el('dt', {}, 'Changes need'), el('dd', { id: 'federation-threshold' },
        el('strong', {}, String(threshold)), ' of ' + members.length + ' members'),
      el('dt', {}, 'Founded by'), el('dd', {}, whoIs(index, f.founder)),
      el('dt', {}, 'Genesis'), el('dd', {}, el('code', {}, f.genesis || '')));

    const memberRows = members.map((m) => [
      memberName(m.name),
      [el('code', { class: 'fingerprint', title: m.key }, m.fingerprint || ''),
        (m.earlier_keys || []).map((k) => [el('br'), 'earlier key ', el('code', { title: k.key }, k.fingerprint || ''), ' (up to #' + k.after_seq + ')'])],
      m.since_change ? 'change #' + m.since_change : 'founding member',
    ]);

    const pendingSection = el('section', { 'aria-labelledby': 'pending-h' },
      el('h2', { id: 'pending-h' }, 'Pending proposals'),
      pending.length
        ? el('ol', { class: 'cards', id: 'pending-list' }, pending.map((p) => proposalCard(index, threshold, p)))
        : el('p', {}, 'No proposal is waiting for approvals.'));

    const appliedRows = applied.map((d, i) => [
      '#' + (i + 1),
      changeInWords(index, d),
      whoIs(index, d.proposer),
      namesList(index, Array.isArray(d.approvers) ? d.approvers : []),
    ]);

    return [
      el('section', { 'aria-labelledby': 'federation-h' }, el('h2', { id: 'federation-h', class: 'visually-hidden' }, 'The federation'), facts),
      table('Members', ['Name', 'Fingerprint', 'Member since'], memberRows, 'The federation has no members.'),
      pendingSection,
      table('Applied changes', ['#', 'Change', 'Proposed by', 'Approved by'], appliedRows,
        'No change since the founding.'),
    ];
  }

  function renderMembers() {
    const gen = generation;
    document.title = 'Members – IFEX alerts';
    const body = el('div', { id: 'members-body' });
    const refresh = el('button', { type: 'button', class: 'secondary' }, 'Refresh');
    refresh.addEventListener('click', () => load());
    view.append(heading('Members'), refresh, body);

    const load = async () => {
      setLoading('Loading the federation…');
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
            'This node belongs to no federation: it takes the authors of its own roster (see ',
            el('a', { href: '#/status' }, 'Node status'), ').'));
        } else if (e.status === 503) {
          body.replaceChildren(el('p', { class: 'no-federation' },
            'The federation is not known here yet (' + e.message + '). Try again in a few seconds.'));
        } else {
          showError('Could not load the federation: ' + e.message);
          body.replaceChildren(errorBox('Could not load the federation: ' + e.message));
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
      showError('This browser does not allow keeping the token for this tab (' + e.message + ').');
    }
  }

  function renderPublish() {
    document.title = 'Publish an alert – IFEX alerts';
    if (!storedToken())
      renderLogin();
    else
      renderPublishForm();
  }

  function renderLogin() {
    view.append(heading('Publish an alert'));
    const input = el('input', {
      id: 'admin-token', name: 'token', type: 'password', autocomplete: 'off', required: true,
      spellcheck: 'false', 'aria-describedby': 'admin-token-help',
    });
    const form = el('form', { class: 'login', id: 'login-form' },
      el('div', { class: 'field' },
        el('label', { for: 'admin-token' }, 'Admin token'),
        input,
        el('p', { id: 'admin-token-help', class: 'help' },
          'The token in the file admin.token of this node\'s data directory. It is kept in this tab only ' +
          '(sessionStorage) and forgotten when the tab closes.')),
      el('button', { type: 'submit' }, 'Continue'));
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
          ? 'This token was refused: check it against the file admin.token of this node.'
          : 'The token could not be checked: ' + e.message));
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

  function renderPublishForm() {
    const gen = generation;
    const signOut = el('button', { type: 'button', class: 'secondary', id: 'forget-token' }, 'Forget the token');
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
    const categoryBoxes = CATEGORIES.map(([slug, label]) =>
      el('input', { type: 'checkbox', name: 'categories', value: slug, id: 'pub-cat-' + slug }));
    const categories = el('fieldset', { class: 'categories' },
      el('legend', {}, 'Categories (1 to ' + MAX_CATEGORIES + ')'),
      el('div', { class: 'checkbox-grid' }, CATEGORIES.map(([slug, label], i) =>
        el('div', { class: 'checkbox' }, categoryBoxes[i], el('label', { for: 'pub-cat-' + slug }, label)))));
    const formError = el('div', { class: 'form-error', id: 'publish-error', role: 'alert', 'aria-live': 'assertive' });
    const submit = el('button', { type: 'submit', id: 'publish-submit' }, 'Sign and publish');

    const syncDir = () => {
      for (const c of [title, summary, body]) {
        c.setAttribute('lang', lang.value);
        c.setAttribute('dir', dirOf(lang.value));
      }
    };
    lang.addEventListener('change', syncDir);
    syncDir();

    const form = el('form', { class: 'publish', id: 'publish-form', novalidate: true },
      field('pub-lang', 'Language of the text', lang),
      field('pub-title', 'Title', title),
      field('pub-summary', 'Summary', summary),
      field('pub-body', 'Text', body, 'Separate paragraphs with an empty line.'),
      field('pub-country', 'Country', country, 'The ISO 3166-1 two-letter code of the country where it happened, e.g. TN, MX, GB.'),
      categories,
      field('pub-date', 'Date of the event', eventDate, 'Optional.'),
      field('pub-sources', 'Sources', sources, 'One http(s) address a line. Optional.'),
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
      if (!title.value.trim()) return fail('The title is required.', title);
      if (!/^[A-Za-z]{2}$/.test(country.value.trim())) return fail('The country must be a two-letter code such as TN.', country);
      if (chosen.length < 1) return fail('Choose at least one category.', categoryBoxes[0]);
      if (chosen.length > MAX_CATEGORIES) return fail('Choose at most ' + MAX_CATEGORIES + ' categories.', categoryBoxes[0]);

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

      submit.disabled = true;
      setLoading('Publishing…');
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
          throw new ApiError('The node accepted the alert but did not say its id.', 201);
        }
        location.hash = '#/alert/' + answer.id;
      } catch (e) {
        if (gen !== generation) return;
        const prefix = e.status === 401 ? 'The token was refused: '
          : e.status === 400 ? 'The alert was refused: '
            : 'Publishing failed: ';
        fail(prefix + e.message, null);
      } finally {
        if (gen === generation) {
          setLoading('');
          submit.disabled = false;
        }
      }
    });

    view.append(heading('Publish an alert'),
      el('p', { class: 'signed-in' }, 'The alert is signed with this node\'s key. ', signOut),
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
    const keep = path === '/search' ? filtersOf(params) : {};
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

  // The page starts once it has the categories; without them it still shows what it can, and
  // says why the category choices are missing (after route(), which clears the errors).
  loadCategories().then(() => null, (e) => e).then((failure) => {
    window.addEventListener('hashchange', route);
    route();
    if (failure) showError('The categories could not be loaded: ' + failure.message);
  });
})();
