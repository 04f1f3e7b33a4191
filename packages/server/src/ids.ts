import { HttpError } from "./http.js";
import type { RouteContext } from "./router.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A UUID path parameter; anything else is the resource's 404, so malformed, missing and other tenants' ids all
 * get the same answer.
 */
export function uuidParam(ctx: RouteContext, notFound: () => HttpError, name = "id"): string {
  const id = ctx.params[name] ?? "";
  if (!UUID.test(id)) throw notFound();
  return id;
}

/** Maps a store's `not_found` (a missing id, or another tenant's) to the resource's own 404. */
export async function orNotFound<T>(work: Promise<T>, notFound: () => HttpError): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code === "not_found") throw notFound();
    throw error;
  }
}

export const notFoundError = (what: string) => () => new HttpError("not_found", `${what} not found.`);
