// The widget as a new user meets it (issue 18): layout that holds with long titles and on phones, rename and
// delete of conversations, errors in the conversation, a stop that stops, progress and theme. One demo server,
// one Chromium; the steps build on each other in order.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifacts, launchBrowser, startDemo } from "./harness.mjs";

let demo;
let browser;
let page;

const shot = (name) => page.screenshot({ path: join(artifacts, `widget-${name}.png`) });
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

beforeAll(async () => {
  demo = await startDemo();
  browser = await launchBrowser();
  page = await browser.context.newPage();
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
    await shot("threads-long-title");

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
    for (const width of [390, 320]) {
      await page.setViewportSize({ width, height: 844 });
      await page.waitForTimeout(300); // one layout pass after the resize
      expect(await sideways(), `${width}px`).toBe(0);
      const overflowing = await page.evaluate((w) => {
        const out = [];
        for (const el of document.querySelectorAll(".rk-root *")) {
          const r = el.getBoundingClientRect();
          if (r.width > 0 && r.right > w + 1 && getComputedStyle(el).position !== "fixed")
            out.push(el.className);
        }
        return out.slice(0, 5);
      }, width);
      expect(overflowing, `${width}px`).toEqual([]);
    }
    await page.setViewportSize({ width: 390, height: 844 });
    // The composer is on screen without scrolling the page: the chat column has a fixed height.
    const box = await composer().boundingBox();
    expect(box.y + box.height).toBeLessThanOrEqual(844);
    await shot("mobile-390");
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});
