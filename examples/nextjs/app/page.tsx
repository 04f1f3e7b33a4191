import { Chat } from "./chat";

export default function Page() {
  return (
    <main style={{ maxWidth: 860, margin: "0 auto", padding: 24 }}>
      <h1>RagKit on Next.js</h1>
      <p>The API is served by an App Router route handler at /api/rag; the chat widget talks to it.</p>
      <Chat />
    </main>
  );
}
