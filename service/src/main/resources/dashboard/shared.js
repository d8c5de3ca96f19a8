// What dashboard.js and trend.js both use, loaded before them (index.html) as
// window.StateDosesShared: DOM nodes built with classes and textContent only (the page's
// Content-Security-Policy allows no inline style, and data never goes through innerHTML), and
// numbers and weeks written the same way in the table, on the map and in the chart.
(function () {
  'use strict';

  const day = new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });

  function make(tag, className, text) {
    const node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    return node;
  }

  function isNumber(value) {
    return typeof value === 'number' && isFinite(value);
  }

  /** A week as the API gives it (an ISO date) as people read it: "Jan 4, 2021". */
  function formatWeek(iso) {
    return day.format(new Date(iso + 'T00:00:00Z'));
  }

  window.StateDosesShared = Object.freeze({
    make,
    isNumber,
    formatWeek,
    whole: new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }),
    ratio4: new Intl.NumberFormat('en-US', { minimumFractionDigits: 4, maximumFractionDigits: 4 }),
    ratio2: new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })
  });
}());
