// The widget as a new user meets it (issue 18): layout that holds with long titles and on phones, rename and
// delete of conversations, errors in the conversation, a stop that stops, progress and theme. One demo server,
// one Chromium; the steps build on each other in order.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifacts, launchBrowser, startDemo } from "./harness.mjs";

let demo;
let browser;
let page;
/** "METHOD /path" of every request the page made. */
const requests = [];
const list = () => page.locator("[data-testid=copilot-message-list]");

/** `RAGKIT_DOC_SCREENSHOTS=1` also writes the named shots to docs/images/react (the docs' pictures). */
const docs = join(import.meta.dirname, "..", "docs", "images", "react");
async function shot(name, docName) {
  await page.screenshot({ path: join(artifacts, `widget-${name}.png`) });
  if (docName && process.env.RAGKIT_DOC_SCREENSHOTS === "1")
    await page.screenshot({ path: join(docs, docName) });
}
const composer = () => page.locator("[data-testid=copilot-chat-textarea]").first();
const picker = () => page.getByRole("combobox", { name: "Conversation" });

/** Sends a question and waits until the run has ended (the send button is back). */
async function ask(question) {
  await composer().fill(question);
  await composer().press("Enter");
  await page.locator("[data-copilot-running=true]").waitFor({ timeout: 30_000 });
  await page.locator("[data-copilot-running=false]").waitFor({ timeout: 90_000 });
}

/** How far the page scrolls sideways (0 when everything fits the viewport). */
const sideways = () =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

async function phoneChecks() {
  for (const width of [390, 320]) {
    await page.setViewportSize({ width, height: 844 });
    await page.waitForTimeout(300); // one layout pass after the resize
    expect(await sideways(), `${width}px`).toBe(0);
    const overflowing = await page.evaluate((w) => {
      const out = [];
      for (const el of document.querySelectorAll(".rk-root *")) {
        const r = el.getBoundingClientRect();
        if (r.width > 0 && r.right > w + 1 && getComputedStyle(el).position !== "fixed")
          out.push(`${el.tagName}.${el.className}@${Math.round(r.right)}`);
      }
      return out.slice(0, 5);
    }, width);
    expect(overflowing, `${width}px`).toEqual([]);
  }
  await page.setViewportSize({ width: 390, height: 844 });
  // The composer is on screen without scrolling the page: the chat column has a fixed height.
  const box = await composer().boundingBox();
  expect(box.y + box.height).toBeLessThanOrEqual(844);
  await shot("mobile-390", "chat-narrow.png");
}

beforeAll(async () => {
  // Paced words (as a person sees them), so a run lasts long enough to watch its progress and to stop it.
  demo = await startDemo({ env: { RAGKIT_DEMO_STREAM_DELAY_MS: "40" } });
  browser = await launchBrowser();
  page = await browser.context.newPage();
  await page.setViewportSize({ width: 1280, height: 800 });
  page.on("request", (r) => requests.push(`${r.method()} ${new URL(r.url()).pathname}`));
  await page.goto(demo.url);
  await page.getByTestId("signed-in").filter({ hasText: "Acme Corporation" }).waitFor();
});

afterAll(async () => {
  if (page) await shot("last").catch(() => {});
  await browser?.close();
  await demo?.stop();
});

