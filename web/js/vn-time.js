// Việt Nam's clock (UTC+7, no daylight saving), the one the server dates everything by.
// Pages take dates from here and never from the browser's own time zone: a phone set to
// another zone, or a headless browser in UTC, must still see the Vietnamese calendar day.

export const VN_OFFSET = 7 * 3600;
export const VN_ZONE = 'Asia/Ho_Chi_Minh';

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** YYYY-MM-DD in Việt Nam for epoch seconds t (default now). */
export function vnDate(t = nowSeconds()) {
  return new Date((Number(t) + VN_OFFSET) * 1000).toISOString().slice(0, 10);
}

/** Today's date in Việt Nam, YYYY-MM-DD. */
export function vnToday() {
  return vnDate();
}

/** The Vietnamese date n days before today, YYYY-MM-DD. */
export function vnDaysAgo(n) {
  return vnDate(nowSeconds() - n * 86400);
}

/** Epoch seconds of 00:00 Việt Nam time on the day holding instant t. */
export function vnDayStart(t = nowSeconds()) {
  return Math.floor((Number(t) + VN_OFFSET) / 86400) * 86400 - VN_OFFSET;
}

/** Epoch seconds of 00:00 Việt Nam time on date YYYY-MM-DD, or null when it is not one. */
export function vnDateStart(value) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value || '')) return null;
  const ms = Date.parse(`${value}T00:00:00Z`);
  return Number.isNaN(ms) ? null : ms / 1000 - VN_OFFSET;
}

/** HH:MM of epoch seconds t in Việt Nam. */
export function vnHhmm(t) {
  return new Date((Number(t) + VN_OFFSET) * 1000).toISOString().slice(11, 16);
}

/** HH:MM:SS of epoch seconds t in Việt Nam. */
export function vnHhmmss(t) {
  return new Date((Number(t) + VN_OFFSET) * 1000).toISOString().slice(11, 19);
}
