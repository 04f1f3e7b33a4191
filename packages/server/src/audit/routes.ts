import { type AuditListResponse, listAuditQuerySchema, routes as paths } from "@ragkit/protocol";
import { invalidInput, jsonResponse } from "../http.js";
import type { Route } from "../router.js";

/** The caller's tenant's own audit trail, newest first (RLS makes other tenants' rows invisible). */
const list: Route = {
  method: "GET",
  path: paths.audit,
  async handle(ctx) {
    const parsed = listAuditQuerySchema.safeParse(Object.fromEntries(ctx.url.searchParams));
    if (!parsed.success) throw invalidInput("audit query", parsed.error.issues);
    const { store, ctx: tenant } = await ctx.tenant();
    const rows = await store.audit.list(tenant, {
      limit: parsed.data.limit,
      ...(parsed.data.before ? { beforeId: parsed.data.before } : {}),
    });
    return jsonResponse(200, {
      records: rows.map((r) => ({
        id: r.id,
        userId: r.userId,
        action: r.action,
        resourceType: r.resourceType,
        resourceId: r.resourceId,
        outcome: r.outcome,
        requestId: r.requestId,
        details: r.details,
        createdAt: r.createdAt.toISOString(),
      })),
      nextBefore: rows.length === parsed.data.limit ? (rows.at(-1)?.id ?? null) : null,
    } satisfies AuditListResponse);
  },
};

export const auditRoutes: readonly Route[] = [list];
