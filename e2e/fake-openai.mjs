// An OpenAI-compatible chat model on 127.0.0.1 for browser tests: `POST /v1/chat/completions` answers on the
// real streaming wire format (chat.completion.chunk SSE frames, tool_calls deltas, finish_reason, [DONE]).
// Each request is routed to the agent role whose system prompt it carries and answered by a small script;
// every request is recorded for the test to inspect.
import { createServer } from "node:http";

const ROLES = [
  ["analyze", "You classify the latest user message"],
  ["rewrite", "You prepare a search"],
  ["rerank", "You judge how relevant passages"],
  ["generate", "You answer questions using only the numbered passages"],
  ["validate", "You check whether each numbered sentence"],
  ["respond", "document question-answering app"],
  ["sql", "You write one read-only PostgreSQL SELECT statement"],
  ["summarize", "You report the result of a database query"],
];

const textOf = (content) =>
  typeof content === "string"
    ? content
    : Array.isArray(content)
      ? content.map((part) => (typeof part?.text === "string" ? part.text : "")).join("")
      : "";

/** The passage marker whose text in a generate prompt contains `needle` ("[3] (title) … needle …"). */
export function markerOf(prompt, needle) {
  for (const m of prompt.matchAll(/\[(\d+)\] \([^)]*\) ([^\n]*)/g))
    if (m[2].includes(needle)) return Number(m[1]);
  return null;
}

/** The question of a request: the latest user text after "Question:" / "User:" (the agent's prompt layout). */
function questionOf(messages) {
  const user = messages.filter((m) => m.role === "user").map((m) => textOf(m.content));
  const last = user.at(-1) ?? "";
  return (/Question: ([^\n]*)/.exec(last) ?? /User: ([^\n]*)/.exec(last) ?? [null, last])[1];
}

const frame = (body) => `data: ${JSON.stringify(body)}\n\n`;
const chunk = (delta, finish = null) =>
  frame({
    id: "chatcmpl-fake",
    object: "chat.completion.chunk",
    created: 1_767_225_600,
    model: "gpt-4o-mini",
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  });

function textFrames(text) {
  const words = text.match(/\S+\s*|\s+/g) ?? [];
  return [
    chunk({ role: "assistant", content: "" }),
    ...words.map((w) => chunk({ content: w })),
    chunk({}, "stop"),
  ];
}

function toolFrames(id, name, args) {
  const json = JSON.stringify(args);
  return [
    chunk({
      role: "assistant",
      content: null,
      tool_calls: [{ index: 0, id, type: "function", function: { name, arguments: "" } }],
    }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: json.slice(0, 6) } }] }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: json.slice(6) } }] }),
    chunk({}, "tool_calls"),
  ];
}

/** What each role answers; `request` has the role, the question, the prompt text, tools and messages. */
export function defaultScript(request) {
  const { role, question, prompt, tools, messages } = request;
  switch (role) {
    case "analyze": {
      const intent = /\b(chart|plot)\b/i.test(question)
        ? "chart_request"
        : /\b(revenue|sales)\b/i.test(question)
          ? "data_question"
          : /^(hi|hello|thanks)\b/i.test(question)
            ? "conversational"
            : "factual";
      return {
        text: JSON.stringify({
          intent,
          needs_retrieval: intent !== "conversational",
          entities: question
            .split(/\W+/)
            .filter((w) => w.length > 4)
            .slice(0, 4),
          follow_up: false,
        }),
      };
    }
    case "rewrite":
      return { text: JSON.stringify({ standalone: question, variations: [question] }) };
    case "rerank":
      return {
        text: JSON.stringify({
          scores: [...prompt.matchAll(/<passage id="(\d+)">/g)].map((m) => ({ id: Number(m[1]), score: 6 })),
        }),
      };
    case "validate":
      return { text: '{"claims":[{"index":1,"verdict":"supported","reason":"stated in the passage"}]}' };
    case "respond":
      return { text: "Hello! Ask me about the handbook." };
    case "generate": {
      const highlight = tools.includes("highlight_text") && /highlight/i.test(question);
      const answered = messages.some((m) => m.role === "tool");
      if (highlight && !answered)
        return { toolCall: { id: "call_highlight", name: "highlight_text", args: { phrase: "28 days" } } };
      if (answered) return { text: `I highlighted it on your page [${markerOf(prompt, "leave") ?? 1}].` };
      const leave = markerOf(prompt, "28 days");
      if (leave) return { text: `Employees get 28 days of paid leave per year [${leave}].` };
      const remote = markerOf(prompt, "remote") ?? markerOf(prompt, "Remote") ?? 1;
      return { text: `The remote work policy is described in the handbook [${remote}].` };
    }
    case "sql":
      // The query step's SQL writer (a forced write_sql call) over the demo's registered sales dataset; like a
      // real model it declines questions the data cannot answer.
      if (!/\b(sales|revenue)\b/i.test(question))
        return {
          toolCall: {
            id: "call_sql",
            name: "write_sql",
            args: { sql: "", description: "", cannot_answer: "The sales data cannot answer this." },
          },
        };
      return {
        toolCall: {
          id: "call_sql",
          name: "write_sql",
          args: {
            sql: "SELECT month, region, sum(revenue) AS revenue FROM sales_view GROUP BY month, region ORDER BY month, region",
            description: "Total revenue by month and region.",
          },
        },
      };
    case "summarize":
      return { text: "Total revenue by month and region: the chart shows each region per month." };
    default:
      return { text: "{}" };
  }
}

export async function startFakeOpenAI(script = defaultScript) {
  const requests = [];
  const server = createServer(async (req, res) => {
    let body = "";
    for await (const part of req) body += part;
    if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) {
      res.writeHead(404, { "content-type": "application/json" }).end('{"error":{"message":"not found"}}');
      return;
    }
    const payload = JSON.parse(body);
    const messages = payload.messages ?? [];
    const prompt = messages.map((m) => textOf(m.content)).join("\n");
    const role = ROLES.find(([, marker]) => prompt.includes(marker))?.[0] ?? "unknown";
    const tools = (payload.tools ?? []).map((t) => t.function?.name);
    const request = { role, question: questionOf(messages), prompt, tools, messages, body: payload };
    requests.push(request);
    const reply = script(request);
    const frames = reply.toolCall
      ? toolFrames(reply.toolCall.id, reply.toolCall.name, reply.toolCall.args)
      : textFrames(reply.text ?? "");
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    for (const f of frames) res.write(f);
    res.end("data: [DONE]\n\n");
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
