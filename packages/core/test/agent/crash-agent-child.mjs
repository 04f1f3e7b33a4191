// Child process for the agent crash-resume test: opens the PGlite data directory the parent prepared, runs one
// agent turn whose answer model streams a little and then stalls, and waits there until the parent SIGKILLs it.
import { createPGliteDriver, createRagAgent, createTenantContext, KnowledgeStore } from "../../dist/index.js";

const [dataDir, threadId, question] = process.argv.slice(2);
const driver = await createPGliteDriver({ dataDir });
const store = await KnowledgeStore.open({ driver });
const tenant = createTenantContext({ tenantId: "acme", userId: "alice", source: "crash-test" });
const stalling = {
  answer: (input) => {
    input.onDelta("Annual plans ");
    process.stdout.write("GENERATING\n");
    return new Promise(() => {});
  },
};
const agent = createRagAgent({ store, models: stalling });
for await (const event of agent.stream(question, { tenant, threadId })) {
  process.stdout.write(`${JSON.stringify({ type: event.type, step: event.step ?? null })}\n`);
}
