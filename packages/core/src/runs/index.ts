export type { RunStoreHost } from "./run-store.js";
export { RunStore } from "./run-store.js";
export { SHORT_TITLE_LENGTH, shortTitle } from "./title.js";
export type {
  CreateRunInput,
  CreateRunOptions,
  FinishRunInput,
  NewRunEvent,
  RunEventRecord,
  RunKind,
  RunRecord,
  RunStatus,
  ThreadSummary,
} from "./types.js";
export { runIdSchema, runKindSchema, runStatusSchema, TERMINAL_RUN_STATUSES } from "./types.js";
