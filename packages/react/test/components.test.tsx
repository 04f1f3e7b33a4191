// Components against the real server handler on 127.0.0.1 (see dom-in-node.ts for the environment).
import "./dom-in-node.js";
import { act, cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  AgentStateDisplay,
  AnswerWithCitations,
  ApprovalCard,
  type ChatCitation,
  Citations,
  DataVisualization,
  DocumentList,
  DocumentUpload,
  formatSql,
  RagKitClient,
  threadOptionLabels,
  toAgentView,
  ValidationBadge,
} from "../src/index.js";
import { type Served, serveHandler } from "./http.js";
import { type Fixture, mint, openFixture } from "./support.js";

let f: Fixture;
let served: Served;
let client: RagKitClient;

beforeAll(async () => {
  f = await openFixture();
  served = await serveHandler(f.handler);
  const token = await mint("acme");
  client = new RagKitClient({ baseUrl: `${served.url}/api/rag`, getToken: () => token });
});
afterAll(async () => {
  await served?.close();
  await f?.store.close();
});
afterEach(cleanup);

const citation = (docIndex: number, marker: number, quote: string, start: number): ChatCitation => ({
  marker,
  chunkId: `c${marker}`,
  documentId: f.docsA[docIndex] ?? "",
  documentTitle: ["Travel policy", "Expense guide", "Onboarding"][docIndex] ?? null,
  start,
  end: start + quote.length,
  quote,
  pageNumber: [4, 2, 1][docIndex] ?? null,
});

describe("<AgentStateDisplay>", () => {
  it("shows the step, a progress bar and the documents found", () => {
    const view = toAgentView({
      step: "retrieve",
      progress: 0.4,
      thoughts: ["Looking for travel rules."],
      citations: [citation(0, 1, "Economy class flights", 0), citation(1, 2, "Meals during travel", 0)],
    });
    render(<AgentStateDisplay state={view} />);
    expect(screen.getByText("Searching your documents").getAttribute("aria-live")).toBe("polite");
    expect(screen.getByRole("progressbar").getAttribute("aria-valuenow")).toBe("40");
    expect(screen.getByText("Found 2 relevant documents")).toBeTruthy();
    expect(screen.getByText("Travel policy")).toBeTruthy();
    expect(screen.getByText("Thoughts (1)")).toBeTruthy();
  });

  it("accepts partial or malformed shared state without throwing", () => {
    render(
      <AgentStateDisplay
        state={toAgentView({ progress: "half", thoughts: null, citations: [{ bad: 1 }] })}
      />,
    );
    expect(screen.getByRole("progressbar").getAttribute("aria-valuenow")).toBe("0");
    expect(screen.getByText("Waiting for a question…")).toBeTruthy();
  });

  it("a started run without a step reads as starting; unknown steps read as words, not identifiers", () => {
    const { rerender } = render(<AgentStateDisplay state={toAgentView({})} running />);
    expect(screen.getByText("Getting started…")).toBeTruthy();
    expect(screen.queryByText("Waiting for a question…")).toBeNull();
    rerender(<AgentStateDisplay state={toAgentView({ step: "rerank" })} running />);
    expect(screen.getByText("Picking the most relevant passages")).toBeTruthy();
    rerender(<AgentStateDisplay state={toAgentView({ step: "fetch_orders" })} running />);
    expect(screen.getByText("Fetch orders")).toBeTruthy();
  });
});

describe("validation badge and SQL", () => {
  const unsupported = { status: "unsupported" as const, claims: [], issues: ["No sentence is cited."] };
  it("an answer that says the documents do not cover the question is neutral, not 'Not supported'", () => {
    const { container, rerender } = render(<ValidationBadge validation={unsupported} answerKind="none" />);
    expect(container.querySelector("[data-validation]")?.getAttribute("data-validation")).toBe(
      "not_in_documents",
    );
    expect(container.querySelector(".rk-bad")).toBeNull();
    rerender(<ValidationBadge validation={unsupported} answerKind="generative" />);
    expect(container.querySelector(".rk-bad")).not.toBeNull();
  });

  it("formats a query one clause per line without changing it otherwise", () => {
    expect(
      formatSql("select region,  sum(revenue) from sales_view\n group by region order by region limit 5"),
    ).toBe("select region, sum(revenue)\nfrom sales_view\ngroup by region\norder by region\nlimit 5");
  });

  it("tells conversations with the same title apart by their date", () => {
    const t = (id: string, createdAt: string) => ({
      threadId: id,
      title: "Same question",
      runCount: 1,
      lastRunId: "r",
      lastStatus: "completed" as const,
      createdAt,
      updatedAt: createdAt,
    });
    const labels = threadOptionLabels(
      [t("a", "2026-12-03T10:00:05Z"), t("b", "2026-12-03T10:00:40Z"), t("c", "2026-12-02T09:00:00Z")],
      "Untitled",
    );
    expect(new Set(labels.values()).size).toBe(3);
    for (const label of labels.values()) expect(label).toMatch(/^Same question · /);
  });
});

