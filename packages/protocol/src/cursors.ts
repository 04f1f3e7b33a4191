import { z } from "zod";

/**
 * Cursors and ids that end up as Postgres parameters, with the ranges Postgres accepts: a value that passes
 * here never fails as a bigint or timestamptz cast (a 500), it gets a 400 naming the parameter first.
 */

/** The largest Postgres `bigint` (int8). */
export const INT8_MAX = "9223372036854775807";

/** A non-negative decimal integer that fits Postgres `bigint` (row ids, event ids), as a string. */
export const int8IdSchema = z
  .string()
  .regex(/^\d{1,19}$/, "must be a non-negative integer (digits only)")
  .refine(
    // Same-length digit strings compare like the numbers they spell.
    (v) => {
      const digits = v.replace(/^0+(?=\d)/, "");
      return digits.length < INT8_MAX.length || (digits.length === INT8_MAX.length && digits <= INT8_MAX);
    },
    `must be at most ${INT8_MAX}`,
  );

/**
 * An SSE `Last-Event-ID` (header, or `?lastEventId=` for clients without EventSource): the id of the last
 * event the client saw. Event ids are `bigint`s.
 */
export const eventIdSchema = int8IdSchema;

/**
 * An ISO 8601 timestamp with a 4-digit year from 0001 (Postgres has no year 0; JavaScript's `Date` accepts
 * years ±275760 and `Date.parse` accepts "1" or "March 7", which Postgres refuses).
 */
export const timestampSchema = z.iso
  .datetime({ offset: true, error: "must be an ISO 8601 timestamp, e.g. 2025-01-31T12:00:00Z" })
  .refine(
    (v) => !v.startsWith("0000") && Number.isFinite(Date.parse(v)),
    "must be a date from year 1 to 9999",
  );
