"use client";

import { DocumentUpload, RagChat, RagKitProvider } from "@ragkit/react";

/**
 * The drop-in widget. The bearer token comes from your auth provider (Supabase, Auth0, Clerk…); this example
 * reads one from localStorage so you can paste a token while trying it out.
 */
export function Chat() {
  return (
    <RagKitProvider
      baseUrl="/api/rag"
      getToken={() => (typeof window === "undefined" ? null : window.localStorage.getItem("ragkit-token"))}
    >
      <div style={{ height: 560 }}>
        <RagChat welcomeText="Ask your documents." />
      </div>
      <DocumentUpload />
    </RagKitProvider>
  );
}
