"use client";

import { RagKitClient, useRagSearch } from "@ragkit/react/headless";
import { useMemo } from "react";

/** A search box over the signed-in tenant's documents (the token comes from your auth provider). */
export function Chat() {
  const client = useMemo(
    () =>
      new RagKitClient({ baseUrl: "/api/rag", getToken: () => window.localStorage.getItem("ragkit-token") }),
    [],
  );
  const { results, search, error } = useRagSearch({ client });
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        const q = new FormData(e.currentTarget).get("q");
        if (typeof q === "string") void search(q);
      }}
    >
      <input name="q" placeholder="Search your documents" aria-label="Search" />
      {error ? <p role="alert">{error.message}</p> : null}
      <ul>
        {results.map((r) => (
          <li key={r.chunkId}>{r.text}</li>
        ))}
      </ul>
    </form>
  );
}
