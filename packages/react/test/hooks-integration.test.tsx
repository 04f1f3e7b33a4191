// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, renderHook, screen, waitFor } from "@testing-library/react";
import { useState } from "react";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RagKitClient, SearchResults, useDocuments, useRagSearch } from "../src/index.js";
import { BASE_URL, type Fixture, fetchVia, mint, openFixture } from "./support.js";

let fx: Fixture;
beforeAll(async () => {
  fx = await openFixture();
});
afterAll(async () => {
  await fx?.store.close();
});
afterEach(cleanup);

function SearchBox({ client, onSelect }: { client: RagKitClient; onSelect: (documentId: string) => void }) {
  const [query, setQuery] = useState("");
  const search = useRagSearch({ client, query, params: { mode: "lexical" } });
  return (
    <div>
      <input aria-label="Search" value={query} onChange={(e) => setQuery(e.target.value)} />
      {search.loading ? <p>Searching…</p> : null}
      {search.status === "success" ? (
        <SearchResults results={search.results} onSelect={(r) => onSelect(r.documentId)} />
      ) : null}
    </div>
  );
}

const clientFor = (tenant: string) =>
  new RagKitClient({ baseUrl: BASE_URL, fetch: fetchVia(fx.handler), getToken: () => mint(tenant) });

describe("hooks against the real handler", () => {
  it("useDocuments lists the tenant's documents", async () => {
    const client = clientFor("acme");
    const { result } = renderHook(() => useDocuments({ client, limit: 2 }));
    await waitFor(() => expect(result.current.status).toBe("success"));
    expect(result.current.documents).toHaveLength(2);
    await act(() => result.current.loadMore());
    expect(result.current.documents.map((d) => d.id).sort()).toEqual([...fx.docsA].sort());
    expect(result.current.hasMore).toBe(false);
  });

  it("useRagSearch maps an unknown tenant to a typed error", async () => {
    const client = clientFor("nobody");
    const { result } = renderHook(() => useRagSearch({ client }));
    await act(() => result.current.search("travel"));
    expect(result.current.error).toMatchObject({ status: 403, code: "unknown_tenant" });
  });

  it("a search box wired to SearchResults", async () => {
    const client = clientFor("acme");
    const selected: string[] = [];
    render(<SearchBox client={client} onSelect={(id) => selected.push(id)} />);
    fireEvent.change(screen.getByLabelText("Search"), { target: { value: "laptop first day" } });
    const list = await screen.findByRole("list", { name: "Search results" });
    expect(list).toBeTruthy();
    const button = screen.getByRole("button", { name: "Onboarding" });
    fireEvent.click(button);
    expect(selected).toEqual([fx.docsA[2]]);
  });
});
