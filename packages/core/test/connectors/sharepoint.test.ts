import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConnectorError } from "../../src/connectors/errors.js";
import type { TenantContext } from "../../src/tenant/context.js";
import { collect, type Harness, startHarness } from "./helpers.js";

/**
 * Microsoft Graph replayed with msw in its real wire format: the v2.0 token endpoint, drive delta pages with
 * @odata.nextLink / @odata.deltaLink, deleted facets, 302 downloads, 429 + Retry-After throttling.
 */
const AAD_TENANT = "contoso.onmicrosoft.com";
const CLIENT_ID = "6731de76-14a6-49ae-97bc-6eba6914391e";
const SECRET = "Zx8Q~s3cr3t.Valu3-NeverInErrors";
const DRIVE = "b!t18F8ybsHUq1z3LTz8xvZqP8zaSWjkFNhsME-Fepo75dTf9vQKfeRblBZjoSQrd7";
const GRAPH = "https://graph.microsoft.com/v1.0";
const TOKEN_URL = `https://login.microsoftonline.com/${AAD_TENANT}/oauth2/v2.0/token`;
const DELTA = `${GRAPH}/drives/${DRIVE}/root/delta`;
const PAGE2 = `${DELTA}?token=MzslMjM0OyUyMzE7MzsxYjkzOTI2MC0wNTgzLTQ1MjgtYWY3YS0yMjg0OTQ0NmJhODY`;
const LINK1 = `${DELTA}?token=aTE09NjM2NzA4MTUzNTE1MzcuMDAwO3NwLjE7MjAyMzA3MTgwNzE`;
const LINK2 = `${DELTA}?token=aTE09NjM2NzA4MTUzNTE1MzcuMDAwO3NwLjE7MjAyMzA3MTgwNzI`;
const context = "https://graph.microsoft.com/v1.0/$metadata#Collection(driveItem)";

const parent = (path: string) => ({
  driveType: "documentLibrary",
  driveId: DRIVE,
  id: "01BYE5RZ56Y2GOVW7725BZO354PWSELRRZ",
  path: `/drives/${DRIVE}/root:${path}`,
});
const file = (
  id: string,
  name: string,
  version: number,
  folder = "/Policies",
  mimeType = "text/markdown",
) => ({
  "@odata.type": "#microsoft.graph.driveItem",
  createdDateTime: "2026-01-10T09:00:00Z",
  eTag: `"{${id}},${version}"`,
  cTag: `"c:{${id}},${version}"`,
  id,
  lastModifiedDateTime: "2026-01-10T09:00:00Z",
  name,
  size: contents.get(id)?.length ?? 10,
  webUrl: `https://contoso.sharepoint.com/sites/hr/Shared%20Documents${folder}/${encodeURIComponent(name)}`,
  parentReference: parent(folder),
  file: { mimeType, hashes: { quickXorHash: "AAAAAAAAAAAAAAAAAAAAAAAAAAA=" } },
  fileSystemInfo: { createdDateTime: "2026-01-10T09:00:00Z", lastModifiedDateTime: "2026-01-10T09:00:00Z" },
});
const root = {
  id: "01BYE5RZ56Y2GOVW7725BZO354PWSELRRZ",
  name: "root",
  root: {},
  folder: { childCount: 2 },
  parentReference: { driveId: DRIVE, driveType: "documentLibrary" },
};
const folder = {
  id: "01BYE5RZ6FOLDERPOLICIES0000000000",
  name: "Policies",
  folder: { childCount: 3 },
  parentReference: parent(""),
};

const contents = new Map<string, string>([
  ["01A", "# Leave policy\n\nEmployees get thirty days of paid leave."],
  ["01B", "# Travel policy\n\nBook economy class for flights under six hours."],
  ["01C", "# Expenses\n\nReceipts are required above fifty euros."],
  ["01X", "Outside the folder: must not be synced."],
  ["01D", "# Remote work\n\nRemote work is allowed three days a week."],
]);

