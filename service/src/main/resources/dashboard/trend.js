// A state's weeks on the dashboard: people per dose (a line, every dose up to each week) over the
// doses allocated in each week (bars, Moderna and Pfizer), as an SVG drawn here from
// GET /ratios/{state}/weekly, and the same numbers as a table for screen readers. No library and
// nothing from another host: the page's Content-Security-Policy allows only 'self', so the SVG is
// built with createElementNS, attributes and the classes of dashboard.css (no inline style).
// dashboard.js calls window.StateDosesTrend.show(row, week) when a state is selected, and .week()
// when the week slider moves.
(function () {
  'use strict';

  const SVG = 'http://www.w3.org/2000/svg';
  // The drawing's own units (the SVG scales to the card's width).
  const WIDTH = 640;
  /** The least room left of the panels, for their ticks; more when a tick needs it (draw). */
  const LEFT = 56;
  const RIGHT = 12;
  const LINE_TOP = 26;
  const LINE_HEIGHT = 110;
  const BARS_TOP = 166;
  const BARS_HEIGHT = 80;
  const HEIGHT = BARS_TOP + BARS_HEIGHT + 24;

  const { make, isNumber, formatWeek, peoplePerDose, whole, ratio4 } = window.StateDosesShared;
  /** dashboard.css's narrow screens, where the chart's text is 19 units high, not 11 (it stays legible scaled down). */
  const NARROW = window.matchMedia('(max-width: 600px)');

  /** A week's people per dose with two decimals, rounded once from the state's population / its doses to date. */
  function ratio2Of(week) {
    return peoplePerDose(view.row.population, week.doses_total, 2);
  }

  const view = {
    row: null, // the state's row of GET /ratios (state, state_code, ...)
    weeks: [], // its weeks, oldest first
    index: -1, // the week read out
    seq: 0,
    cache: new Map() // state code -> weeks; emptied when the product changes
  };
  let el;

  function svg(tag, attributes, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      node.setAttribute(name, String(value));
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function ratioText(value) {
    return isNumber(value) ? ratio4.format(value) : 'no doses yet';
  }

  /** One week in words, as the readout and the chart's points say it. */
  function describe(week) {
    return 'Week of ' + formatWeek(week.week) + ': ' + whole.format(week.doses_moderna) + ' Moderna and '
      + whole.format(week.doses_pfizer) + ' Pfizer doses allocated; ' + whole.format(week.doses_total)
      + ' doses to date, ' + (isNumber(week.people_per_dose) ? ratio4.format(week.people_per_dose)
      + ' people per dose' : 'no doses yet') + '.';
  }

  // ---- the chart ----------------------------------------------------------------------------------

  function draw() {
    const weeks = view.weeks;
    const n = weeks.length;
    const maxRatio = Math.max(0, ...weeks.map((w) => (isNumber(w.people_per_dose) ? w.people_per_dose : 0)));
    const top = weeks.reduce((a, w) => (isNumber(w.people_per_dose) && (!a || w.people_per_dose > a.people_per_dose)
      ? w : a), null); // the week of the axis's top value
    const maxDoses = Math.max(0, ...weeks.map((w) => w.doses_moderna + w.doses_pfizer));
    const topTick = top ? ratio2Of(top) : '0.00';
    const dosesTick = compact(maxDoses);
    // Room for the longest tick at the size its text has on this screen: a fixed margin cut the
    // first digits off on a phone's, where "32.5K" read as "2.5K" (about 0.62 of the size a digit).
    const left = Math.max(LEFT, Math.ceil(10 + Math.max(topTick.length, dosesTick.length)
      * (NARROW.matches ? 19 : 11) * 0.62));
    const band = (WIDTH - left - RIGHT) / Math.max(n, 1);
    const x = (i) => left + band * (i + 0.5);
    const yRatio = (v) => LINE_TOP + LINE_HEIGHT - (maxRatio > 0 ? (v / maxRatio) * LINE_HEIGHT : 0);
    const barHeight = (v) => (maxDoses > 0 ? (v / maxDoses) * BARS_HEIGHT : 0);

    const chart = svg('svg', {
      viewBox: '0 0 ' + WIDTH + ' ' + HEIGHT, class: 'trend-svg', role: 'img',
      'aria-labelledby': 'trend-svg-title trend-svg-desc', focusable: 'false'
    });
    chart.append(svg('title', { id: 'trend-svg-title' }, 'People per dose and doses allocated per week, '
      + view.row.state), svg('desc', { id: 'trend-svg-desc' }, summary()));

    // Axes: each panel's top value and 0, and the first and last weeks.
    const axes = svg('g', { class: 'trend-axes' });
    axes.append(
      svg('text', { x: left - 6, y: LINE_TOP + 4, class: 'trend-tick end' }, topTick),
      svg('text', { x: left - 6, y: LINE_TOP + LINE_HEIGHT + 4, class: 'trend-tick end' }, '0'),
      svg('text', { x: left - 6, y: BARS_TOP + 4, class: 'trend-tick end' }, dosesTick),
      svg('text', { x: left - 6, y: BARS_TOP + BARS_HEIGHT + 4, class: 'trend-tick end' }, '0'),
      svg('line', { x1: left, x2: WIDTH - RIGHT, y1: LINE_TOP + LINE_HEIGHT, y2: LINE_TOP + LINE_HEIGHT,
        class: 'trend-baseline' }),
      svg('line', { x1: left, x2: WIDTH - RIGHT, y1: BARS_TOP + BARS_HEIGHT, y2: BARS_TOP + BARS_HEIGHT,
        class: 'trend-baseline' }),
      svg('text', { x: left, y: LINE_TOP - 12, class: 'trend-label' }, 'People per dose (all doses up to the week)'),
      svg('text', { x: left, y: BARS_TOP - 12, class: 'trend-label' }, 'Doses allocated in the week'));
    if (n > 0) {
      // Aligned on the chart's edges, so that neither is cut off.
      axes.append(svg('text', { x: left, y: HEIGHT - 6, class: 'trend-tick' }, formatWeek(weeks[0].week)));
      if (n > 1) {
        axes.append(svg('text', { x: WIDTH - RIGHT, y: HEIGHT - 6, class: 'trend-tick end' },
          formatWeek(weeks[n - 1].week)));
      }
    }
    // The week read out, behind everything: the axes' text too, which it covered ("Dos▮ allocated").
    chart.append(svg('rect', { class: 'trend-cursor', x: 0, y: LINE_TOP, width: band,
      height: BARS_TOP + BARS_HEIGHT - LINE_TOP }));
    chart.append(axes);

    // Bars: Moderna below, Pfizer on top.
    const bars = svg('g', { class: 'trend-bars' });
    weeks.forEach((w, i) => {
      const week = svg('g', { class: 'trend-week', 'data-week': w.week });
      const width = Math.max(1, band * 0.7);
      const moderna = barHeight(w.doses_moderna);
      const pfizer = barHeight(w.doses_pfizer);
      week.append(
        svg('rect', { class: 'bar-moderna', x: x(i) - width / 2, width, y: BARS_TOP + BARS_HEIGHT - moderna,
          height: moderna }),
        svg('rect', { class: 'bar-pfizer', x: x(i) - width / 2, width,
          y: BARS_TOP + BARS_HEIGHT - moderna - pfizer, height: pfizer }));
      bars.append(week);
    });
    chart.append(bars);

    // The line: broken where a week has no ratio yet (no doses so far).
    let path = '';
    let pen = false;
    weeks.forEach((w, i) => {
      if (isNumber(w.people_per_dose)) {
        path += (pen ? 'L' : 'M') + x(i).toFixed(1) + ' ' + yRatio(w.people_per_dose).toFixed(1);
        pen = true;
      } else {
        pen = false;
      }
    });
    chart.append(svg('path', { class: 'trend-line', d: path || 'M0 0' }));
    const points = svg('g', { class: 'trend-points' });
    weeks.forEach((w, i) => {
      if (isNumber(w.people_per_dose)) {
        points.append(svg('circle', { class: 'point', cx: x(i).toFixed(1), cy: yRatio(w.people_per_dose).toFixed(1),
          r: 3.5, 'data-week': w.week }));
      }
    });
    chart.append(points);

    el.chart.replaceChildren(chart);
    view.x = x;
    view.band = band;
    view.left = left;
  }

  /** 1,234,560 as 1.2M, for an axis. */
  function compact(value) {
    return new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 }).format(value);
  }

  function summary() {
    const valued = view.weeks.filter((w) => isNumber(w.people_per_dose));
    if (valued.length === 0) {
      return view.row.state + ' has no doses in any week.';
    }
    const first = valued[0];
    const last = valued[valued.length - 1];
    const most = view.weeks.reduce((a, b) => (b.doses_moderna + b.doses_pfizer > a.doses_moderna + a.doses_pfizer ? b : a));
    return 'People per dose went from ' + ratio2Of(first) + ' in the week of '
      + formatWeek(first.week) + ' to ' + ratio2Of(last) + ' in the week of '
      + formatWeek(last.week) + '. Most doses in one week: ' + whole.format(most.doses_moderna + most.doses_pfizer)
      + ', in the week of ' + formatWeek(most.week) + '.';
  }

  /** Reads out week {@code index}: the cursor, the readout and the table's row. */
  function pick(index) {
    if (view.weeks.length === 0) {
      el.readout.textContent = 'No weeks yet.';
      return;
    }
    view.index = Math.max(0, Math.min(view.weeks.length - 1, index));
    const week = view.weeks[view.index];
    const cursor = el.chart.querySelector('.trend-cursor');
    if (cursor) {
      cursor.setAttribute('x', String(view.x(view.index) - view.band / 2));
    }
    for (const g of el.chart.querySelectorAll('.trend-week, .point')) {
      g.classList.toggle('picked', g.getAttribute('data-week') === week.week);
    }
    for (const tr of el.table.tBodies[0].rows) {
      tr.classList.toggle('picked', tr.dataset.week === week.week);
    }
    el.readout.textContent = describe(week);
  }

  function drawTable() {
    const rows = view.weeks.map((w) => {
      const tr = make('tr');
      tr.dataset.week = w.week;
      const th = make('th', 'text', formatWeek(w.week));
      th.scope = 'row';
      tr.append(th, make('td', 'num', whole.format(w.doses_moderna)), make('td', 'num', whole.format(w.doses_pfizer)),
        make('td', 'num', whole.format(w.doses_total)), make('td', 'num', ratioText(w.people_per_dose)));
      return tr;
    });
    el.table.tBodies[0].replaceChildren(...rows);
    el.tableCaption.textContent = view.row.state + ', week by week: the doses allocated in each week, '
      + 'and the doses and people per dose up to and including it.';
  }

  // ---- keyboard and pointer -----------------------------------------------------------------------

  function onKey(event) {
    const moves = { ArrowLeft: -1, ArrowDown: -1, ArrowRight: 1, ArrowUp: 1 };
    if (event.key in moves) {
      pick(view.index + moves[event.key]);
    } else if (event.key === 'Home') {
      pick(0);
    } else if (event.key === 'End') {
      pick(view.weeks.length - 1);
    } else {
      return;
    }
    event.preventDefault();
  }

  function onPointer(event) {
    const box = el.chart.getBoundingClientRect();
    if (box.width === 0 || view.weeks.length === 0) {
      return;
    }
    const at = (event.clientX - box.left) * WIDTH / box.width;
    pick(Math.floor((at - view.left) / view.band));
  }

  // ---- what dashboard.js calls --------------------------------------------------------------------

  async function load(code) {
    if (!view.cache.has(code)) {
      const response = await fetch('/ratios/' + encodeURIComponent(code) + '/weekly',
        { headers: { Accept: 'application/json' } });
      const body = response.headers.get('Content-Type') || '';
      const json = body.includes('json') ? await response.json() : null;
      if (!response.ok) {
        throw new Error(json && json.detail ? json.title + ': ' + json.detail : 'HTTP ' + response.status);
      }
      // Of the product the page shows? If not, the page reads it again (and resets this view).
      const check = window.StateDosesTrend.checkProduct;
      if (check && !(await check())) {
        return null;
      }
      view.cache.set(code, json);
    }
    return view.cache.get(code);
  }

  /**
   * Shows the weeks of {@code row} (a row of GET /ratios), reading out {@code week} (an ISO date,
   * or null for the latest). {@code focus}: move the keyboard's focus to the chart's heading.
   */
  async function show(row, week, focus) {
    const seq = ++view.seq;
    el.card.hidden = false;
    el.name.textContent = row.state;
    el.status.textContent = 'Loading the weeks of ' + row.state + '…';
    el.card.setAttribute('aria-busy', 'true');
    if (focus) {
      el.heading.focus();
    }
    el.card.scrollIntoView({ block: 'nearest' });
    try {
      const weeks = await load(row.state_code);
      if (seq !== view.seq || weeks === null) {
        return;
      }
      view.row = row;
      view.weeks = weeks;
      draw();
      drawTable();
      const at = week ? weeks.findIndex((w) => w.week === week) : -1;
      pick(at >= 0 ? at : weeks.length - 1);
      el.status.textContent = '';
    } catch (e) {
      if (seq === view.seq) {
        el.status.textContent = 'Could not load the weeks of ' + row.state + '. ' + e.message;
      }
    } finally {
      if (seq === view.seq) {
        el.card.removeAttribute('aria-busy');
      }
    }
  }

  function start() {
    el = {
      card: document.getElementById('trend'),
      heading: document.getElementById('trend-heading'),
      name: document.getElementById('trend-state'),
      chart: document.getElementById('trend-chart'),
      readout: document.getElementById('trend-readout'),
      status: document.getElementById('trend-status'),
      table: document.getElementById('trend-table'),
      tableCaption: document.getElementById('trend-caption')
    };
    el.chart.addEventListener('keydown', onKey);
    el.chart.addEventListener('pointermove', onPointer);
    el.chart.addEventListener('click', onPointer);
    document.getElementById('trend-close').addEventListener('click', () => {
      window.StateDosesTrend.hide();
    });
    // Across the narrow screens' edge the text changes size: the room for the ticks with it.
    NARROW.addEventListener('change', () => {
      if (view.row && !el.card.hidden && view.weeks.length) {
        const index = view.index;
        draw();
        pick(index);
      }
    });
  }

  window.StateDosesTrend = {
    show,
    /** Reads out the week {@code iso} (the week slider's), when the chart has it. */
    week(iso) {
      const at = view.weeks.findIndex((w) => w.week === iso);
      if (!el.card.hidden && at >= 0) {
        pick(at);
      }
    },
    hide() {
      view.seq++;
      el.card.hidden = true;
      document.dispatchEvent(new CustomEvent('state-doses:trend-closed', { detail: view.row }));
      view.row = null;
    },
    /**
     * The product changed (a refresh): the weeks are read again, for the state shown too
     * ({@code row}: its row of the new product, when the page has it).
     */
    reset(row) {
      view.cache.clear();
      const shown = row || view.row;
      if (shown && !el.card.hidden) {
        const week = view.index >= 0 && view.weeks[view.index] ? view.weeks[view.index].week : null;
        show(shown, week, false);
      }
    },
    selected() {
      return el.card.hidden ? null : view.row;
    }
  };

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
}());
