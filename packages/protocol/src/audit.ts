import { z } from "zod";
import { int8IdSchema } from "./cursors.js";

/** One audit row: who did what to which resource, with what outcome, under which request id. */
export const auditRecordSchema = z.object({
  id: z.string(),
  userId: z.string().nullable(),
  action: z.string(),
  resourceType: z.string().nullable(),
  resourceId: z.string().nullable(),
  outcome: z.enum(["success", "denied", "error"]),
  requestId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  createdAt: z.iso.datetime({ offset: true }),
});
export type AuditRecordSummary = z.infer<typeof auditRecordSchema>;

/** `GET /audit` query: newest first; pass the last row's id as `before` for the next page. */
export const listAuditQuerySchema = z.object({
  limit: z.coerce.number("must be a number").int("must be an integer").min(1).max(500).default(100),
  before: int8IdSchema.optional(),
});

export const auditListResponseSchema = z.object({
  records: z.array(auditRecordSchema),
  /** Pass as `before` to get older rows; null when this page is the last. */
  nextBefore: z.string().nullable(),
});
export type AuditListResponse = z.infer<typeof auditListResponseSchema>;
