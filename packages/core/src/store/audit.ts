import { textSchema } from "@ragkit/protocol/primitives";
import { z } from "zod";
import type { Queryable } from "../db/driver.js";
import { validationErrorFromZod } from "../errors/index.js";
import type { TenantContext } from "../tenant/context.js";
import { fromJsonb, int8IdParam, toJsonb } from "./storable.js";

export const auditEntrySchema = z.object({
  action: z
    .string()
    .regex(/^[a-z][a-z0-9_.:-]{0,63}$/, "must be a short lowercase action name, e.g. document.read"),
  resourceType: textSchema.max(64).nullable().optional(),
  resourceId: textSchema.max(512).nullable().optional(),
  outcome: z.enum(["success", "denied", "error"]).default("success"),
  requestId: textSchema.max(128).nullable().optional(),
  /** What the system recorded (e.g. a model's SQL): stored losslessly, whatever text it holds. */
  details: z.record(z.string(), z.unknown()).default({}),
});
export type AuditEntryInput = z.input<typeof auditEntrySchema>;

export interface AuditRecord {
  id: string;
  tenantId: string;
  userId: string | null;
  action: string;
  resourceType: string | null;
  resourceId: string | null;
  outcome: "success" | "denied" | "error";
  requestId: string | null;
  details: Record<string, unknown>;
  createdAt: Date;
}

type Scoped = <T>(ctx: TenantContext, fn: (tx: Queryable) => Promise<T>) => Promise<T>;

/** Append-only per-tenant audit trail; the app role has INSERT and SELECT on it, nothing else. */
export class AuditLog {
  constructor(
    private readonly scoped: Scoped,
    private readonly schema: string,
  ) {}

  async record(ctx: TenantContext, entry: AuditEntryInput): Promise<void> {
    const parsed = auditEntrySchema.safeParse(entry);
    if (!parsed.success) throw validationErrorFromZod("audit entry", parsed.error.issues);
    const e = parsed.data;
    await this.scoped(ctx, (tx) =>
      tx.query(
        `INSERT INTO ${this.schema}.audit_log (tenant_id, user_id, action, resource_type, resource_id, outcome, request_id, details)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)`,
        [
          ctx.tenantId,
          ctx.userId,
          e.action,
          e.resourceType ?? null,
          e.resourceId ?? null,
          e.outcome,
          e.requestId ?? null,
          toJsonb(e.details),
        ],
      ),
    );
  }

  async list(
    ctx: TenantContext,
    options: { limit?: number; beforeId?: string } = {},
  ): Promise<AuditRecord[]> {
    const limit = Math.min(Math.max(Math.trunc(options.limit ?? 100), 1), 1000);
    const before = int8IdParam(options.beforeId, "beforeId") ?? null;
    const rows = await this.scoped(ctx, (tx) =>
      tx.query<{
        id: string | number;
        tenant_id: string;
        user_id: string | null;
        action: string;
        resource_type: string | null;
        resource_id: string | null;
        outcome: AuditRecord["outcome"];
        request_id: string | null;
        details: Record<string, unknown> | string;
        created_at: Date | string;
      }>(
        `SELECT seq::text AS id, tenant_id, user_id, action, resource_type, resource_id, outcome, request_id, details, created_at
         FROM ${this.schema}.audit_log WHERE ($1::bigint IS NULL OR seq < $1::bigint)
         ORDER BY seq DESC LIMIT $2`,
        [before, limit],
      ),
    );
    return rows.map((r) => ({
      id: String(r.id),
      tenantId: r.tenant_id,
      userId: r.user_id,
      action: r.action,
      resourceType: r.resource_type,
      resourceId: r.resource_id,
      outcome: r.outcome,
      requestId: r.request_id,
      details: fromJsonb<Record<string, unknown>>(r.details),
      createdAt: new Date(r.created_at),
    }));
  }
}
