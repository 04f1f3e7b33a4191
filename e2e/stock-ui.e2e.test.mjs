// CopilotKit's own UIs against @ragkit/server, in Debian Chromium: v1 (<CopilotKit> + react-ui <CopilotChat>,
// useCopilotAction, useCopilotReadable) and v2 (<CopilotKitProvider> + v2 <CopilotChat>, useFrontendTool,
// useAgentContext), no RagKit package and no interrupt handler. The host pages are built with Vite and served
// on another origin than the API (the demo server, allowing the pages' origin with `cors`); the agent's chat
// model is an OpenAI-compatible fake on 127.0.0.1 replaying the real streaming wire format.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "vite";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startFakeOpenAI } from "./fake-openai.mjs";
import { artifacts, freePort, launchBrowser, serveDirectory, startDemo } from "./harness.mjs";

let fake;
let demo;
let pages;
let browser;
const outDir = mkdtempSync(join(tmpdir(), "ragkit-stock-ui-"));

beforeAll(async () => {
  fake = await startFakeOpenAI();
  const pagePort = await freePort();
  demo = await startDemo({
    env: {
      OPENAI_API_KEY: "sk-fake-e2e-0000",
      OPENAI_BASE_URL: fake.url,
      RAGKIT_DEMO_CORS: `http://127.0.0.1:${pagePort}`,
    },
  });
  await build({ configFile: join(import.meta.dirname, "stock-ui", "vite.config.mjs"), build: { outDir } });
  pages = await serveDirectory(outDir, pagePort);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await pages?.close();
  if (demo) writeFileSync(join(artifacts, "stock-ui-demo-server.log"), demo.log());
  await demo?.stop();
  await fake?.close();
  rmSync(outDir, { recursive: true, force: true });
});

/** A page of one stock UI on thread `thread`, with what the browser reported that looks like a refusal. */
async function openChat(ui, thread) {
  const page = await browser.context.newPage();
  const problems = [];
  page.on("console", (m) => {
    if (
      m.type() === "error" &&
      /CORS|Access-Control|pending interrupt|runtime_info_fetch_failed/i.test(m.text())
    )
      problems.push(m.text());
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  await page.goto(`${pages.url}/${ui}.html?api=${encodeURIComponent(demo.url)}&thread=${thread}`);
  const input = page.locator("textarea").first();
  await input.waitFor({ timeout: 60_000 });
  return { page, problems, input };
}

async function ask(chat, text) {
  await chat.input.fill(text);
  await chat.input.press("Enter");
}

const shot = (page, name) => page.screenshot({ path: join(artifacts, `stock-${name}.png`), fullPage: true });

describe.each(["v1", "v2"])("CopilotKit %s stock chat on another origin", (ui) => {
  const thread = `stock-${ui}-${Date.now()}`;
  let chat;

  afterEach(async (context) => {
    if (context.task.result?.state === "fail" && chat && !chat.page.isClosed()) {
      await shot(chat.page, `${ui}-failed-${context.task.name.slice(0, 30).replace(/\W+/g, "-")}`);
    }
  });

  afterAll(async () => {
    await chat?.page.close();
  });

  it("discovers the agent across origins (preflights answered) and streams a cited answer", async () => {
    chat = await openChat(ui, thread);
    await ask(chat, "How many days of paid leave do employees get?");
    await chat.page
      .getByText(/Employees get 28 days of paid leave per year \[\d\]/)
      .waitFor({ timeout: 90_000 });
    await shot(chat.page, `${ui}-1-answer`);
    expect(chat.problems).toEqual([]);
  });

  it("shows a pending approval as a message; a new message declines it and is answered", async () => {
    await ask(chat, "Chart monthly sales by region");
    await chat.page.getByText(/Waiting for your approval to run query_database/).waitFor({ timeout: 60_000 });
    await chat.page
      .getByText(/Reply approve to run it or reject to skip it/)
      .first()
      .waitFor();
    await shot(chat.page, `${ui}-2-approval`);
    // The thread is not stranded: the next message runs (AG-UI clients refuse it while a standard interrupt waits).
    await ask(chat, "What is the remote work policy?");
    await chat.page
      .getByText(/The remote work policy is described in the handbook/)
      .waitFor({ timeout: 60_000 });
    await chat.page.getByText(/Not run: you sent a new message instead\./).waitFor();
    await shot(chat.page, `${ui}-3-declined`);
    expect(chat.problems).toEqual([]);
  });

  it("a typed 'approve' answers a pending approval in a chat without approval buttons", async () => {
    await ask(chat, "Chart monthly sales by region");
    await chat.page
      .getByText(/Waiting for your approval to run query_database/)
      .nth(1)
      .waitFor({ timeout: 60_000 });
    await ask(chat, "approve");
    await chat.page
      .getByText(/Total revenue by month and region/)
      .first()
      .waitFor({ timeout: 60_000 });
    await shot(chat.page, `${ui}-4-approved`);
    expect(chat.problems).toEqual([]);
  });

  it("runs the page's frontend tool when the model calls it, then finishes the answer with its result", async () => {
    const before = fake.requests.length;
    await ask(chat, "Highlight the number of leave days on my page");
    await expectText(chat.page.getByTestId("highlight"), "28 days");
    await chat.page.getByText(/I highlighted it on your page \[\d\]\./).waitFor({ timeout: 60_000 });
    await shot(chat.page, `${ui}-5-frontend-tool`);
    const generate = fake.requests.slice(before).filter((r) => r.role === "generate");
    // Offered next to the agent's own tool; the second call carried the browser's result.
    expect(generate[0].tools).toEqual(["search_knowledge_base", "highlight_text"]);
    expect(generate[0].prompt).toContain("The user is reading the employee handbook overview page.");
    expect(generate.at(-1).messages.find((m) => m.role === "tool")?.content).toBe(
      'Highlighted "28 days" on the page.',
    );
    expect(chat.problems).toEqual([]);
  });

  it("after a reload the thread shows the same conversation, nothing twice", async () => {
    const count = (page, re) => page.getByText(re).count();
    const expected = {
      leave: await count(chat.page, /Employees get 28 days of paid leave per year \[\d\]\.$/),
      notes: await count(chat.page, /Waiting for your approval to run query_database/),
      declined: await count(chat.page, /Not run: you sent a new message instead\./),
      remote: await count(chat.page, /The remote work policy is described in the handbook/),
    };
    expect(expected).toEqual({ leave: 1, notes: 2, declined: 1, remote: 1 });
    await chat.page.close();
    chat = await openChat(ui, thread);
    await chat.page.getByText(/I highlighted it on your page \[\d\]\./).waitFor({ timeout: 60_000 });
    expect({
      leave: await count(chat.page, /Employees get 28 days of paid leave per year \[\d\]\.$/),
      notes: await count(chat.page, /Waiting for your approval to run query_database/),
      declined: await count(chat.page, /Not run: you sent a new message instead\./),
      remote: await count(chat.page, /The remote work policy is described in the handbook/),
    }).toEqual(expected);
    await shot(chat.page, `${ui}-6-reloaded`);
    expect(chat.problems).toEqual([]);
  });
});

async function expectText(locator, text) {
  await locator.filter({ hasText: text }).waitFor({ timeout: 60_000 });
}