describe("citations", () => {
  it("focusing a marker fetches the document text and highlights the cited span", async () => {
    const c = citation(1, 2, "forty euros per day", "Meals during travel are reimbursed up to ".length);
    render(
      <AnswerWithCitations
        answer="Meals are capped [2]. Unknown [9] stays text."
        citations={[c]}
        client={client}
      />,
    );
    expect(screen.getByText(/Unknown \[9\] stays text/)).toBeTruthy();
    const marker = screen.getByRole("button", { name: "Citation 2" });
    act(() => marker.focus());
    const tip = await screen.findByRole("tooltip");
    expect(marker.getAttribute("aria-describedby")).toBe(tip.id);
    const mark = await within(tip).findByText("forty euros per day", { selector: "mark" });
    expect(mark.parentElement?.textContent).toContain(
      "Meals during travel are reimbursed up to forty euros per day.",
    );
    expect(within(tip).getByText(/page 2/)).toBeTruthy();
    fireEvent.keyDown(marker, { key: "Escape" });
    expect(screen.queryByRole("tooltip")).toBeNull();
    // A mouse click arrives after the hover that opened it: the passage must stay open, not toggle shut.
    fireEvent.mouseEnter(marker.parentElement as HTMLElement);
    fireEvent.click(marker);
    expect(await screen.findByRole("tooltip")).toBeTruthy();
  });

  it("falls back to the quote when the passage cannot be loaded (another tenant's document)", async () => {
    const other = { ...citation(0, 1, "Globex staff travel by train", 0), documentId: f.docsB[0] ?? "" };
    render(<AnswerWithCitations answer="Trains [1]" citations={[other]} client={client} />);
    fireEvent.mouseEnter(screen.getByRole("button", { name: "Citation 1" }).parentElement as HTMLElement);
    const tip = await screen.findByRole("tooltip");
    expect(await within(tip).findByText(/Could not load the passage/)).toBeTruthy();
    expect(within(tip).getByText("Globex staff travel by train", { selector: "mark" })).toBeTruthy();
  });

  it("lists sources and shows an unsupported verdict with its issues", () => {
    render(
      <Citations
        citations={[citation(0, 1, "Economy class flights", 0)]}
        validation={{ status: "unsupported", claims: [], issues: ["Claim 2 has no source."] }}
        client={client}
      />,
    );
    const region = screen.getByRole("region", { name: "Sources" });
    expect(within(region).getByText("Not supported by the sources")).toBeTruthy();
    expect(within(region).getByText("Claim 2 has no source.")).toBeTruthy();
    expect(within(region).getByRole("button", { name: "Citation 1" })).toBeTruthy();
  });
});

describe("<DataVisualization>", () => {
  const base = {
    title: "Revenue by region",
    xKey: "region",
    series: [{ key: "revenue", label: "Revenue" }],
    data: [
      { region: "North", revenue: 120 },
      { region: "South", revenue: 90 },
      { region: "West", revenue: 100 },
    ],
    unit: "EUR",
  };
  for (const type of ["line", "bar", "pie", "area"] as const) {
    it(`renders a ${type} chart with its data table`, () => {
      const { container } = render(<DataVisualization spec={{ ...base, type }} width={400} height={200} />);
      const figure = screen.getByRole("figure", { name: "Revenue by region" });
      expect(figure.getAttribute("data-chart-type")).toBe(type);
      expect(container.querySelector("svg.recharts-surface")).not.toBeNull();
      const rows = within(figure).getAllByRole("row");
      expect(rows).toHaveLength(4);
      expect(within(rows[1] as HTMLElement).getByText("120 EUR")).toBeTruthy();
    });
  }
  it("renders a scatter chart (numeric x)", () => {
    const spec = {
      type: "scatter",
      title: "Units vs revenue",
      xKey: "units",
      series: [{ key: "revenue", label: "Revenue" }],
      data: [
        { units: 1, revenue: 10 },
        { units: 2, revenue: 25 },
      ],
    };
    const { container } = render(<DataVisualization spec={spec} width={400} height={200} />);
    expect(container.querySelector("svg.recharts-surface")).not.toBeNull();
    expect(screen.getAllByRole("row")).toHaveLength(3);
  });
  it("shows an error for an invalid spec instead of a blank chart", () => {
    render(
      <DataVisualization
        spec={{ ...base, type: "pie", series: [...base.series, { key: "x", label: "X" }] }}
      />,
    );
    expect(screen.getByRole("alert").textContent).toMatch(/exactly one series/);
  });
});

