// Dates and times as a person reads them, always in Beijing time whatever the phone's zone:
// '2026-12-05T19:00:00+08:00' → 12月5日 周六 19:00.
const WEEKDAYS = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];
const BEIJING_MS = 8 * 3600 * 1000;

function beijing(iso) {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : new Date(ms + BEIJING_MS); // read with getUTC*
}

function pad(n) {
  return String(n).padStart(2, '0');
}

// Today's date in Beijing, 'YYYY-MM-DD' (a picker's value, a query's day)
function today(now) {
  return new Date((now || Date.now()) + BEIJING_MS).toISOString().slice(0, 10);
}

function thisYear(now) {
  return new Date((now || Date.now()) + BEIJING_MS).getUTCFullYear();
}

// 12月5日 周六 (with the year when it is not this year's)
function day(iso, now) {
  const d = beijing(iso);
  if (!d) return '';
  const year = d.getUTCFullYear() === thisYear(now) ? '' : `${d.getUTCFullYear()}年`;
  return `${year}${d.getUTCMonth() + 1}月${d.getUTCDate()}日 ${WEEKDAYS[d.getUTCDay()]}`;
}

function clock(iso) {
  const d = beijing(iso);
  return d ? `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}` : '';
}

function when(iso, now) {
  return beijing(iso) ? `${day(iso, now)} ${clock(iso)}` : '';
}

// 12月5日 周六 19:00–21:00 (the end's day too when it is another day)
function span(start, end, now) {
  if (!end) return when(start, now);
  const sameDay = day(start, now) === day(end, now);
  return `${when(start, now)}–${sameDay ? clock(end) : when(end, now)}`;
}

// 'YYYY-MM-DD' (a date the server gives without a time) → 2026年3月1日
function date(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value || '');
  return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : '';
}

// Names as people count: 党员2 before 党员10.
function naturalCompare(a, b) {
  const chunks = (s) => String(s).match(/\d+|\D+/g) || [];
  const x = chunks(a);
  const y = chunks(b);
  for (let i = 0; i < Math.min(x.length, y.length); i += 1) {
    const digits = /^\d/.test(x[i]) && /^\d/.test(y[i]);
    const order = digits ? Number(x[i]) - Number(y[i]) : (x[i] < y[i] ? -1 : x[i] > y[i] ? 1 : 0);
    if (order) return order;
  }
  return x.length - y.length;
}

module.exports = { day, clock, when, span, date, today, naturalCompare };
