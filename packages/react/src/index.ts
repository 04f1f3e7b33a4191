/**
 * `@ragkit/react`: everything in `@ragkit/react/headless`, the components, and the CopilotKit chat widget.
 * `@copilotkit/react-core` and `recharts` are optional peers: install them to use the widget and charts.
 */
export {
  AgentStateDisplay,
  type AgentStateDisplayLabels,
  type AgentStateDisplayProps,
  defaultAgentStateLabels,
  stepLabel,
} from "./components/agent-state-display.js";
export {
  ApprovalCard,
  type ApprovalCardLabels,
  type ApprovalCardProps,
  defaultApprovalLabels,
} from "./components/approval-card.js";
export { passageAround } from "./components/citation-passage.js";
export {
  AnswerWithCitations,
  type AnswerWithCitationsProps,
  type CitationLabels,
  CitationMarker,
  type CitationMarkerProps,
  Citations,
  type CitationsProps,
  defaultCitationLabels,
  ValidationBadge,
} from "./components/citations.js";
export {
  chartPalette,
  DataVisualization,
  type DataVisualizationLabels,
  type DataVisualizationProps,
} from "./components/data-visualization.js";
export {
  DocumentList,
  type DocumentListLabels,
  type DocumentListProps,
  defaultDocumentListLabels,
} from "./components/document-list.js";
export {
  DocumentUpload,
  type DocumentUploadLabels,
  type DocumentUploadProps,
  defaultUploadLabels,
} from "./components/document-upload.js";
export { QueryResultTable } from "./components/query-result-table.js";
export {
  formatCitation,
  SearchResults,
  type SearchResultsProps,
  snippetOf,
} from "./components/search-results.js";
export { formatSql } from "./components/sql-text.js";
export { RagKitClientProvider, useRagKitContext } from "./context.js";
export { useRagAgentState, useRagInterrupt, useRagToolRenderers } from "./copilot/hooks.js";
export { approvalFromInterrupt } from "./copilot/interrupt.js";
export { RagKitProvider, type RagKitProviderProps } from "./copilot/provider.js";
export {
  RagChat,
  type RagChatLabels,
  type RagChatProps,
  type RagChatSuggestion,
  RagPopup,
  RagSidebar,
} from "./copilot/rag-chat.js";
export {
  defaultThreadBarLabels,
  ThreadBar,
  type ThreadBarLabels,
  threadOptionLabels,
} from "./copilot/thread-bar.js";
export * from "./headless.js";
export { ragkitCss } from "./styles/css.js";
export { RagKitStyles, type RagKitTheme, ThemeScope } from "./styles/theme.js";
