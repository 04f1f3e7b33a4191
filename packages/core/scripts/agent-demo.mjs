#!/usr/bin/env node
/**
 * The RAG agent end to end, offline: an in-memory embedded store (PGlite + the offline embedder), two tenants
 * with their own documents, and a short conversation per tenant, printing the streamed agent events.
 *
 *   npm run build && node scripts/agent-demo.mjs          (from packages/core)
 *   node scripts/agent-demo.mjs --json                    (one JSON event per line instead)
 *   OPENAI_API_KEY=… node scripts/agent-demo.mjs --llm    (LLM-backed roles from the environment, see docs/models.md)
 *
 * Without --llm: no API key, no network. Runs against the built package (dist).
 */
import {
  createRagAgent,
  createTenantContext,
  ingestDocument,
  KnowledgeStore,
  llmModelsFromEnv,
} from "../dist/index.js";

const json = process.argv.includes("--json");
const llm = process.argv.includes("--llm");
const models = llm ? llmModelsFromEnv() : null;
if (llm && !models) {
  console.error("--llm needs OPENAI_API_KEY, ANTHROPIC_API_KEY or OLLAMA_BASE_URL (see docs/models.md).");
  process.exit(2);
}

const TENANTS = {
  acme: {
    "refund-policy.md": `# Refund policy

Annual plans can be refunded in full within 30 days of purchase. After 30 days, annual plans are refunded pro rata for the unused months.

Monthly plans are not refundable, but they can be cancelled at any time and stay active until the end of the billing period.`,
    "shipping.md": `# Shipping

Hardware orders ship from our warehouse in Rotterdam. Standard shipping takes 3 to 5 business days within the EU.

Express shipping is available for an extra fee and arrives the next business day when ordered before 14:00.`,
    "security.md": `# Security

All customer data is encrypted at rest with AES-256 and in transit with TLS 1.3.

Administrators can enforce single sign-on and two-factor authentication for every workspace member.`,
  },
  globex: {
    "onboarding.md": `# Onboarding

New employees receive their laptop on the first day. The IT desk configures the laptop before the employee arrives.`,
    "vpn.md": `# VPN

The VPN must be configured before accessing the intranet from home. Use the GlobalProtect client with your employee badge number.`,
  },
};

const CONVERSATIONS = [
  ["acme", "demo-acme", "Hello!"],
  ["acme", "demo-acme", "What is the refund window for annual plans?"],
  ["acme", "demo-acme", "And what about monthly plans?"],
  ["globex", "demo-globex", "How do I access the intranet from home?"],
  // Tenant A's question asked as tenant B: B's documents do not say, and A's are invisible to B.
  ["globex", "demo-globex", "What is the refund window for annual plans?"],
];

const store = await KnowledgeStore.open();
const contexts = {};
try {
  for (const [tenantId, docs] of Object.entries(TENANTS)) {
    // In a server, the context comes from a verified JWT; never from the request body.
    const ctx = createTenantContext({ tenantId, userId: `${tenantId}-user`, source: "demo" });
    contexts[tenantId] = ctx;
    await store.ensureTenant(ctx);
    for (const [filename, text] of Object.entries(docs)) {
      await ingestDocument(store, ctx, { data: Buffer.from(text), filename });
    }
  }
  const agent = createRagAgent({ store, ...(models ? { models } : {}) });

  for (const [tenantId, threadId, message] of CONVERSATIONS) {
    console.log(`\n=== ${tenantId} / ${threadId} › ${message}`);
    let streaming = false;
    for await (const event of agent.stream(message, { tenant: contexts[tenantId], threadId })) {
      if (json) {
        console.log(JSON.stringify(event));
        continue;
      }
      if (event.type === "text_delta") {
        // A regenerated answer (validation found the first unsupported) replaces the text streamed so far.
        if (event.reset && streaming) process.stdout.write("\n  (rewritten after validation)\n");
        if (event.reset) streaming = false;
        if (!streaming) process.stdout.write("  answer │ ");
        streaming = true;
        process.stdout.write(event.delta.replaceAll("\n", "\n         │ "));
        continue;
      }
      if (streaming) process.stdout.write("\n");
      streaming = false;
      switch (event.type) {
        case "run_started":
          console.log(`  run ${event.runId.slice(0, 8)} started (tenant ${event.tenantId})`);
          break;
        case "step_started":
          console.log(`  ▸ ${event.step}`);
          break;
        case "thought":
          console.log(`    · ${event.text}`);
          break;
        case "progress":
          console.log(`    ${Math.round(event.progress * 100)}%`);
          break;
        case "citations":
          for (const c of event.citations) {
            console.log(
              `  [${c.marker}] ${c.documentTitle ?? c.documentId} chars ${c.start}–${c.end}: "${c.quote}"`,
            );
          }
          break;
        case "validation":
          console.log(
            `  validation: ${event.validation.status}${event.validation.issues.length ? ` (${event.validation.issues.join("; ")})` : ""}`,
          );
          break;
        case "run_finished":
          console.log(
            `  run finished: ${event.answerKind}, ${event.citations.length} citation(s)` +
              (event.usage
                ? `, ${event.usage.totalTokens} tokens in ${event.usage.calls} model call(s)`
                : ""),
          );
          break;
        case "run_error":
          console.log(`  run error: ${event.code}: ${event.message}`);
          break;
      }
    }
  }
} finally {
  await store.close();
}
