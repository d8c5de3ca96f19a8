// The dashboard at GET /: a tile map and a table of people per dose, a week slider, and the last
// refresh with a button to run one. Everything comes from the JSON API on this origin:
//   GET /ratios[?as_of=YYYY-MM-DD]   the 51 rows (the current product, or as of a week)
//   GET /ratios/{state}/weekly       the allocation weeks (every state has every week)
//   GET /refreshes?limit=1           the last refresh and its sources
//   GET /health                      which successful refresh built the product shown (after a failed one)
//   POST /refresh                    a refresh (with Authorization: Bearer <token> when the service has one),
//                                    asked with Prefer: respond-async: 202 and the run's Location at once
//   GET /refreshes/{id}              that run, polled until it is no longer running
// Selecting a state (its tile or its name in the table) shows its weeks: trend.js draws them.
// The page's Content-Security-Policy allows only 'self': no inline script or style, so the DOM is
// built here with textContent and classes only (never innerHTML with data).
(function () {
  'use strict';

  // The common 8 × 12 US tile grid: [USPS code, name, row, column], rows and columns from 1.
  const TILES = [
    ['AK', 'Alaska', 1, 1], ['ME', 'Maine', 1, 12],
    ['VT', 'Vermont', 2, 11], ['NH', 'New Hampshire', 2, 12],
    ['WA', 'Washington', 3, 2], ['ID', 'Idaho', 3, 3], ['MT', 'Montana', 3, 4], ['ND', 'North Dakota', 3, 5],
    ['MN', 'Minnesota', 3, 6], ['IL', 'Illinois', 3, 7], ['WI', 'Wisconsin', 3, 8], ['MI', 'Michigan', 3, 9],
    ['NY', 'New York', 3, 10], ['RI', 'Rhode Island', 3, 11], ['MA', 'Massachusetts', 3, 12],
    ['OR', 'Oregon', 4, 2], ['NV', 'Nevada', 4, 3], ['WY', 'Wyoming', 4, 4], ['SD', 'South Dakota', 4, 5],
    ['IA', 'Iowa', 4, 6], ['IN', 'Indiana', 4, 7], ['OH', 'Ohio', 4, 8], ['PA', 'Pennsylvania', 4, 9],
    ['NJ', 'New Jersey', 4, 10], ['CT', 'Connecticut', 4, 11],
    ['CA', 'California', 5, 2], ['UT', 'Utah', 5, 3], ['CO', 'Colorado', 5, 4], ['NE', 'Nebraska', 5, 5],
    ['MO', 'Missouri', 5, 6], ['KY', 'Kentucky', 5, 7], ['WV', 'West Virginia', 5, 8], ['VA', 'Virginia', 5, 9],
    ['MD', 'Maryland', 5, 10], ['DE', 'Delaware', 5, 11],
    ['AZ', 'Arizona', 6, 3], ['NM', 'New Mexico', 6, 4], ['KS', 'Kansas', 6, 5], ['AR', 'Arkansas', 6, 6],
    ['TN', 'Tennessee', 6, 7], ['NC', 'North Carolina', 6, 8], ['SC', 'South Carolina', 6, 9],
    ['DC', 'District of Columbia', 6, 10],
    ['OK', 'Oklahoma', 7, 5], ['LA', 'Louisiana', 7, 6], ['MS', 'Mississippi', 7, 7], ['AL', 'Alabama', 7, 8],
    ['GA', 'Georgia', 7, 9],
    ['HI', 'Hawaii', 8, 1], ['TX', 'Texas', 8, 5], ['FL', 'Florida', 8, 10]
  ];

  /** Classes of the sequential scale (CSS: .bin-1, lightest, to .bin-5, darkest) and of no data. */
  const BINS = 5;
  const NO_DATA = 'no-data';

  const COLUMNS = {
    state: 'State',
    population: 'Population',
    doses_moderna: 'Moderna doses',
    doses_pfizer: 'Pfizer doses',
    doses_total: 'All doses',
    people_per_dose: 'People per dose'
  };

  const { make, isNumber, formatWeek, peoplePerDose, whole, ratio4 } = window.StateDosesShared;

  /** A row's people per dose with two decimals, rounded once from population / doses (null without doses). */
  const ratio2Of = (row) => peoplePerDose(row.population, row.doses_total, 2);
  const seconds = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 2 });
  const moment = new Intl.DateTimeFormat('en-US', {
    year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short'
  });
  const collator = new Intl.Collator('en-US');

  const state = {
    rows: [],
    weeks: [], // ISO dates, oldest first; the last is the current product
    shownIndex: 0, // the week whose numbers the map, table and summary show (the slider may be ahead, loading)
    productAt: null, // the refreshed_at of the product the page shows (its rows, weeks and last refresh)
    productTag: null, // the ETag of GET /ratios for that product: If-Match asks whether it is still current
    reloading: null, // the reload under way after the product changed, if any
    sort: { key: 'state', dir: 'ascending' },
    loadSeq: 0,
    selected: null, // the USPS code of the state whose weeks are shown
    token: null, // the refresh token: only in this page's memory, never stored
    boxRunning: false, // whether the last refresh, as the page last read it, was still running
    boxTimer: null // the next read of the last refresh, while it runs or could not be read
  };

  const $ = (id) => document.getElementById(id);
  let el;

  // ---- helpers ------------------------------------------------------------------------------------

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  /** An instant from the API (up to nanoseconds) as a Date: JavaScript reads milliseconds. */
  function parseInstant(iso) {
    return new Date(String(iso).replace(/(\.\d{3})\d+/, '$1'));
  }

  function formatDuration(ms) {
    return isNumber(ms) ? (ms < 1000 ? whole.format(ms) + ' ms' : seconds.format(ms / 1000) + ' s') : 'unknown time';
  }

  /** An error answer as people read it: a problem's title and detail, or the HTTP status. */
  class ApiError extends Error {
    constructor(response, body) {
      const title = body && typeof body.title === 'string' ? body.title : 'HTTP ' + response.status;
      const detail = body && typeof body.detail === 'string' ? body.detail : response.statusText;
      super(detail ? title + ': ' + detail : title);
      this.status = response.status;
      this.title = title;
      this.detail = detail;
      this.retryAfter = response.headers.get('Retry-After');
    }
  }

  async function readBody(response) {
    const type = response.headers.get('Content-Type') || '';
    if (!type.includes('json')) {
      return null;
    }
    try {
      return await response.json();
    } catch (e) {
      return null;
    }
  }

  async function getJson(url) {
    return (await getAnswer(url)).body;
  }

  /** A JSON answer and its ETag. */
  async function getAnswer(url) {
    const response = await fetch(url, { headers: { Accept: 'application/json' } });
    const body = await readBody(response);
    if (!response.ok) {
      throw new ApiError(response, body);
    }
    return { body, etag: response.headers.get('ETag') };
  }

  /**
   * Whether the product of ETag {@code etag} is still the current one: HEAD /ratios with
   * If-Match answers 412 once another product replaced it. True when that cannot be told.
   */
  async function stillCurrent(etag) {
    if (!etag) {
      return true;
    }
    try {
      const response = await fetch('/ratios', {
        method: 'HEAD', headers: { Accept: 'application/json', 'If-Match': etag }, cache: 'no-store'
      });
      return response.status !== 412;
    } catch (e) {
      return true;
    }
  }

  function setLoadStatus(text, kind) {
    el.loadStatus.textContent = text;
    el.loadStatus.className = 'load-status' + (kind ? ' ' + kind : '');
  }

  // ---- colour scale -------------------------------------------------------------------------------

  /**
   * Classes of the values shown: up to five distinct values get a colour each, spread over the
   * scale; more are split into five groups of about equal size (quantiles), equal values always
   * in one group. The legend shows each group's lowest and highest value.
   */
  function scaleFor(rows) {
    const values = rows.map((r) => r.people_per_dose).filter(isNumber).sort((a, b) => a - b);
    const distinct = [...new Set(values)];
    const classes = new Map();
    const bins = [];
    // The legend writes each group's bounds with fewer decimals than the API's four: from the rows'
    // exact values (population / doses), lowest and highest of each value.
    const exact = (r) => r.population / r.doses_total;
    const ends = new Map();
    for (const r of rows.filter((row) => isNumber(row.people_per_dose))) {
      const at = ends.get(r.people_per_dose);
      if (!at) {
        ends.set(r.people_per_dose, { low: r, high: r });
      } else {
        at.low = exact(r) < exact(at.low) ? r : at.low;
        at.high = exact(r) > exact(at.high) ? r : at.high;
      }
    }
    if (distinct.length > 0 && distinct.length <= BINS) {
      distinct.forEach((v, i) => {
        const className = 'bin-' + (distinct.length === 1 ? 3 : Math.round(i * (BINS - 1) / (distinct.length - 1)) + 1);
        classes.set(v, className);
        bins.push({ from: ends.get(v).low, to: ends.get(v).high, className });
      });
    } else if (distinct.length > BINS) {
      distinct.forEach((v) => {
        const group = Math.min(BINS - 1, Math.floor(values.indexOf(v) * BINS / values.length));
        const className = 'bin-' + (group + 1);
        classes.set(v, className);
        const last = bins[bins.length - 1];
        if (last && last.className === className) {
          last.to = ends.get(v).high;
        } else {
          bins.push({ from: ends.get(v).low, to: ends.get(v).high, className });
        }
      });
    }
    return { bins, classOf: (v) => (isNumber(v) && classes.has(v) ? classes.get(v) : NO_DATA) };
  }

  // ---- map ----------------------------------------------------------------------------------------

  function drawTiles() {
    const items = TILES.map(([code, name, row, column]) => {
      const tile = make('li', 'tile r' + row + ' c' + column + ' ' + NO_DATA);
      tile.dataset.stateCode = code;
      tile.tabIndex = 0;
      if (row <= 2) {
        tile.classList.add('tip-below');
      }
      if (column <= 2) {
        tile.classList.add('tip-start');
      } else if (column >= 11) {
        tile.classList.add('tip-end');
      }
      const face = make('span', 'tile-face');
      face.setAttribute('aria-hidden', 'true');
      face.append(make('span', 'tile-code', code), make('span', 'tile-value', ''));
      const tip = make('span', 'tip');
      tip.setAttribute('aria-hidden', 'true');
      tip.append(make('strong', 'tip-name', name), make('span', 'tip-value', ''), make('span', 'tip-extra', ''));
      tile.append(face, tip);
      tile.setAttribute('aria-label', name + ': no data');
      return tile;
    });
    el.map.replaceChildren(...items);
  }

  function paintMap(rows, scale) {
    const byCode = new Map(rows.map((r) => [r.state_code, r]));
    for (const tile of el.map.children) {
      const code = tile.dataset.stateCode;
      const name = TILES.find((t) => t[0] === code)[1];
      const row = byCode.get(code);
      const value = row ? row.people_per_dose : null;
      tile.classList.remove(NO_DATA);
      for (let i = 1; i <= BINS; i++) {
        tile.classList.remove('bin-' + i);
      }
      tile.classList.add(scale.classOf(value));
      const shown = isNumber(value) ? ratio2Of(row) : '';
      const said = isNumber(value) ? shown + ' people per dose'
        : row ? 'no doses (no data)' : 'no data';
      tile.setAttribute('aria-label', (row ? row.state : name) + ': ' + said);
      tile.querySelector('.tile-value').textContent = shown;
      tile.querySelector('.tip-name').textContent = row ? row.state : name;
      tile.querySelector('.tip-value').textContent = isNumber(value) ? ratio4.format(value) + ' people per dose' : said;
      tile.querySelector('.tip-extra').textContent = row
        ? whole.format(row.population) + ' people · ' + whole.format(row.doses_total) + ' doses'
        : '';
    }
    markSelected();
  }

  /**
   * The fewest decimals (2 to 4) that tell each group's bounds from the next group's, as a
   * function of a bound (a row): its exact people per dose, rounded once.
   */
  function legendFormat(bins) {
    for (let digits = 2; digits <= 4; digits++) {
      const format = (row) => peoplePerDose(row.population, row.doses_total, digits);
      if (digits === 4 || bins.every((bin, i) => i === 0 || format(bins[i - 1].to) !== format(bin.from))) {
        return format;
      }
    }
    return null;
  }

  function drawLegend(scale) {
    const format = legendFormat(scale.bins);
    const items = scale.bins.map((bin) => {
      const item = make('li', 'legend-item');
      const swatch = make('span', 'swatch ' + bin.className);
      swatch.setAttribute('aria-hidden', 'true');
      const from = format(bin.from);
      const to = format(bin.to);
      const label = from === to ? from : from + ' – ' + to;
      item.append(swatch, make('span', null, label));
      return item;
    });
    const none = make('li', 'legend-item');
    const swatch = make('span', 'swatch ' + NO_DATA);
    swatch.setAttribute('aria-hidden', 'true');
    none.append(swatch, make('span', null, 'No doses (no data)'));
    items.push(none);
    el.legend.replaceChildren(...items);
  }

  // ---- table --------------------------------------------------------------------------------------

  function compareRows(a, b) {
    const { key, dir } = state.sort;
    const x = a[key];
    const y = b[key];
    const xMissing = x === null || x === undefined;
    const yMissing = y === null || y === undefined;
    if (xMissing !== yMissing) {
      return xMissing ? 1 : -1; // states without a value come last, either way (as GET /ratios?sort= does)
    }
    let order = 0;
    if (!xMissing) {
      order = typeof x === 'string' ? collator.compare(x, y) : x - y;
    }
    if (dir === 'descending') {
      order = -order;
    }
    return order !== 0 ? order : collator.compare(a.state, b.state);
  }

  function numberCell(value) {
    return make('td', 'num', isNumber(value) ? whole.format(value) : '–');
  }

  function drawTable(scale) {
    const tbody = el.table.tBodies[0];
    if (state.rows.length === 0) {
      const tr = make('tr', 'empty');
      const td = make('td', null, 'No data yet: run a refresh to load the sources.');
      td.colSpan = 6;
      tr.append(td);
      tbody.replaceChildren(tr);
      return;
    }
    const rows = state.rows.slice().sort(compareRows).map((r) => {
      const tr = make('tr');
      tr.dataset.stateCode = r.state_code;
      const name = make('th', 'text');
      name.scope = 'row';
      // A button: selecting the state's name shows its weeks.
      const select = make('button', 'state-select');
      select.type = 'button';
      select.dataset.stateCode = r.state_code;
      select.append(make('span', 'state-name', r.state), make('span', 'state-code', r.state_code));
      select.querySelector('.state-code').setAttribute('aria-hidden', 'true');
      name.append(select);
      const ratio = make('td', 'num ratio');
      const swatch = make('span', 'swatch ' + scale.classOf(r.people_per_dose));
      swatch.setAttribute('aria-hidden', 'true');
      ratio.append(swatch);
      if (isNumber(r.people_per_dose)) {
        ratio.append(make('span', 'ratio-value', ratio4.format(r.people_per_dose)));
      } else {
        ratio.classList.add('none');
        ratio.append(make('span', 'ratio-value', 'no doses'));
      }
      tr.append(name, ratio, numberCell(r.population), numberCell(r.doses_total), numberCell(r.doses_moderna),
        numberCell(r.doses_pfizer));
      return tr;
    });
    tbody.replaceChildren(...rows);
    markSelected();
  }

  // ---- a state's weeks ----------------------------------------------------------------------------

  /** Shows the weeks of the state {@code code} (trend.js), and marks its tile and row. */
  function selectState(code, focus) {
    const row = state.rows.find((r) => r.state_code === code);
    if (!row || !window.StateDosesTrend) {
      return;
    }
    state.selected = code;
    markSelected();
    window.StateDosesTrend.show(row, state.weeks.length ? state.weeks[weekIndex()] : null, focus);
  }

  function markSelected() {
    for (const node of document.querySelectorAll('#map [data-state-code], #states tbody tr[data-state-code]')) {
      if (node.dataset.stateCode === state.selected) {
        node.setAttribute('aria-current', 'true');
      } else {
        node.removeAttribute('aria-current');
      }
    }
  }

  function onMapClick(event) {
    const tile = event.target.closest('[data-state-code]');
    if (tile) {
      selectState(tile.dataset.stateCode, false);
    }
  }

  function onMapKey(event) {
    const tile = event.target.closest('[data-state-code]');
    if (tile && (event.key === 'Enter' || event.key === ' ')) {
      event.preventDefault(); // no scrolling on Space
      selectState(tile.dataset.stateCode, true);
    }
  }

  function onTableClick(event) {
    const button = event.target.closest('button.state-select');
    if (button) {
      // A keyboard's Enter or Space clicks a button too (event.detail 0): then the focus follows.
      selectState(button.dataset.stateCode, event.detail === 0);
    }
  }

  function onTrendClosed() {
    const code = state.selected;
    state.selected = null;
    markSelected();
    const tile = code && el.map.querySelector('[data-state-code=' + code + ']');
    if (tile) {
      tile.focus();
    }
  }

  function drawSortState() {
    for (const th of el.table.tHead.rows[0].cells) {
      const active = th.dataset.key === state.sort.key;
      if (active) {
        th.setAttribute('aria-sort', state.sort.dir);
      } else {
        th.removeAttribute('aria-sort');
      }
      th.querySelector('.sort-mark').textContent = active ? (state.sort.dir === 'ascending' ? '▲' : '▼') : '';
    }
    const week = state.weeks.length ? ', up to the week of ' + formatWeek(state.weeks[weekIndex()]) : '';
    const text = 'People per dose, by state' + week + '. Sorted by ' + COLUMNS[state.sort.key] + ', '
      + state.sort.dir + '. Select a column heading to sort by it; select it again to reverse.';
    el.caption.textContent = text;
    el.tableSummary.textContent = text;
  }

  function sortBy(key) {
    if (state.sort.key === key) {
      state.sort.dir = state.sort.dir === 'ascending' ? 'descending' : 'ascending';
    } else {
      state.sort = { key, dir: 'ascending' };
    }
    drawSortState();
    drawTable(scaleFor(state.rows));
  }

  /** One line on the week: the states with the fewest and the most people per dose, and those with none. */
  function drawSummary(rows) {
    const valued = rows.filter((r) => isNumber(r.people_per_dose))
      .sort((a, b) => a.people_per_dose - b.people_per_dose || collator.compare(a.state, b.state));
    const parts = [];
    const text = (t) => document.createTextNode(t);
    if (rows.length === 0) {
      el.summary.replaceChildren();
      return;
    }
    if (valued.length === 0) {
      parts.push(text('No state has any doses up to this week.'));
    } else {
      const low = valued[0];
      const high = valued[valued.length - 1];
      parts.push(text('Fewest people per dose: '), make('strong', null, low.state),
        text(' (' + ratio2Of(low) + ')'));
      if (valued.length > 1) {
        parts.push(text('. Most: '), make('strong', null, high.state),
          text(' (' + ratio2Of(high) + ')'));
      }
      parts.push(text('.'));
      const none = rows.length - valued.length;
      if (none > 0) {
        parts.push(text(' ' + none + (none === 1 ? ' state has' : ' states have') + ' no doses yet.'));
      }
    }
    el.summary.replaceChildren(...parts);
  }

  function render(rows) {
    state.rows = rows;
    const scale = scaleFor(rows);
    drawSummary(rows);
    paintMap(rows, scale);
    drawLegend(scale);
    drawSortState();
    drawTable(scale);
  }

  // ---- weeks --------------------------------------------------------------------------------------

  function weekIndex() {
    return Number(el.week.value);
  }

  function drawWeekLabel() {
    if (state.weeks.length === 0) {
      el.weekLabel.textContent = state.rows.length ? 'the latest week' : 'no data yet';
      el.week.removeAttribute('aria-valuetext');
      return;
    }
    const index = weekIndex();
    const iso = state.weeks[index];
    const latest = index === state.weeks.length - 1;
    const time = make('time', null, formatWeek(iso));
    time.dateTime = iso;
    el.weekLabel.replaceChildren(time);
    if (latest) {
      el.weekLabel.append(make('span', 'badge', 'latest'));
    }
    el.week.setAttribute('aria-valuetext', formatWeek(iso) + (latest ? ', the latest week' : ''));
  }

  function setWeeks(weeks) {
    state.weeks = weeks;
    el.week.max = String(Math.max(0, weeks.length - 1));
    el.week.value = String(Math.max(0, weeks.length - 1));
    el.week.disabled = weeks.length < 2;
    el.weekFirst.textContent = weeks.length ? formatWeek(weeks[0]) : '';
    el.weekLast.textContent = weeks.length ? formatWeek(weeks[weeks.length - 1]) : '';
    state.shownIndex = Math.max(0, weeks.length - 1);
    drawWeekLabel();
  }

  /**
   * Puts the slider, its label and the table's caption back on the week whose numbers are shown:
   * a week that could not be loaded must not name numbers of another.
   */
  function backToShownWeek() {
    el.week.value = String(state.shownIndex);
    drawWeekLabel();
    drawSortState();
    if (window.StateDosesTrend && state.weeks.length) {
      window.StateDosesTrend.week(state.weeks[state.shownIndex]);
    }
  }

  /** The rows as of the chosen week (the newest week is the current product); stale answers are dropped. */
  async function loadWeek() {
    const seq = ++state.loadSeq;
    const index = weekIndex();
    const latest = index === state.weeks.length - 1;
    const url = latest ? '/ratios' : '/ratios?as_of=' + encodeURIComponent(state.weeks[index]);
    el.tableCard.setAttribute('aria-busy', 'true');
    try {
      const rows = await getJson(url);
      if (seq !== state.loadSeq) {
        return;
      }
      if (rows.length && rows[0].refreshed_at !== state.productAt) {
        // A refresh made elsewhere (another client or instance, the schedule) built another
        // product: its rows must not be drawn under this product's weeks and last refresh.
        await productChanged(latest ? null : state.weeks[index]);
        return;
      }
      state.shownIndex = index;
      render(rows);
      setLoadStatus('');
    } catch (e) {
      if (seq === state.loadSeq) {
        // The map, table and summary still show the week before: so do the slider and its label.
        backToShownWeek();
        setLoadStatus('Could not load the week of ' + formatWeek(state.weeks[index]) + ': the page still shows '
          + 'the week of ' + formatWeek(state.weeks[state.shownIndex]) + '. ' + e.message, 'error');
      }
    } finally {
      if (seq === state.loadSeq) {
        el.tableCard.removeAttribute('aria-busy');
      }
    }
  }

  let weekTimer = null;

  function onWeekInput() {
    drawWeekLabel();
    if (window.StateDosesTrend && state.weeks.length) {
      window.StateDosesTrend.week(state.weeks[weekIndex()]);
    }
    clearTimeout(weekTimer);
    weekTimer = setTimeout(loadWeek, 120);
  }

  /**
   * The current product and its weeks. The product is drawn even when the weeks cannot be read
   * (the service serves the product from memory while its warehouse is away): the slider waits.
   * What is drawn together is of one product: when another came in between (a refresh elsewhere),
   * everything is read again, a few times at most. {@code keepWeek}: a week to show again if the
   * product has it and it is not the newest (else the newest week is shown).
   */
  async function loadProduct(keepWeek) {
    const seq = ++state.loadSeq;
    let got;
    for (let attempt = 1; ; attempt++) {
      try {
        got = await readProduct(keepWeek);
      } catch (e) {
        if (seq === state.loadSeq) {
          setLoadStatus('Could not load the data. ' + e.message, 'error');
          el.tableCard.removeAttribute('aria-busy');
        }
        return;
      }
      if (seq !== state.loadSeq) {
        return;
      }
      if (got.oneProduct || attempt >= 4) {
        break;
      }
      // A product of another instance reaches this one's memory by NOTIFY, within about a second.
      await sleep(250 * attempt);
      if (seq !== state.loadSeq) {
        return;
      }
    }
    const rows = got.rows;
    state.productAt = rows.length ? rows[0].refreshed_at : null;
    state.productTag = got.etag;
    state.rows = got.shown; // the week's label says "the latest week" or "no data yet" by them
    setWeeks(got.weeks);
    if (got.index >= 0 && got.index !== got.weeks.length - 1) {
      el.week.value = String(got.index);
      state.shownIndex = got.index;
      drawWeekLabel();
    }
    render(got.shown);
    el.tableCard.removeAttribute('aria-busy');
    if (got.weeksError) {
      setLoadStatus('Showing the current product; the earlier weeks could not be loaded. ' + got.weeksError.message,
        'error');
    } else if (got.weekError) {
      setLoadStatus('Could not load the week of ' + formatWeek(keepWeek) + ': the page shows the newest week, '
        + formatWeek(got.weeks[got.weeks.length - 1]) + '. ' + got.weekError.message, 'error');
    } else if (rows.length === 0) {
      setLoadStatus('No data yet: run a refresh to load the sources.', 'info');
    } else {
      setLoadStatus('');
    }
  }

  /** One reading of the product, its weeks and (keepWeek) a week of it, and whether they are of one product. */
  async function readProduct(keepWeek) {
    const answer = await getAnswer('/ratios');
    const rows = answer.body;
    const got = {
      rows, etag: answer.etag, weeks: [], weeksError: null, shown: rows, index: -1, weekError: null, oneProduct: true
    };
    if (rows.length) {
      try {
        got.weeks = (await getJson('/ratios/' + encodeURIComponent(rows[0].state_code) + '/weekly')).map((w) => w.week);
      } catch (e) {
        got.weeksError = e;
      }
    }
    got.index = got.weeks.length - 1;
    const at = keepWeek ? got.weeks.indexOf(keepWeek) : -1;
    if (at >= 0 && at < got.weeks.length - 1) {
      try {
        const asOf = await getJson('/ratios?as_of=' + encodeURIComponent(keepWeek));
        if (asOf.length && asOf[0].refreshed_at === rows[0].refreshed_at) {
          got.shown = asOf;
          got.index = at;
        } else {
          got.oneProduct = false;
        }
      } catch (e) {
        got.weekError = e;
      }
    }
    if (got.oneProduct && rows.length && !got.weeksError) {
      // The weeks were read after the rows: of the same product if the rows are still current.
      got.oneProduct = await stillCurrent(answer.etag);
    }
    return got;
  }

  /** The week the slider shows, when it is not the newest (a reload shows it again); else null. */
  function shownWeek() {
    return state.shownIndex < state.weeks.length - 1 ? state.weeks[state.shownIndex] : null;
  }

  /**
   * After a refresh that built nothing, before the page says which run it still shows: the page's
   * product is brought up to the service's, when another came in meanwhile (another client's or
   * instance's refresh). It said "the page still shows run 13" over run 12's numbers.
   */
  async function catchUp() {
    if (state.productTag && !(await stillCurrent(state.productTag))) {
      await productChanged(shownWeek());
    }
  }

  /**
   * The product changed since the page loaded it: its rows, weeks and last refresh are read
   * again, together, and the chart's weeks too; {@code keepWeek} as for loadProduct. One reload
   * at a time: those who find the change meanwhile wait for it.
   */
  function productChanged(keepWeek) {
    if (!state.reloading) {
      state.reloading = (async () => {
        try {
          await Promise.all([loadProduct(keepWeek), loadLastRefresh()]);
          if (window.StateDosesTrend) {
            window.StateDosesTrend.reset(state.rows.find((r) => r.state_code === state.selected));
          }
          if (!el.loadStatus.textContent) {
            setLoadStatus('The data changed since this page loaded it (a refresh): the page now shows the new data.',
              'info');
          }
        } finally {
          state.reloading = null;
        }
      })();
    }
    return state.reloading;
  }

  // ---- refresh ------------------------------------------------------------------------------------

  function drawLastRefresh(runs) {
    const box = el.lastRefresh;
    if (!runs || runs.length === 0) {
      box.replaceChildren(make('p', 'muted', 'No refresh has run yet.'));
      return;
    }
    const run = runs[0];
    const when = run.finished_at || run.started_at;
    const list = make('dl', 'facts');
    const add = (term, ...value) => {
      const dd = make('dd');
      dd.append(...value);
      list.append(make('dt', null, term), dd);
    };
    const time = make('time', null, moment.format(parseInstant(when)));
    time.dateTime = when;
    add(run.finished_at ? 'Last refresh' : 'Started', time);
    add('Status', make('span', 'status-badge ' + run.status, run.status));
    if (isNumber(run.state_rows)) {
      add('State rows', whole.format(run.state_rows));
    }
    if (isNumber(run.duration_ms)) {
      add('Took', formatDuration(run.duration_ms));
    }
    const parts = [list];
    if (run.error) {
      parts.push(make('p', 'run-error', run.error));
    }
    // A failed run (or one still running) left the product as it was: say which run built it. An
    // unchanged run is a success: it found the sources as before and kept the product it names.
    if (run.status !== 'succeeded' && run.status !== 'unchanged') {
      const note = make('p', 'shown-run', '');
      parts.push(note);
      shownRun().then((text) => {
        note.textContent = text;
      });
    }
    if (run.sources && run.sources.length) {
      parts.push(make('h3', 'sources-title', 'Sources'));
      const sources = make('ul', 'sources');
      for (const s of run.sources) {
        const item = make('li', 'source');
        const head = make('p', 'source-head');
        head.append(make('strong', null, s.source), make('span', null, whole.format(s.rows) + ' rows'));
        if (s.unchanged) {
          // Its upstream answered 304 (or its bytes hashed the same): not loaded again.
          head.append(make('span', 'source-unchanged', 'unchanged'));
        }
        const hash = make('code', 'sha', String(s.sha256 || '').slice(0, 12));
        hash.title = 'SHA-256 ' + s.sha256;
        const sha = make('p', 'source-sha');
        sha.append(make('span', 'muted', 'SHA-256 '), hash);
        item.append(head, make('p', 'source-url', s.url), sha);
        sources.append(item);
      }
      parts.push(sources);
    }
    box.replaceChildren(...parts);
  }

  /**
   * Which successful refresh built the product on the page, in words (GET /health names it): what
   * the page still shows after a failed refresh, or while one runs.
   */
  async function shownRun() {
    try {
      // 200 or 503: the same status document either way.
      const response = await fetch('/health', { headers: { Accept: 'application/json' }, cache: 'no-store' });
      const body = await readBody(response);
      const last = body && body.last_successful_refresh;
      if (!last) {
        return body && body.product === 'empty' ? 'No refresh has succeeded yet: there is no data to show.'
          : 'The page still shows the data it had.';
      }
      const time = moment.format(parseInstant(last.finished_at));
      return 'The page still shows run ' + last.run_id + ', the last successful refresh (finished ' + time + ').';
    } catch (e) {
      return 'The page still shows the data it had.';
    }
  }

  /**
   * How often the last refresh is read again while it shows a run still running, or could not be
   * read: a run elsewhere ends, a warehouse comes back. Read only when the page read, the box kept
   * "running" after the run had ended, and "could not load" after the warehouse was back.
   */
  const BOX_RECHECK_MS = 3000;

  async function loadLastRefresh() {
    clearTimeout(state.boxTimer);
    let again;
    try {
      const runs = await getJson('/refreshes?limit=1');
      drawLastRefresh(runs);
      const running = Boolean(runs && runs.length && runs[0].status === 'running');
      if (state.boxRunning && !running) {
        // The run it followed ended: a product it built is the page's too.
        catchUp();
      }
      state.boxRunning = running;
      again = running;
    } catch (e) {
      el.lastRefresh.replaceChildren(make('p', 'error', 'Could not load the last refresh. ' + e.message));
      again = true;
    }
    state.boxTimer = again ? setTimeout(loadLastRefresh, BOX_RECHECK_MS) : null;
  }

  function setRefreshStatus(text, kind) {
    el.refreshStatus.textContent = text;
    el.refreshStatus.className = 'refresh-status' + (kind ? ' ' + kind : '');
  }

  function showTokenForm(hint, refused) {
    el.tokenHint.textContent = hint;
    el.tokenHint.classList.toggle('error', Boolean(refused));
    el.tokenForm.hidden = false;
    el.token.setAttribute('aria-invalid', refused ? 'true' : 'false');
    el.token.focus();
  }

  function hideTokenForm() {
    const hadFocus = el.tokenForm.contains(document.activeElement);
    el.tokenForm.hidden = true;
    el.token.value = '';
    if (hadFocus) {
      el.refreshButton.focus();
    }
  }

  function setRefreshing(busy) {
    el.refreshButton.disabled = busy;
    el.tokenSubmit.disabled = busy;
    el.refreshButton.textContent = busy ? 'Refreshing…' : 'Refresh now';
    if (busy) {
      el.refreshCard.setAttribute('aria-busy', 'true');
    } else {
      el.refreshCard.removeAttribute('aria-busy');
    }
  }

  const POLL_MS = 500;
  /** How long the page keeps asking after a run while the service does not answer (a warehouse blip, a restart). */
  const FOLLOW_PATIENCE_MS = 30000;

  /** An error worth asking again after: no answer at all, or a 5xx, 408 or 429 (the run goes on regardless). */
  function transient(error) {
    return !(error instanceof ApiError) || error.status >= 500 || error.status === 408 || error.status === 429;
  }

  /** {@code text} as a sentence: with a full stop at its end unless it has one. */
  function sentence(text) {
    const t = String(text || '').trim();
    return t === '' || /[.!?…]$/.test(t) ? t : t + '.';
  }

  /**
   * Follows an asynchronous refresh (its Location) until it has ended; answers the run.
   * {@code other}: a run this page did not start (another client's, instance's, the schedule's).
   */
  async function followRun(location, runId, other) {
    const started = Date.now();
    let failing = null; // since when, and why, the service has not answered about the run
    for (;;) {
      const seconds = Math.round((Date.now() - started) / 1000);
      const time = seconds > 0 ? ' (' + seconds + ' s)' : '';
      const asking = failing ? ' The last check got no answer (' + failing.error.message + '): asking again.' : '';
      setRefreshStatus((other
        ? 'Another refresh is running, run ' + runId + time + ': the page follows it to its end.'
        : 'Refreshing… run ' + runId + ' is running' + time + ': fetching the sources and rebuilding the table.')
        + asking, 'busy');
      let run;
      try {
        run = await getJson(location);
      } catch (e) {
        if (!transient(e)) {
          throw e;
        }
        // One failed check says nothing of the run, which goes on in the service: ask again, a while.
        failing = { since: failing ? failing.since : Date.now(), error: e };
        if (Date.now() - failing.since >= FOLLOW_PATIENCE_MS) {
          return { run_id: runId, status: 'unknown', error: e.message };
        }
        await sleep(POLL_MS * 2);
        continue;
      }
      failing = null;
      if (run.status !== 'running') {
        return run;
      }
      await sleep(POLL_MS);
    }
  }

  /**
   * A run (or a report) that ended well: it built the table, or found nothing changed and kept it.
   * {@code prefix}: what comes before, when the run was another's.
   */
  async function showRefreshed(run, prefix) {
    hideTokenForm();
    if (run.status === 'unchanged') {
      setRefreshStatus((prefix || '') + 'Nothing changed in the sources since the last refresh: the table stays as '
        + 'it was (run ' + run.run_id + ', ' + formatDuration(run.duration_ms) + ').', 'ok');
    } else {
      setRefreshStatus((prefix || '') + 'Refresh done: ' + whole.format(run.state_rows) + ' state rows in '
        + formatDuration(run.duration_ms) + ' (run ' + run.run_id + ').', 'ok');
    }
    // The week shown stays, if it was not the newest: an unchanged run jumped the page to the
    // newest week under "the table stays as it was".
    await Promise.all([loadProduct(shownWeek()), loadLastRefresh()]);
    if (window.StateDosesTrend) {
      window.StateDosesTrend.reset(state.rows.find((r) => r.state_code === state.selected));
    }
  }

  /** How a followed run ended, after {@code prefix}: its result, or its error and the run the page still shows. */
  async function showOutcome(run, prefix) {
    if (run.status === 'succeeded' || run.status === 'unchanged') {
      await showRefreshed(run, prefix);
      return;
    }
    if (run.status === 'unknown') {
      // followRun gave up asking: the run itself may well finish.
      setRefreshStatus(prefix + 'Could not follow run ' + run.run_id + ' to its end: the service has not answered for '
        + Math.round(FOLLOW_PATIENCE_MS / 1000) + ' s (' + run.error + '). The run may still finish: reload the page '
        + 'later to see how it ended.', 'error');
      return;
    }
    const failed = prefix + 'Refresh failed (run ' + run.run_id + '). ' + sentence(run.error || run.status);
    setRefreshStatus(failed, 'error');
    // The product did not change: say which successful run the page still shows, once it does.
    await catchUp();
    const [shown] = await Promise.all([shownRun(), loadLastRefresh()]);
    setRefreshStatus(failed + ' ' + shown, 'error');
  }

  /** The run in progress, as the run log shows it (GET /refreshes?limit=1), or null. */
  async function runningRun() {
    try {
      const runs = await getJson('/refreshes?limit=1');
      return runs && runs.length && runs[0].status === 'running' ? runs[0] : null;
    } catch (e) {
      return null;
    }
  }

  async function refresh() {
    setRefreshing(true);
    setRefreshStatus('Refreshing… fetching the sources and rebuilding the table.', 'busy');
    const sent = state.token;
    // respond-async: the service answers 202 as soon as the run is on record, and the page
    // follows the run, so a slow source never leaves a request hanging.
    const headers = { Accept: 'application/json', Prefer: 'respond-async' };
    if (sent !== null) {
      headers.Authorization = 'Bearer ' + sent;
    }
    try {
      const response = await fetch('/refresh', { method: 'POST', headers, cache: 'no-store' });
      const body = await readBody(response);
      if (response.status === 202 && body) {
        hideTokenForm();
        const run = await followRun(response.headers.get('Location') || '/refreshes/' + body.run_id, body.run_id);
        await showOutcome(run, '');
      } else if (response.status === 409 && body && body.type === '/problems/refresh-running') {
        // Nothing failed: another refresh (another client's or instance's, the schedule's) runs on
        // this warehouse. The run log shows it: the page follows it to its end.
        const error = new ApiError(response, body);
        const running = await runningRun();
        if (running) {
          const run = await followRun('/refreshes/' + running.run_id, running.run_id, true);
          await showOutcome(run, 'Another refresh was already running (run ' + running.run_id
            + '), so the page followed it instead of starting one. ');
        } else {
          const retry = error.retryAfter ? ' Try again in ' + error.retryAfter + ' seconds.' : '';
          setRefreshStatus('Another refresh is running, so none was started: ' + sentence(error.detail) + retry, 'info');
        }
      } else if (response.ok && body) {
        // A service that answered synchronously after all: the report itself.
        await showRefreshed(body);
      } else if (response.status === 401) {
        const error = new ApiError(response, body);
        state.token = null;
        if (sent === null) {
          showTokenForm('This service needs its refresh token to refresh.', false);
          setRefreshStatus('A refresh token is needed (' + error.title + '): enter it below.', 'info');
        } else {
          showTokenForm('That token was refused. Check it and try again.', true);
          setRefreshStatus('Refresh refused. ' + error.message, 'error');
        }
      } else {
        const error = new ApiError(response, body);
        const retry = error.retryAfter ? ' Try again in ' + error.retryAfter + ' seconds.' : '';
        const failed = 'Refresh failed. ' + sentence(error.message) + retry;
        setRefreshStatus(failed, 'error');
        // The product did not change: say which successful run the page still shows, once it does.
        await catchUp();
        const [shown] = await Promise.all([shownRun(), loadLastRefresh()]);
        setRefreshStatus(failed + ' ' + shown, 'error');
      }
    } catch (e) {
      if (e instanceof ApiError) {
        // An answer while following the run (a 404: the service does not know it).
        setRefreshStatus('Could not follow the refresh. ' + sentence(e.message), 'error');
      } else {
        // No answer to the request: a refresh may or may not have started.
        setRefreshStatus('The service did not answer the refresh request (' + e.message + '): the page cannot tell '
          + 'whether a refresh started. Reload the page to see the last refresh.', 'error');
      }
    } finally {
      setRefreshing(false);
    }
  }

  function onTokenSubmit(event) {
    event.preventDefault();
    const token = el.token.value.trim();
    if (token === '') {
      showTokenForm('Enter the refresh token (REFRESH_TOKEN of the service).', true);
      return;
    }
    if (!/^[\x20-\x7e]+$/.test(token)) {
      // A header carries no other: fetch refused to send it, and the page said the service did not
      // answer. The service refuses to start with such a token, so it cannot be the service's.
      showTokenForm('That token cannot be the service\'s: a refresh token holds only ASCII letters, digits, '
        + 'signs and spaces, and this one has other characters. Check it and try again.', true);
      return;
    }
    state.token = token;
    el.token.value = '';
    refresh();
  }

  // ---- start --------------------------------------------------------------------------------------

  function start() {
    el = {
      map: $('map'),
      legend: $('legend'),
      table: $('states'),
      caption: $('table-caption'),
      tableSummary: $('table-summary'),
      summary: $('summary'),
      tableCard: document.querySelector('.table-card'),
      week: $('week'),
      weekLabel: $('week-label'),
      weekFirst: $('week-first'),
      weekLast: $('week-last'),
      loadStatus: $('load-status'),
      lastRefresh: $('last-refresh'),
      refreshCard: document.querySelector('.refresh-card'),
      refreshButton: $('refresh-button'),
      refreshStatus: $('refresh-status'),
      tokenForm: $('token-form'),
      tokenHint: $('token-hint'),
      token: $('token'),
      tokenSubmit: document.querySelector('#token-form button[type=submit]')
    };
    for (const th of el.table.tHead.rows[0].cells) {
      th.querySelector('button').addEventListener('click', () => sortBy(th.dataset.key));
    }
    el.week.addEventListener('input', onWeekInput);
    el.map.addEventListener('click', onMapClick);
    el.map.addEventListener('keydown', onMapKey);
    el.table.tBodies[0].addEventListener('click', onTableClick);
    document.addEventListener('state-doses:trend-closed', onTrendClosed);
    el.refreshButton.addEventListener('click', refresh);
    if (window.StateDosesTrend) {
      // A state's weeks are read when it is selected: they must be of the product the page shows.
      window.StateDosesTrend.checkProduct = async () => {
        if (await stillCurrent(state.productTag)) {
          return true;
        }
        productChanged(shownWeek());
        return false;
      };
    }
    el.tokenForm.addEventListener('submit', onTokenSubmit);
    $('token-cancel').addEventListener('click', () => {
      hideTokenForm();
      el.refreshButton.focus();
      setRefreshStatus('');
    });
    drawTiles();
    drawSortState();
    setLoadStatus('Loading…', 'info');
    loadProduct();
    loadLastRefresh();
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
}());
