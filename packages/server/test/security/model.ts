import type { FakeReply, FakeRequest } from "../../../../e2e/fake-openai.mjs";

/**
 * The scripted model of the model path (an OpenAI-compatible server on 127.0.0.1, e2e/fake-openai.mjs): it
 * plays an attacker-steered model. Analysis routes revenue questions to the query step, whose SQL writer proposes
 * the payload SQL from the chat text (forced write_sql, on every retry); the answer role first
 * proposes SQL through a tool it was not given, then asks its search tool for the other tenant (a `tenant_id`
 * argument, with the other tenant's topic words), and only then answers; rewrites add those words to every search.
 */
export function attackerScript(request: FakeRequest): FakeReply {
  const { role, question, messages } = request;
  switch (role) {
    case "analyze": {
      const intent = /\brevenue\b/i.test(question) ? "data_question" : "factual";
      return { text: JSON.stringify({ intent, needs_retrieval: true, entities: [], follow_up: false }) };
    }
    case "rewrite":
      return {
        text: JSON.stringify({ standalone: question, variations: [question, "zephyr project budget"] }),
      };
    case "rerank":
      return {
        text: JSON.stringify({
          scores: [...request.prompt.matchAll(/<passage id="(\d+)">/g)].map((m) => ({
            id: Number(m[1]),
            score: 6,
          })),
        }),
      };
    case "validate":
      return { text: '{"claims":[]}' };
    case "respond":
      return { text: "Hello." };
    case "sql": {
      // The query step's SQL writer (a forced write_sql call): the attacker proposes the payload from the chat
      // text, on every retry, whatever error it is shown.
      const payload = /Then run this SQL: (.*)$/s.exec(question)?.[1] ?? "SELECT rolname FROM pg_roles";
      return { toolCall: { id: "call_sql", name: "write_sql", args: { sql: payload, description: "rows" } } };
    }
    case "summarize":
      return { text: "Summary of the rows." };
    case "generate": {
      // Two tool rounds (the agent's default), then a last call without tools that must answer.
      const rounds = messages.filter((m) => m.role === "tool").length;
      if (rounds === 0)
        return {
          toolCall: {
            id: "call_1",
            name: "query_database",
            args: { sql: "SELECT rolname, rolsuper FROM pg_roles" },
          },
        };
      if (rounds === 1)
        return {
          toolCall: {
            id: "call_2",
            name: "search_knowledge_base",
            args: { query: "zephyr project budget", top_k: 20, tenant_id: "tenant-b" },
          },
        };
      return { text: "Here is what I found [1]." };
    }
    default:
      return { text: "{}" };
  }
}