describe("SharePoint connector (Microsoft Graph replayed with msw)", () => {
  let h: Harness;
  let ctx: TenantContext;
  const log: string[] = [];
  let throttleNext = 0;
  let tokenRequests = 0;

  const server = setupServer(
    http.post(TOKEN_URL, async ({ request }) => {
      tokenRequests++;
      const form = new URLSearchParams(await request.text());
      if (
        form.get("grant_type") !== "client_credentials" ||
        form.get("scope") !== "https://graph.microsoft.com/.default"
      ) {
        return HttpResponse.json({ error: "invalid_request" }, { status: 400 });
      }
      if (form.get("client_secret") !== SECRET) {
        return HttpResponse.json(
          {
            error: "invalid_client",
            error_description: `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${CLIENT_ID}'. Trace ID: 0c1f Correlation ID: 9b2e Timestamp: 2026-01-10 09:00:00Z`,
            error_codes: [7000215],
            error_uri: "https://login.microsoftonline.com/error?code=7000215",
          },
          { status: 401 },
        );
      }
      return HttpResponse.json({
        token_type: "Bearer",
        expires_in: 3599,
        ext_expires_in: 3599,
        access_token: "eyJ0eXAiOiJKV1Qi.test.token",
      });
    }),
    http.get(`${GRAPH}/drives/:drive/root/delta`, ({ request, params }) => {
      if (request.headers.get("authorization") !== "Bearer eyJ0eXAiOiJKV1Qi.test.token") {
        return HttpResponse.json(
          { error: { code: "InvalidAuthenticationToken", message: "Access token is empty." } },
          { status: 401 },
        );
      }
      if (params.drive === "b!denied") {
        return HttpResponse.json(
          {
            error: {
              code: "accessDenied",
              message: "Either scp or roles claim need to be present in the token.",
            },
          },
          { status: 403 },
        );
      }
      const url = request.url;
      log.push(
        `delta ${url === DELTA ? "initial" : url === PAGE2 ? "page2" : url === LINK1 ? "link1" : url === LINK2 ? "link2" : url}`,
      );
      if (throttleNext > 0) {
        throttleNext--;
        return HttpResponse.json(
          { error: { code: "activityLimitReached", message: "The request has been throttled" } },
          { status: 429, headers: { "Retry-After": "1" } },
        );
      }
      if (url === DELTA) {
        return HttpResponse.json({
          "@odata.context": context,
          "@odata.nextLink": PAGE2,
          value: [
            root,
            folder,
            file("01A", "Leave policy.md", 1),
            file("01X", "outside.txt", 1, "/Other", "text/plain"),
          ],
        });
      }
      if (url === PAGE2) {
        return HttpResponse.json({
          "@odata.context": context,
          "@odata.deltaLink": LINK1,
          value: [file("01B", "Travel policy.md", 1), file("01C", "Expenses.md", 1)],
        });
      }
      if (url === LINK1) {
        return HttpResponse.json({
          "@odata.context": context,
          "@odata.deltaLink": LINK2,
          value: [
            file("01B", "Travel policy.md", 2),
            {
              id: "01C",
              deleted: { state: "deleted" },
              parentReference: { driveId: DRIVE, driveType: "documentLibrary" },
            },
            file("01D", "Remote work.md", 1),
          ],
        });
      }
      if (url === LINK2)
        return HttpResponse.json({ "@odata.context": context, "@odata.deltaLink": LINK2, value: [] });
      return HttpResponse.json({ error: { code: "resyncRequired" } }, { status: 410 });
    }),
    // Graph answers /content with a 302 to a pre-authenticated download URL on the SharePoint host.
    http.get(`${GRAPH}/drives/:drive/items/:item/content`, ({ params }) => {
      log.push(`content ${params.item}`);
      return new HttpResponse(null, {
        status: 302,
        headers: {
          Location: `https://contoso.sharepoint.com/_layouts/15/download.aspx?UniqueId=${params.item}&tempauth=v1.abc`,
        },
      });
    }),
    http.get("https://contoso.sharepoint.com/_layouts/15/download.aspx", ({ request }) => {
      const id = new URL(request.url).searchParams.get("UniqueId")!;
      if (request.headers.get("authorization")) return new HttpResponse(null, { status: 400 }); // must not leak the token
      const body = contents.get(id);
      return body === undefined
        ? new HttpResponse(null, { status: 404 })
        : new HttpResponse(body, { headers: { "Content-Type": "application/octet-stream" } });
    }),
  );

  const create = (secret = SECRET, extra: Record<string, unknown> = {}) =>
    h.service.create(ctx, {
      kind: "sharepoint",
      name: "HR policies",
      config: {
        tenantId: AAD_TENANT,
        clientId: CLIENT_ID,
        driveId: DRIVE,
        folderPath: "/Policies",
        ...extra,
      },
      credentials: { clientSecret: secret },
    });

  beforeAll(async () => {
    server.listen({ onUnhandledRequest: "error" });
    h = await startHarness();
    ctx = await h.tenant();
  });
  afterAll(async () => {
    server.close();
    await h?.stop();
  });

  it("enumerates the drive through delta pages, then follows the stored deltaLink: changes, deletions, additions", async () => {
    const c = await create();
    const first = await collect(h.service.sync(ctx, c.id));
    expect(first.summary).toMatchObject({
      status: "succeeded",
      created: 3,
      fetched: 3,
      deleted: 0,
      listed: 3,
    });
    expect(log.splice(0)).toEqual([
      "delta initial",
      "content 01A",
      "delta page2",
      "content 01B",
      "content 01C",
    ]);
    expect(await h.queue.drain()).toBe(3);
    const docs = await h.store.listDocuments(ctx, { limit: 50 });
    expect(docs.documents.map((d) => d.sourceId).sort()).toEqual(
      ["01A", "01B", "01C"].map((k) => `${c.id}:${k}`),
    );
    expect(docs.documents.find((d) => d.sourceId === `${c.id}:01A`)).toMatchObject({
      source: "sharepoint",
      sourceUrl: "https://contoso.sharepoint.com/sites/hr/Shared%20Documents/Policies/Leave%20policy.md",
      title: "Leave policy.md",
    });

    contents.set("01B", "# Travel policy\n\nTrains are preferred for trips under four hours.");
    const second = await collect(h.service.sync(ctx, c.id));
    expect(second.summary).toMatchObject({ created: 1, updated: 1, deleted: 1, fetched: 2 });
    expect(log.splice(0)).toEqual(["delta link1", "content 01B", "content 01D"]);
    expect(await h.queue.drain()).toBe(2);
    const after = await h.store.listDocuments(ctx, { limit: 50 });
    expect(after.documents.map((d) => d.sourceId).sort()).toEqual(
      ["01A", "01B", "01D"].map((k) => `${c.id}:${k}`),
    );
    const hits = await h.store.search(ctx, { query: "trains preferred", topK: 1, mode: "lexical" });
    expect(hits[0]?.sourceId).toBe(`${c.id}:01B`);

    const third = await collect(h.service.sync(ctx, c.id));
    expect(third.summary).toMatchObject({ listed: 0, created: 0, updated: 0, deleted: 0, fetched: 0 });
    expect(log.splice(0)).toEqual(["delta link2"]);
    expect(tokenRequests).toBe(3); // one client-credentials login per sync
  });

  it("waits out 429 throttling (Retry-After) and carries on", async () => {
    const c = await create();
    throttleNext = 1;
    const { summary } = await collect(h.service.sync(ctx, c.id));
    expect(summary).toMatchObject({ status: "succeeded", fetched: 3 });
    expect(log.splice(0).slice(0, 2)).toEqual(["delta initial", "delta initial"]);
    await h.queue.drain();
  });

  it("gives up on persistent throttling with a connector error, and resumes from the stored page later", async () => {
    const c = await create(SECRET, { retries: 1 });
    throttleNext = 2;
    const error = await collect(h.service.sync(ctx, c.id)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ failure: "throttled", code: "rate_limited" });
    expect((error as Error).message).toMatch(/HTTP 429/);
    log.splice(0);
    const { summary } = await collect(h.service.sync(ctx, c.id));
    expect(summary).toMatchObject({ status: "succeeded", created: 3, resumed: true });
    await h.queue.drain();
  });

  it("reports a drive the app may not read as access denied", async () => {
    const c = await create(SECRET, { driveId: "b!denied" });
    const error = await collect(h.service.sync(ctx, c.id)).catch((e: unknown) => e);
    expect(error).toMatchObject({ failure: "access_denied", message: expect.stringMatching(/HTTP 403/) });
    expect(String(error)).not.toContain(SECRET);
  });

  it("reports a wrong client secret as an authentication failure that never contains the secret", async () => {
    const wrong = "Wr0ng~SecretValue.ThatMustNotLeak";
    const c = await create(wrong);
    const error = await collect(h.service.sync(ctx, c.id)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ failure: "auth_failed" });
    expect((error as Error).message).toMatch(/invalid_client/);
    const record = await h.service.get(ctx, c.id);
    expect(record.lastSync.status).toBe("failed");
    const everything = JSON.stringify([
      String(error),
      (error as Error).cause,
      record,
      await h.service.list(ctx),
    ]);
    expect(everything).not.toContain(wrong);
    expect(everything).not.toContain(SECRET);
  });
});
