// Dates as people here write them: 2026年12月10日 19:00, in Beijing time whatever the browser's zone.
const DAY = new Intl.DateTimeFormat("zh-CN", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit" });
const TIME = new Intl.DateTimeFormat("zh-CN", { timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit", hour12: false });

function parts(value: Date, format: Intl.DateTimeFormat): Record<string, string> {
  return Object.fromEntries(format.formatToParts(value).map((p) => [p.type, p.value]));
}

export function day(value: string | null | undefined): string {
  if (!value) return "";
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const p = parts(new Date(value), DAY);
  return `${p.year}-${p.month}-${p.day}`;
}

export function dateTime(value: string | null | undefined): string {
  if (!value) return "";
  const when = new Date(value);
  const t = parts(when, TIME);
  return `${day(value)} ${t.hour}:${t.minute}`;
}

/** A mobile number shown to someone who does not need all of it: 139****0001. */
export function maskMobile(mobile: string | null | undefined): string {
  return mobile && mobile.length === 11 ? `${mobile.slice(0, 3)}****${mobile.slice(7)}` : mobile ?? "";
}

/** Beijing today as YYYY-MM-DD. */
export function today(): string {
  return day(new Date().toISOString());
}

/** A month as the activity list's from/to take it: Beijing midnight on its first day, and on the next month's. */
export function monthRange(month: string): { from: string; to: string } {
  const [y, m] = month.split("-").map(Number);
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`;
  return { from: `${month}-01T00:00:00+08:00`, to: `${next}-01T00:00:00+08:00` };
}
