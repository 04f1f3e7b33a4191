import { textSchema } from "@ragkit/protocol/primitives";
import { z } from "zod";
import { validationErrorFromZod } from "../errors/index.js";

/**
 * The only key to tenant data. Every store method that reads or writes tenant-owned rows takes a
 * TenantContext; a plain string does not type-check, because the brand below is a module-private
 * symbol that only `createTenantContext` can attach. Create one from a *verified* identity
 * (a JWT the server checked, or an operator-run CLI), never from request input.
 */
declare const tenantBrand: unique symbol;

export interface TenantContext {
  readonly tenantId: string;
  /** The acting user, recorded in `uploaded_by` and the audit log. */
  readonly userId: string | null;
  /** Where the identity came from, for audit: "jwt", "cli", "system", … */
  readonly source: string;
  readonly [tenantBrand]: true;
}

/** Tenant ids are opaque slugs: safe in logs, URLs and `set_config`, never parsed as SQL. */
export const tenantIdSchema = z
  .string()
  .min(1, "must not be empty")
  .max(128, "must be at most 128 characters")
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]*$/, "may contain only letters, digits and . _ : @ -");

const identitySchema = z.object({
  tenantId: tenantIdSchema,
  // Stored with every row the user writes (audit, runs, jobs): text Postgres can hold.
  userId: textSchema.min(1).max(256).nullable().optional(),
  source: z.string().min(1).max(32).optional(),
});

export interface VerifiedIdentity {
  tenantId: string;
  userId?: string | null;
  source?: string;
}

export function createTenantContext(identity: VerifiedIdentity): TenantContext {
  const parsed = identitySchema.safeParse(identity);
  if (!parsed.success) throw validationErrorFromZod("tenant identity", parsed.error.issues);
  return Object.freeze({
    tenantId: parsed.data.tenantId,
    userId: parsed.data.userId ?? null,
    source: parsed.data.source ?? "system",
  }) as TenantContext;
}

/** Runtime guard for JavaScript callers who bypass the types. */
export function assertTenantContext(value: unknown): asserts value is TenantContext {
  if (
    typeof value !== "object" ||
    value === null ||
    !Object.isFrozen(value) ||
    typeof (value as { tenantId?: unknown }).tenantId !== "string" ||
    !tenantIdSchema.safeParse((value as { tenantId: string }).tenantId).success
  ) {
    throw validationErrorFromZod("tenant context", [
      { path: ["tenant"], message: "a TenantContext from createTenantContext() is required" },
    ]);
  }
}
