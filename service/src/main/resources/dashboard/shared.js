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

  const whole = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

  /**
   * People per dose, {@code population} / {@code doses}, with {@code digits} decimals, rounded
   * once (half up, as the warehouse rounds its four) from the exact quotient: never from the
   * API's four decimals, which would round twice (0.834955 is 0.8350, then 0.84; it is 0.83).
   * Null without doses.
   */
  function peoplePerDose(population, doses, digits) {
    if (!isNumber(population) || !isNumber(doses) || doses <= 0) {
      return null;
    }
    if (!Number.isInteger(population) || !Number.isInteger(doses)) {
      return new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
        .format(population / doses);
    }
    const scale = 10n ** BigInt(digits);
    const d = BigInt(doses);
    const scaled = (BigInt(population) * scale * 2n + d) / (2n * d); // floor(p / d * scale + 1/2)
    const fraction = (scaled % scale).toString().padStart(digits, '0');
    return whole.format(scaled / scale) + (digits > 0 ? '.' + fraction : '');
  }

  /** A week as the API gives it (an ISO date) as people read it: "Jan 4, 2021". */
  function formatWeek(iso) {
    return day.format(new Date(iso + 'T00:00:00Z'));
  }

  window.StateDosesShared = Object.freeze({
    make,
    isNumber,
    formatWeek,
    peoplePerDose,
    whole,
    ratio4: new Intl.NumberFormat('en-US', { minimumFractionDigits: 4, maximumFractionDigits: 4 })
  });
}());
