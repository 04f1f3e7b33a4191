/** `2025-05-01`, `2025-05-01T00:00:00.000Z`, `2025-05-01 13:45:00+00`: what SQL dates and timestamps look like in JSON. */
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

const day = new Intl.DateTimeFormat(undefined, {
  year: "numeric",
  month: "short",
  day: "numeric",
  timeZone: "UTC",
});
const month = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "short", timeZone: "UTC" });
const minute = new Intl.DateTimeFormat(undefined, {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  timeZone: "UTC",
});

function parseIso(value: string): { date: Date; midnight: boolean; firstOfMonth: boolean } | null {
  const m = ISO.exec(value);
  if (!m) return null;
  const date = new Date(value.length === 10 ? `${value}T00:00:00Z` : value.replace(" ", "T"));
  if (Number.isNaN(date.getTime())) return null;
  const midnight = date.getUTCHours() === 0 && date.getUTCMinutes() === 0 && date.getUTCSeconds() === 0;
  return { date, midnight, firstOfMonth: midnight && date.getUTCDate() === 1 };
}

/** A cell value as a person reads it: dates without raw ISO timestamps, numbers with separators. */
export function formatValue(value: unknown, unit?: string): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "number") return `${value.toLocaleString()}${unit ? ` ${unit}` : ""}`;
  if (typeof value === "string") {
    const iso = parseIso(value);
    if (iso) return (iso.midnight ? day : minute).format(iso.date);
    return value;
  }
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/**
 * The formatter for a chart axis over `values`: monthly series (every date the 1st at midnight) read "Jan 2025",
 * other dates as `formatValue` does; non-dates unchanged.
 */
export function axisFormatter(values: readonly unknown[]): (value: unknown) => string {
  const parsed = values.map((v) => (typeof v === "string" ? parseIso(v) : null));
  const allDates = parsed.length > 0 && parsed.every((p) => p !== null);
  if (!allDates) return (v) => (typeof v === "string" || typeof v === "number" ? String(v) : formatValue(v));
  const monthly = parsed.every((p) => p?.firstOfMonth);
  return (v) => {
    const p = typeof v === "string" ? parseIso(v) : null;
    if (!p) return formatValue(v);
    return monthly ? month.format(p.date) : formatValue(v);
  };
}
