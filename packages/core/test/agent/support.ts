import { type AgentEvent, type AgentEventOf, agentEventSchema } from "../../src/agent/events.js";
import { ingestDocument } from "../../src/ingest/pipeline.js";
import type { KnowledgeStore } from "../../src/store/knowledge-store.js";
import type { TenantContext } from "../../src/tenant/context.js";

/** Every event of a run, each checked against the event schema. */
export async function collect(stream: AsyncIterable<AgentEvent>): Promise<AgentEvent[]> {
  const events: AgentEvent[] = [];
  for await (const e of stream) events.push(agentEventSchema.parse(e));
  return events;
}

export const of = <T extends AgentEvent["type"]>(events: AgentEvent[], type: T) =>
  events.filter((e): e is AgentEventOf<T> => e.type === type);

/** Creates the tenants and ingests their documents through the real pipeline. */
export async function seedTenants(
  store: KnowledgeStore,
  tenants: ReadonlyArray<readonly [TenantContext, Record<string, string>]>,
): Promise<void> {
  for (const [ctx, docs] of tenants) {
    await store.ensureTenant(ctx);
    for (const [filename, text] of Object.entries(docs)) {
      await ingestDocument(store, ctx, { data: Buffer.from(text), filename });
    }
  }
}
