'use strict';
// Việt Nam's calendar for the tests (UTC+7 all year), the same rule as src/core/clock.c and
// web/js/vn-time.js: dates are the Vietnamese day, never the machine's zone.

const VN_OFFSET_MS = 7 * 3600 * 1000;

/** YYYY-MM-DD in Việt Nam of an instant given in epoch seconds. */
function vnDate(epochSeconds) {
  return new Date(epochSeconds * 1000 + VN_OFFSET_MS).toISOString().slice(0, 10);
}

/** Today's date in Việt Nam, or offsetDays from it, YYYY-MM-DD. */
function vnToday(offsetDays = 0) {
  return new Date(Date.now() + VN_OFFSET_MS + offsetDays * 86400000).toISOString().slice(0, 10);
}

/** DD/MM/YYYY, the way messages write a YYYY-MM-DD date in Vietnamese text (src/core/clock.c). */
function vnDateText(iso) {
  return `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
}

module.exports = { vnDate, vnToday, vnDateText };
