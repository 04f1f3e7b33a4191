/** One page with every component, for the server-rendering and hydration tests. */
import {
  AgentStateDisplay,
  ApprovalCard,
  Citations,
  DataVisualization,
  DocumentList,
  DocumentUpload,
  RagChat,
  RagKitProvider,
  toAgentView,
} from "../src/index.js";

const citation = {
  marker: 1,
  chunkId: "c1",
  documentId: "d1",
  documentTitle: "Travel policy",
  start: 0,
  end: 10,
  quote: "Economy class",
  pageNumber: 4,
};

export function App({ baseUrl }: { baseUrl: string }) {
  return (
    <RagKitProvider baseUrl={baseUrl} getToken={() => "t"} theme="dark">
      <RagChat welcomeText="Hello" storageKey="ssr-thread" />
      <AgentStateDisplay state={toAgentView({ step: "retrieve", progress: 0.5, citations: [citation] })} />
      <Citations citations={[citation]} validation={{ status: "supported", claims: [], issues: [] }} />
      <DataVisualization
        spec={{
          type: "bar",
          title: "Revenue",
          xKey: "r",
          series: [{ key: "v", label: "V" }],
          data: [{ r: "N", v: 1 }],
        }}
        width={300}
      />
      <ApprovalCard
        interrupt={{ tool: "query_database", args: { sql: "SELECT 1" }, reason: "Run it?" }}
        onDecision={() => {}}
      />
      <DocumentList />
      <DocumentUpload />
    </RagKitProvider>
  );
}
