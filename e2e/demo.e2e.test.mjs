import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifacts, launchBrowser, startDemo } from "./harness.mjs";

let demo;
let browser;
let page;
/** AG-UI streams the page received from the CopilotKit runtime routes (bodies, in order). */
const streams = [];

const shot = (name) => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
const chatInput = () => page.locator("textarea").first();

async function ask(question) {
  const before = streams.length;
  await chatInput().fill(question);
  await chatInput().press("Enter");
  await expect.poll(() => streams.length, { timeout: 90_000 }).toBeGreaterThan(before);
  return streams.at(-1);
}

beforeAll(async () => {
  demo = await startDemo();
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on("response", async (response) => {
    if (/\/api\/copilotkit\/agent\/[^/]+\/run$/.test(new URL(response.url()).pathname)) {
      const body = await response.text().catch((e) => `(body unavailable: ${e.message})`);
      writeFileSync(join(artifacts, `run-${streams.length + 1}.sse`), body);
      streams.push(body);
    }
  });
  await page.goto(demo.url);
  await page.getByTestId("signed-in").filter({ hasText: "Acme Corporation" }).waitFor();
});

afterAll(async () => {
  if (page) await shot("last").catch(() => {});
  await browser?.close();
  if (demo) writeFileSync(join(artifacts, "demo-server.log"), demo.log());
  await demo?.stop();
});

describe("the demo in a real browser (Debian Chromium)", () => {
  it("acme: streams an answer token by token, then shows citations from acme's documents only", async () => {
    const sse = await ask("How many days of paid leave do employees get?");
    const contents = sse.split("\n").filter((l) => l.includes('"TEXT_MESSAGE_CONTENT"'));
    expect(contents.length).toBeGreaterThan(3); // streamed, not one blob
    expect(sse.indexOf("TEXT_MESSAGE_CONTENT")).toBeLessThan(sse.lastIndexOf("citations"));
    await page
      .getByText(/28 days/)
      .first()
      .waitFor({ timeout: 30_000 });
    const sources = page.getByRole("region", { name: /sources/i }).last();
    await sources.waitFor();
    await expect.poll(() => sources.innerText()).toMatch(/Acme Employee Handbook/);
    expect(await sources.innerText()).not.toMatch(/Hyperion|Globex/);
    await shot("01-acme-answer");
  });

  it("opens a citation: the cited span of the source is highlighted", async () => {
    const marker = page.getByRole("button", { name: "Citation 1" }).first();
    await marker.click(); // a mouse user: hover, then click — the passage stays open
    const tooltip = page.getByRole("tooltip").first();
    await tooltip.waitFor();
    await expect.poll(() => tooltip.locator("mark").count(), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(await tooltip.innerText()).toMatch(/Acme Employee Handbook/);
    await shot("02-citation");
    await page.keyboard.press("Escape");
  });

  it("asks for approval before the SQL tool runs, then renders the chart", async () => {
    await ask("Chart monthly sales by region");
    const card = page.locator("[data-approval='pending']").first();
    await card.waitFor({ timeout: 30_000 });
    expect(await card.innerText()).toMatch(/query_database/);
    await shot("03-approval");
    await card.getByRole("button", { name: /^approve$/i }).click();
    await page.locator(".recharts-surface").first().waitFor({ timeout: 60_000 });
    await shot("04-chart");
  });

  it("uploads a file, shows its progress, and makes it searchable", async () => {
    await page.locator("input[type=file]").setInputFiles({
      name: "canteen.md",
      mimeType: "text/markdown",
      buffer: Buffer.from("# Canteen\n\nThe Acme canteen serves pierogi every Thursday.\n"),
    });
    await page
      .getByRole("progressbar", { name: /canteen\.md/ })
      .first()
      .waitFor({ timeout: 15_000 });
    await page.getByText("Canteen", { exact: true }).first().waitFor({ timeout: 60_000 });
    await shot("05-upload");
    await ask("What does the canteen serve on Thursday?");
    await page
      .getByText(/pierogi/)
      .first()
      .waitFor({ timeout: 30_000 });
  });

  it("restores the thread after a reload", async () => {
    await page.reload();
    // The answers (not the thread picker's title) come back from the server after the reload.
    const chat = page.locator(".demo-chat");
    await expect.poll(() => chat.innerText(), { timeout: 30_000 }).toMatch(/28 days[\s\S]*pierogi/);
    await shot("06-restored");
  });

  it("globex sees none of acme's documents, answers or data", async () => {
    await page.getByTestId("tenant-globex").click();
    await page.getByTestId("signed-in").filter({ hasText: "Globex" }).waitFor();
    await expect.poll(() => page.locator(".demo-docs").innerText(), { timeout: 30_000 }).toMatch(/Hyperion/);
    expect(await page.locator(".demo-docs").innerText()).not.toMatch(/Acme|Canteen|Remote work/);
    expect(await page.locator(".demo-chat").innerText()).not.toMatch(/pierogi|28 days/);
    const sse = await ask("How many days of paid leave do employees get?");
    expect(sse).not.toMatch(/Acme|28 days|pierogi/);
    await ask("What does the Hyperion warranty cover?");
    await page
      .getByText(/three-year limited warranty/)
      .first()
      .waitFor({ timeout: 30_000 });
    expect(await page.locator(".demo-chat").innerText()).not.toMatch(/Acme Employee Handbook/);
    await shot("07-globex");
  });
});
