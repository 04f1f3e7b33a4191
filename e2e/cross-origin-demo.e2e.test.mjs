// The demo with its web app on another origin than the API (RAGKIT_DEMO_WEB_PORT): every call — CopilotKit's
// /info discovery, the AG-UI run, the token endpoint, documents — is cross-origin and goes through CORS
// preflights, in Debian Chromium.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, startDemo } from "./harness.mjs";

let demo;
let browser;
let page;
const apiRequests = [];
const problems = [];

beforeAll(async () => {
  demo = await startDemo({ separateWebOrigin: true });
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on("request", (request) => {
    if (request.url().startsWith(demo.url))
      apiRequests.push(`${request.method()} ${new URL(request.url()).pathname}`);
  });
  // What a refused cross-origin call looks like: a CORS console error, a failed request, an HTTP error.
  // (The widget looks its stored thread up before the first message: a new thread is a 404 by design; an
  // aborted request is CopilotKit cancelling its own history fetch when the first message is sent.)
  page.on("response", (response) => {
    const url = response.url();
    if (response.status() >= 400 && !(response.status() === 404 && /\/api\/threads\/[^/]+$/.test(url))) {
      problems.push(`HTTP ${response.status()}: ${response.request().method()} ${url}`);
    }
  });
  page.on("requestfailed", (request) => {
    if (request.failure()?.errorText !== "net::ERR_ABORTED") problems.push(`failed: ${request.url()}`);
  });
  page.on("console", (message) => {
    if (message.type() === "error" && /CORS|Access-Control|runtime_info_fetch_failed/i.test(message.text())) {
      problems.push(`console: ${message.text()}`);
    }
  });
  await page.goto(demo.webUrl);
  await page.getByTestId("signed-in").filter({ hasText: "Acme Corporation" }).waitFor({ timeout: 60_000 });
});

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

describe("the demo's web app on a separate origin", () => {
  it("is served from another origin than the API", () => {
    expect(new URL(demo.webUrl).origin).not.toBe(new URL(demo.url).origin);
  });

  it("discovers the agent over CORS and streams a cited answer", async () => {
    const input = page.locator("textarea").first();
    await input.fill("How many days of paid leave do employees get?");
    await input.press("Enter");
    await page
      .getByText(/28 days/)
      .first()
      .waitFor({ timeout: 90_000 });
    const sources = page.getByRole("region", { name: /sources/i }).last();
    await sources.waitFor({ timeout: 30_000 });
    expect(await sources.innerText()).toMatch(/Acme Employee Handbook/);
    // The browser asked the API origin for everything, preflights included, and nothing was refused.
    expect(apiRequests).toContain("GET /demo/token");
    expect(apiRequests).toContain("GET /api/copilotkit/info");
    expect(apiRequests).toContain("POST /api/copilotkit/agent/ragkit/run");
    expect(problems).toEqual([]);
  });
});
