import { z } from "zod";
import { ValidationError } from "../errors/index.js";

/**
 * `listDocuments` cursors: base64url JSON of `[created_at, id]`, with `created_at` as Postgres printed it
 * (`created_at::text`, microseconds kept; a JavaScript Date would drop them and skip rows). Decoding accepts
 * only what such a cursor can hold — an ISO-style timestamp Postgres parses, years 0001–9999 — because
 * `Date.parse` also accepts "1", "March 7" or year 275760, which fail as `timestamptz` (a 500, not a 400).
 */

const PG_TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?(?:Z|[+-](\d{2})(?::?\d{2}(?::?\d{2})?)?)$/;

/** A `timestamptz` in Postgres' ISO output style that Postgres itself accepts back. */
export const pgTimestampTextSchema = z.string().refine((value) => {
  const m = PG_TIMESTAMP.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second, offsetHours] = m
    .slice(1)
    .map((v) => Number(v ?? 0)) as number[];
  if (year! < 1 || month! < 1 || month! > 12 || hour! > 23 || minute! > 59 || second! > 59) return false;
  // Postgres refuses time zone displacements beyond ±15:59.
  if (offsetHours! > 15) return false;
  const date = new Date(Date.UTC(2000, month! - 1, day!));
  date.setUTCFullYear(year!);
  return date.getUTCDate() === day && date.getUTCMonth() === month! - 1;
}, "must be a timestamp");

const cursorSchema = z.tuple([pgTimestampTextSchema, z.uuid()]);

export function encodeDocumentCursor(createdAt: string, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString("base64url");
}

export function decodeDocumentCursor(cursor: string): { createdAt: string; id: string } {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    value = null;
  }
  const parsed = cursorSchema.safeParse(value);
  if (!parsed.success) {
    throw new ValidationError("Invalid list options: malformed cursor", {
      details: [{ path: "cursor", message: "malformed cursor (pass a previous page's nextCursor)" }],
    });
  }
  return { createdAt: parsed.data[0], id: parsed.data[1] };
}
