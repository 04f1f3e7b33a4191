import type { Route } from "../router.js";

/** The caller's tenant's own audit trail, newest first (RLS makes other tenants' rows invisible). */
const list: Route<"listAudit"> = {
  name: "listAudit",
  async handle(ctx) {
    const query = ctx.query();
    const { store, ctx: tenant } = await ctx.tenant();
    const rows = await store.audit.list(tenant, {
      limit: query.limit,
      ...(query.before ? { beforeId: query.before } : {}),
    });
    return ctx.reply({
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
      nextBefore: rows.length === query.limit ? (rows.at(-1)?.id ?? null) : null,
    });
  },
};

export const auditRoutes: readonly Route[] = [list];
