// The timeline view (#/timeline, docs/http-api.md "The web page"): alerts per year since 1995,
// or per month of one year, as a bar chart stacked by category, drawn here as SVG (no library,
// nothing loaded from elsewhere); the same numbers as a table; and a table of alerts per
// country from the listing's facets. app.js routes to render() and lends it its helpers.
'use strict';

window.ifexTimeline = (() => {
  const i18n = window.ifexI18n;
  const { t, tp } = i18n;
  const SVG = 'http://www.w3.org/2000/svg';
  // One colour per category, in the node's order (GET /api/categories); more categories than
  // colours take hues spread around the wheel.
  const PALETTE = ['#0b5cad', '#d4572a', '#2e8540', '#8e44ad', '#c49000', '#17a2b8', '#b03060',
    '#5d6d7e', '#6b8e23', '#e67e22', '#34495e', '#a0522d', '#1abc9c', '#7f8c8d'];
  // The chart's own coordinates: as wide as the view when it is drawn (so that its text keeps
  // its size on a phone), at least MIN_WIDTH; the SVG then scales with its frame.
  const MIN_WIDTH = 320;
  const MAX_WIDTH = 1000;
  const HEIGHT = 320;
  const TOP = 12;
  const BOTTOM = 46;
  const AXIS = 52;

  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value !== null && value !== undefined) node.setAttribute(key, String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }

  const yearText = (year) => i18n.number(Number(year), { useGrouping: false });

  function periodText(bin, unit) {
    if (unit === 'year') return yearText(bin.period);
    const d = new Date(bin.from + 'T00:00:00Z');
    return new Intl.DateTimeFormat(i18n.locale(), { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(d);
  }

  function monthShort(bin) {
    const d = new Date(bin.from + 'T00:00:00Z');
    return new Intl.DateTimeFormat(i18n.locale(), { month: 'short', timeZone: 'UTC' }).format(d);
  }

  // A round step for about four grid lines up to `max`.
  function gridStep(max) {
    if (max <= 4) return 1;
    const raw = max / 4;
    const power = 10 ** Math.floor(Math.log10(raw));
    for (const m of [1, 2, 5, 10]) if (m * power >= raw) return m * power;
    return 10 * power;
  }

  function colourOf(slug, order) {
    const i = order.indexOf(slug);
    if (i >= 0 && i < PALETTE.length) return PALETTE[i];
    const k = i >= 0 ? i : order.length;
    return `hsl(${(k * 137) % 360}, 55%, 45%)`;
  }

  // The bar chart: one link per bin (to the listing of its period), its height the bin's count,
  // divided in proportion to its categories' counts; year labels link to the year's months.
  function chart(answer, ctx, links, order) {
    const rtl = document.documentElement.dir === 'rtl';
    const WIDTH = Math.round(Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, ctx.view.clientWidth - 28)));
    const bins = answer.bins;
    const max = Math.max(0, ...bins.map((b) => b.count));
    const step = gridStep(max);
    const top = Math.max(step, Math.ceil(max / step) * step);
    const plotH = HEIGHT - TOP - BOTTOM;
    const slot = (WIDTH - AXIS - 8) / bins.length;
    const barW = Math.max(2, slot * 0.72);
    const every = Math.max(1, Math.ceil(15 / slot));
    // Drawn left to right, then mirrored in a right-to-left interface: time runs with the text.
    const x = (left, width) => (rtl ? WIDTH - left - width : left);
    const yOf = (n) => TOP + plotH - (n / top) * plotH;
    const grid = [];
    for (let v = 0; v <= top; v += step) {
      grid.push(svg('line', { x1: x(AXIS, WIDTH - AXIS - 8), x2: x(AXIS, WIDTH - AXIS - 8) + WIDTH - AXIS - 8,
        y1: yOf(v), y2: yOf(v), class: 'tl-grid' }));
      grid.push(svg('text', { x: rtl ? WIDTH - AXIS + 6 : AXIS - 6, y: yOf(v) + 4, 'text-anchor': rtl ? 'start' : 'end',
        class: 'tl-axis' }, i18n.number(v)));
    }
    const bars = bins.map((b, i) => {
      const left = AXIS + i * slot + (slot - barW) / 2;
      const h = (b.count / top) * plotH;
      const cats = (b.categories || []).slice().sort((p, q) => order.indexOf(p.value) - order.indexOf(q.value));
      const tagged = cats.reduce((sum, c) => sum + c.count, 0);
      let base = TOP + plotH;
      const parts = [];
      if (cats.length && tagged > 0) {
        for (const c of cats) {
          const ch = h * (c.count / tagged);
          base -= ch;
          parts.push(svg('rect', { x: x(left, barW), y: base, width: barW, height: ch, fill: colourOf(c.value, order),
            class: 'tl-seg', 'data-category': c.value, 'data-count': c.count },
          svg('title', {}, t('timeline.category_count', { category: ctx.categoryLabel(c.value), n: c.count }))));
        }
      } else if (b.count > 0) {
        parts.push(svg('rect', { x: x(left, barW), y: TOP + plotH - h, width: barW, height: h, class: 'tl-seg tl-plain' }));
      }
      const label = tp('timeline.bar', b.count, { period: periodText(b, answer.unit) });
      // A transparent box over the whole column: a small bar is still easy to hit.
      const hit = svg('rect', { x: x(AXIS + i * slot, slot), y: TOP, width: slot, height: plotH, class: 'tl-hit' });
      const bar = svg('a', { href: links.listing(b), class: 'tl-bar', 'data-period': b.period, 'data-count': b.count,
        'aria-label': label }, hit, parts, svg('title', {}, label));
      const labelText = answer.unit === 'year' ? yearText(b.period) : monthShort(b);
      const lx = x(AXIS + i * slot, slot) + slot / 2;
      // Labels turn when the columns are narrow, and only every `every`-th is written when even
      // turned they would overlap (the table names every period).
      const turned = slot < 44;
      const text = i % every === 0
        ? svg('text', turned
          ? { x: lx, y: TOP + plotH + 8, transform: `rotate(-60 ${lx} ${TOP + plotH + 8})`, 'text-anchor': 'end', class: 'tl-label' }
          : { x: lx, y: TOP + plotH + 18, 'text-anchor': 'middle', class: 'tl-label' }, labelText)
        : null;
      const tick = answer.unit === 'year'
        ? svg('a', { href: links.months(b), class: 'tl-year', 'data-period': b.period,
          'aria-label': t('timeline.year_link', { year: yearText(b.period) }) },
        svg('rect', { x: x(AXIS + i * slot, slot), y: TOP + plotH, width: slot, height: BOTTOM, class: 'tl-hit' }), text)
        : text;
      return [bar, tick];
    });
    return svg('svg', { id: 'tl-chart', viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'group',
      'aria-labelledby': 'tl-caption', direction: 'ltr', class: 'tl-svg' }, grid, bars);
  }

  function legend(answer, ctx, order) {
    const seen = new Map();
    for (const b of answer.bins) for (const c of b.categories || []) seen.set(c.value, (seen.get(c.value) || 0) + c.count);
    const slugs = [...seen.keys()].sort((p, q) => order.indexOf(p) - order.indexOf(q));
    if (!slugs.length) return null;
    return ctx.el('div', { class: 'tl-legend-box' },
      ctx.el('ul', { class: 'tl-legend', 'aria-label': t('timeline.legend') },
        slugs.map((slug) => {
          const swatch = svg('svg', { width: 12, height: 12, 'aria-hidden': 'true', class: 'tl-swatch' },
            svg('rect', { width: 12, height: 12, fill: colourOf(slug, order) }));
          return ctx.el('li', { 'data-category': slug }, swatch, ' ', ctx.categoryLabel(slug));
        })),
      ctx.el('p', { class: 'tl-note' }, t('timeline.stack_note')));
  }

  function binsTable(answer, ctx, links) {
    const el = ctx.el;
    const stacked = answer.stack === 'category';
    const headers = [answer.unit === 'year' ? t('timeline.col_year') : t('timeline.col_month'), t('timeline.col_alerts')];
    if (stacked) headers.push(t('timeline.col_categories'));
    const rows = answer.bins.map((b) => {
      const period = periodText(b, answer.unit);
      return el('tr', { 'data-period': b.period, 'data-count': b.count },
        el('th', { scope: 'row' }, answer.unit === 'year' ? el('a', { href: links.months(b) }, period) : period),
        el('td', {}, b.count ? el('a', { href: links.listing(b) }, i18n.number(b.count)) : i18n.number(0)),
        stacked ? el('td', {}, (b.categories || []).map((c, i) => [i ? t('list.separator') : '',
          t('timeline.category_count', { category: ctx.categoryLabel(c.value), n: c.count })])) : null);
    });
    return el('details', { class: 'tl-table-box' },
      el('summary', {}, t('timeline.table_summary')),
      el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': t('timeline.table_summary') },
        el('table', { id: 'tl-table' },
          el('caption', {}, captionText(answer, ctx)),
          el('thead', {}, el('tr', {}, headers.map((h) => el('th', { scope: 'col' }, h)))),
          el('tbody', {}, rows))));
  }

  function countriesTable(facets, ctx, period) {
    const el = ctx.el;
    const entries = (facets && Array.isArray(facets.country) ? facets.country : []);
    const title = period.year ? t('timeline.countries_heading_year', { year: yearText(period.year) }) : t('timeline.countries_heading');
    if (!entries.length) return el('section', {}, el('h2', {}, title), el('p', {}, t('timeline.countries_none')));
    const rows = entries.map((e) => el('tr', { 'data-country': e.value, 'data-count': e.count },
      el('th', { scope: 'row' },
        el('a', { href: '#/timeline' + ctx.query({ year: period.year, country: e.value, stack: period.stack }) },
          ctx.countryName(e.value)), ' ', el('span', { class: 'tl-code', lang: 'en' }, e.value)),
      el('td', {}, el('a', { href: '#/' + ctx.query({ country: e.value, from: period.from, to: period.to }) }, i18n.number(e.count)))));
    return el('section', {},
      el('h2', { id: 'tl-countries-heading' }, title),
      el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'tl-countries-heading' },
        el('table', { id: 'tl-countries' },
          el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, t('timeline.col_country')), el('th', { scope: 'col' }, t('timeline.col_alerts')))),
          el('tbody', {}, rows))));
  }

  function captionText(answer, ctx) {
    const bins = answer.bins;
    const chartName = answer.unit === 'year'
      ? t('timeline.chart_years', { from: yearText(bins[0].period), to: yearText(bins[bins.length - 1].period) })
      : t('timeline.chart_months', { year: yearText(answer.year) });
    return ctx.country ? t('timeline.chart_in_country', { chart: chartName, country: ctx.countryName(ctx.country) }) : chartName;
  }

  // The controls: a country (from every country the archive has) and stacking by category.
  function controls(ctx, all, params) {
    const el = ctx.el;
    const countries = (all && Array.isArray(all.country) ? all.country : []).map((e) => e.value);
    if (ctx.country && !countries.includes(ctx.country)) countries.push(ctx.country);
    countries.sort((p, q) => ctx.countryName(p).localeCompare(ctx.countryName(q), i18n.locale()));
    const select = el('select', { id: 'tl-country', name: 'country' },
      el('option', { value: '' }, t('timeline.any_country')),
      countries.map((c) => el('option', { value: c, selected: c === ctx.country }, ctx.countryName(c))));
    const stack = el('input', { type: 'checkbox', id: 'tl-stack', name: 'stack', checked: params.stack !== 'none' });
    const go = () => {
      location.hash = '#/timeline' + ctx.query({ year: params.year, country: select.value, stack: stack.checked ? null : 'none' });
    };
    select.addEventListener('change', go);
    stack.addEventListener('change', go);
    return el('form', { class: 'filters tl-controls', id: 'tl-controls' },
      el('div', { class: 'field' }, el('label', { for: 'tl-country' }, t('timeline.country')), select),
      el('div', { class: 'field tl-check' }, stack, el('label', { for: 'tl-stack' }, t('timeline.stack'))));
  }

  // ctx: app.js's helpers (el, api, query, heading, setTitle, setLoading, showError, errorBox,
  // categoryLabel, countryName, categories, current) and the view to draw in.
  async function render(params, ctx) {
    const el = ctx.el;
    const p = {
      year: /^\d{4}$/.test(params.get('year') || '') ? params.get('year') : null,
      country: (params.get('country') || '').toUpperCase() || null,
      stack: params.get('stack') === 'none' ? 'none' : null,
    };
    ctx = { ...ctx, country: p.country };
    const title = p.year ? t('timeline.heading_year', { year: yearText(p.year) }) : t('timeline.heading');
    ctx.setTitle(title);
    const status = el('p', { class: 'list-status', id: 'tl-status', role: 'status', 'aria-live': 'polite' });
    const body = el('div', { id: 'tl-body' });
    const back = p.year
      ? el('p', { class: 'tl-back' }, el('a', { href: '#/timeline' + ctx.query({ country: p.country, stack: p.stack }) }, t('timeline.all_years')))
      : '';
    ctx.view.append(ctx.heading(title), back,
      el('p', {}, p.year ? t('timeline.intro_year', { year: yearText(p.year) }) : t('timeline.intro', { first: yearText(1995) })),
      status, body);
    ctx.setLoading(t('timeline.loading'));
    const period = { year: p.year, stack: p.stack, from: p.year ? p.year + '-01-01' : null, to: p.year ? p.year + '-12-31' : null };
    try {
      const [answer, all, inPeriod] = await Promise.all([
        ctx.api('/api/timeline' + ctx.query({ country: p.country, year: p.year, stack: p.stack ? null : 'category' })),
        ctx.api('/api/alerts?limit=1'),
        p.year ? ctx.api('/api/alerts' + ctx.query({ limit: 1, from: period.from, to: period.to })) : null,
      ]);
      if (!ctx.current()) return;
      const order = ctx.categories.map(([slug]) => slug);
      const links = {
        listing: (b) => '#/' + ctx.query({ country: p.country, from: b.from, to: b.to }),
        months: (b) => '#/timeline' + ctx.query({ year: b.period, country: p.country, stack: p.stack }),
      };
      status.textContent = tp('timeline.total', answer.total) + (answer.total_exact ? '' : ' ' + t('timeline.inexact'));
      body.append(controls(ctx, all.facets, p),
        el('figure', { class: 'tl-figure' },
          el('figcaption', { id: 'tl-caption' }, captionText(answer, ctx)),
          el('div', { class: 'tl-frame' }, chart(answer, ctx, links, order)),
          legend(answer, ctx, order)),
        binsTable(answer, ctx, links),
        countriesTable((inPeriod || all).facets, ctx, period));
    } catch (e) {
      if (!ctx.current()) return;
      ctx.showError(t('timeline.failed', { reason: e.message }));
      status.replaceChildren(ctx.errorBox(t('timeline.failed', { reason: e.message })));
    } finally {
      if (ctx.current()) ctx.setLoading('');
    }
  }

  return { render };
})();