describe("<ApprovalCard>", () => {
  const interrupt = { tool: "query_database", args: { sql: "SELECT 1" }, reason: "Run this query?" };
  it("approves", async () => {
    const onDecision = vi.fn();
    render(<ApprovalCard interrupt={interrupt} onDecision={onDecision} />);
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Approve" })));
    expect(onDecision).toHaveBeenCalledWith({ type: "approve" });
    expect(screen.getByRole("status").textContent).toBe("Approved");
  });
  it("rejects with a reason", async () => {
    const onDecision = vi.fn();
    render(<ApprovalCard interrupt={interrupt} onDecision={onDecision} />);
    fireEvent.click(screen.getByRole("button", { name: "Reject…" }));
    fireEvent.change(screen.getByLabelText("Reason (optional)"), { target: { value: "too broad" } });
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Reject" })));
    expect(onDecision).toHaveBeenCalledWith({ type: "reject", reason: "too broad" });
  });
  it("edits the arguments, refusing invalid JSON", async () => {
    const onDecision = vi.fn();
    render(<ApprovalCard interrupt={interrupt} onDecision={onDecision} />);
    fireEvent.click(screen.getByRole("button", { name: "Edit arguments" }));
    const box = screen.getByLabelText("Edit arguments");
    fireEvent.change(box, { target: { value: "[1,2" } });
    fireEvent.click(screen.getByRole("button", { name: "Approve with these arguments" }));
    expect(screen.getByRole("alert").textContent).toBe("The arguments must be a JSON object.");
    expect(onDecision).not.toHaveBeenCalled();
    fireEvent.change(box, { target: { value: '{"sql":"SELECT 2"}' } });
    await act(async () =>
      fireEvent.click(screen.getByRole("button", { name: "Approve with these arguments" })),
    );
    expect(onDecision).toHaveBeenCalledWith({ type: "edit", args: { sql: "SELECT 2" } });
  });
  it("keeps the buttons when the decision fails, and shows why", async () => {
    render(<ApprovalCard interrupt={interrupt} onDecision={() => Promise.reject(new Error("conflict"))} />);
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Approve" })));
    expect(screen.getByRole("alert").textContent).toBe("conflict");
    expect(screen.getByRole("button", { name: "Approve" })).toBeTruthy();
  });
});

describe("documents", () => {
  it("<DocumentUpload> uploads several files with per-file progress and errors", async () => {
    const onDone = vi.fn();
    const { container } = render(<DocumentUpload client={client} onDone={onDone} />);
    const input = container.querySelector("input[type=file]") as HTMLInputElement;
    const good = new File(["# Remote work\n\nStaff may work remotely two days a week."], "remote.md", {
      type: "text/markdown",
    });
    const empty = new File([""], "empty.txt", { type: "text/plain" });
    await act(async () => fireEvent.change(input, { target: { files: [good, empty] } }));
    // The server rejects the whole request for the empty file, naming it; both files show the outcome.
    const items = await screen.findAllByRole("listitem");
    expect(items).toHaveLength(2);
    await waitFor(() => expect(items[1]?.getAttribute("data-state")).toBe("rejected"));
    expect(within(items[1] as HTMLElement).getByRole("alert").textContent).toBe("the file is empty");

    await act(async () => fireEvent.change(input, { target: { files: [good] } }));
    await waitFor(
      () => expect(screen.getAllByRole("listitem").at(-1)?.getAttribute("data-state")).toBe("done"),
      { timeout: 30_000 },
    );
    const last = screen.getAllByRole("listitem").at(-1) as HTMLElement;
    expect(within(last).getByRole("progressbar").getAttribute("aria-valuenow")).toBe("100");
    expect(onDone).toHaveBeenCalledTimes(1);
  });

  it("<DocumentList> lists, reindexes and deletes documents", async () => {
    render(<DocumentList client={client} confirmRemove={() => true} />);
    const row = (await screen.findByText("Onboarding")).closest("tr") as HTMLElement;
    await act(async () => fireEvent.click(within(row).getByRole("button", { name: "Reindex Onboarding" })));
    await waitFor(() => expect(row.getAttribute("data-status")).toBe("processing"));
    await act(async () => fireEvent.click(within(row).getByRole("button", { name: "Delete Onboarding" })));
    await waitFor(() => expect(screen.queryByText("Onboarding")).toBeNull());
    await expect(client.getDocument(f.docsA[2] ?? "")).rejects.toMatchObject({ code: "not_found" });
    // The other tenant's document never shows.
    expect(screen.queryByText("Globex travel")).toBeNull();
  });
});