describe("the widget as a product (Chromium)", () => {
  it("long questions get a short title that does not widen the picker; rename, duplicates by date, delete", async () => {
    const long = `Hello, ${"how many days of paid leave do full-time employees get in a calendar year ".repeat(3)}`;
    await ask(long);
    await expect.poll(() => picker().locator("option").first().innerText(), { timeout: 15_000 }).toMatch(/·/);
    const title = await picker().locator("option:checked").innerText();
    expect(title).toMatch(/^How many days of paid leave/);
    expect(title.split(" · ")[0].length).toBeLessThanOrEqual(48);

    // The picker stays inside the chat column: "New conversation" and the documents panel stay visible.
    const chat = await page.locator(".demo-chat").boundingBox();
    const bar = await page.locator(".rk-threads").boundingBox();
    const newButton = await page.getByRole("button", { name: "New conversation" }).boundingBox();
    const docs = await page.locator(".demo-docs").boundingBox();
    expect(bar.x + bar.width).toBeLessThanOrEqual(chat.x + chat.width + 1);
    expect(newButton.x + newButton.width).toBeLessThanOrEqual(docs.x);
    for (const name of ["Rename conversation", "Delete conversation", "New conversation"]) {
      const box = await page.getByRole("button", { name }).boundingBox();
      expect(box.width, name).toBeGreaterThanOrEqual(24);
      expect(box.height, name).toBeGreaterThanOrEqual(24);
    }

    // The same question again, in a new conversation: two options, told apart by their dates.
    await page.getByRole("button", { name: "New conversation" }).click();
    await ask(long);
    await expect.poll(() => picker().locator("option").count(), { timeout: 15_000 }).toBe(2);
    const labels = await picker().locator("option").allInnerTexts();
    expect(labels[0].split(" · ")[0]).toBe(labels[1].split(" · ")[0]);
    expect(new Set(labels).size).toBe(2);
    await shot("threads-long-title", "chat-threads.png");

    await page.getByRole("button", { name: "Rename conversation" }).click();
    const field = page.getByRole("textbox", { name: "Conversation title" });
    await field.fill("Leave allowance");
    await field.press("Enter");
    await expect.poll(() => picker().locator("option:checked").innerText()).toMatch(/^Leave allowance · /);
    await page.reload();
    await expect
      .poll(() => picker().locator("option:checked").innerText(), { timeout: 30_000 })
      .toMatch(/^Leave allowance · /);

    await page.getByRole("button", { name: "Delete conversation" }).click();
    await page
      .getByRole("group", { name: "Delete conversation" })
      .getByRole("button", { name: "Delete conversation" })
      .click();
    await expect
      .poll(() => picker().locator("option").allInnerTexts())
      .not.toContainEqual(expect.stringMatching(/Leave allowance/));
  });

  it("fits phones: no sideways scroll at 390×844 and at 320 px, answers wrap inside the screen", async () => {
    try {
      await phoneChecks();
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it("progress: human step labels inside the conversation, never the idle text, gone when the answer is done", async () => {
    await page.getByRole("button", { name: "New conversation" }).click();
    await page.evaluate(() => {
      window.__steps = [];
      new MutationObserver(() => {
        for (const el of document.querySelectorAll(
          "[data-testid=copilot-message-list] [aria-label='Agent progress'] .rk-title",
        ))
          if (window.__steps.at(-1) !== el.textContent) window.__steps.push(el.textContent);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await ask("How many days of paid leave do employees get?");
    const steps = await page.evaluate(() => window.__steps);
    expect(steps.length).toBeGreaterThan(0);
    for (const label of steps) {
      expect(label).not.toMatch(
        /^(analyze|rewrite|retrieve|rerank|generate|validate|respond|query|approve)$/,
      );
      expect(label).not.toBe("Waiting for a question…");
    }
    expect(await list().locator("[aria-label='Agent progress']").count()).toBe(0);
    await list()
      .getByText(/28 days/)
      .first()
      .waitFor();
  });

  it("each answer keeps its own sources, under it, with 24 px citation markers", async () => {
    await ask("Can employees work remotely?");
    const sources = list().getByRole("region", { name: "Sources" });
    await expect.poll(() => sources.count(), { timeout: 15_000 }).toBe(2);
    const [first, second] = await sources.allInnerTexts();
    expect(first).toMatch(/28 days/);
    expect(second).not.toBe(first);
    const marker = await list().getByRole("button", { name: "Citation 1" }).first().boundingBox();
    expect(marker.width).toBeGreaterThanOrEqual(24);
    expect(marker.height).toBeGreaterThanOrEqual(24);
    await shot("answers-with-sources", "chat-answer.png");

    // The [n] in the answer text itself opens the passage; on a phone the popover stays on screen.
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      const inline = list().locator("[data-testid=copilot-assistant-message] .rk-marker").last();
      await inline.scrollIntoViewIfNeeded();
      await inline.click();
      const tip = page.getByRole("tooltip").first();
      await tip.waitFor();
      await expect.poll(() => tip.locator("mark").count(), { timeout: 15_000 }).toBeGreaterThan(0);
      const r = await tip.boundingBox();
      expect(r.x).toBeGreaterThanOrEqual(0);
      expect(r.x + r.width).toBeLessThanOrEqual(390);
      expect(r.y).toBeGreaterThanOrEqual(0);
      expect(r.y + r.height).toBeLessThanOrEqual(844);
      await shot("inline-citation-390", "citation-inline-narrow.png");
      await page.keyboard.press("Escape");
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it("a refused message shows the server's reason in the conversation and stays in the composer", async () => {
    const huge = `${"too long ".repeat(4500)}end`;
    await composer().fill(huge);
    await composer().press("Enter");
    const alert = list().getByRole("alert");
    await alert.waitFor({ timeout: 30_000 });
    expect(await alert.innerText()).toMatch(/limit is 32768 bytes/);
    await shot("refused", "chat-error.png");
    await expect.poll(() => composer().inputValue()).toBe(huge);
    expect(await sideways()).toBe(0);
    await composer().fill("");
  });

  it("typing during a run does not clear the composer", async () => {
    await composer().fill("What does the handbook say about probation?");
    await composer().press("Enter");
    await page.locator("[data-copilot-running=true]").waitFor({ timeout: 30_000 });
    await composer().pressSequentially("a follow-up draft");
    await page.locator("[data-copilot-running=false]").waitFor({ timeout: 90_000 });
    expect(await composer().inputValue()).toBe("a follow-up draft");
    // The error of the refused message went away with the next run.
    expect(await list().getByRole("alert").count()).toBe(0);
    await composer().fill("");
  });

  it("approval shows the SQL formatted and wrapped, not raw JSON", async () => {
    await composer().fill("Chart monthly sales by region");
    await composer().press("Enter");
    const card = page.locator("[data-approval='pending']").first();
    await card.waitFor({ timeout: 30_000 });
    const sql = card.locator("[data-sql]");
    const text = await sql.innerText();
    expect(text).toMatch(/^SELECT .*\nFROM /s);
    expect(await card.innerText()).not.toMatch(/"sql":/);
    const box = await sql.boundingBox();
    const scroll = await sql.evaluate((el) => el.scrollWidth - el.clientWidth);
    expect(scroll).toBe(0);
    expect(box.width).toBeLessThanOrEqual((await card.boundingBox()).width);
    await shot("approval-sql", "chat-approval.png");
    await card.getByRole("button", { name: /^approve$/i }).click();
    await page.locator(".recharts-surface").first().waitFor({ timeout: 60_000 });
    // Chart first: the query's rows are folded, and no raw ISO timestamp is on screen.
    expect(await page.locator("[data-query-result] details[open]").count()).toBe(0);
    expect(await list().innerText()).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
    await shot("chart", "chat-chart.png");
    // The chart is part of the stored thread: it comes back after a reload.
    await page.reload();
    await page.locator(".recharts-surface").first().waitFor({ timeout: 30_000 });
  });

  it("theme: auto follows prefers-color-scheme; the focus ring follows the rounded input; one Documents heading; chips show the question", async () => {
    const bg = () =>
      page.evaluate(() =>
        getComputedStyle(document.querySelector(".rk-root")).getPropertyValue("--rk-bg").trim(),
      );
    await page.emulateMedia({ colorScheme: "dark" });
    await expect.poll(bg).toBe("#16161a");
    await shot("dark", "chat-dark.png");
    await page.emulateMedia({ colorScheme: "light" });
    await expect.poll(bg).toBe("#ffffff");

    await composer().focus();
    await page.keyboard.press("Tab");
    await page.keyboard.press("Shift+Tab");
    const ring = await page.evaluate(() => {
      const input = document.querySelector("[data-testid=copilot-chat-input]");
      const ta = document.querySelector("[data-testid=copilot-chat-textarea]");
      return {
        textarea: getComputedStyle(ta).outlineStyle,
        input: getComputedStyle(input).outlineStyle,
        radius: Number.parseFloat(getComputedStyle(input).borderTopLeftRadius),
      };
    });
    expect(ring.textarea).toBe("none");
    expect(ring.input).toBe("solid");
    expect(ring.radius).toBeGreaterThan(8);

    expect(await page.locator(".demo-docs").getByText("Documents", { exact: true }).count()).toBe(1);

    await page.getByRole("button", { name: "New conversation" }).click();
    const chips = page.locator("[data-testid=copilot-suggestion]");
    await chips.first().waitFor({ timeout: 15_000 });
    expect(await chips.allInnerTexts()).toContainEqual(
      expect.stringContaining("How many days of paid leave do employees get?"),
    );
  });

  it("stop stops: on a throttled connection the stop button sends the stop request and the stream ends", async () => {
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: 300,
      downloadThroughput: 8 * 1024,
      uploadThroughput: 8 * 1024,
    });
    try {
      await composer().fill("How many days of paid leave do employees get? Explain part-time leave too.");
      await composer().press("Enter");
      await page.locator("[data-copilot-running=true]").waitFor({ timeout: 30_000 });
      const before = requests.length;
      await page.locator("[data-testid=copilot-send-button]").click();
      await expect
        .poll(() => requests.slice(before).some((r) => /^POST .*\/(stop|runs\/[^/]+\/stop)/.test(r)), {
          timeout: 30_000,
        })
        .toBe(true);
      await page.locator("[data-copilot-running=false]").waitFor({ timeout: 60_000 });
    } finally {
      await cdp.send("Network.emulateNetworkConditions", {
        offline: false,
        latency: 0,
        downloadThroughput: -1,
        uploadThroughput: -1,
      });
    }
  });
});
