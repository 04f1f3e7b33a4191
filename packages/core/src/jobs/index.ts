export type { EnqueueInput, IngestionQueueOptions } from "./queue.js";
export { IngestionQueue } from "./queue.js";
export type { Job, JobEvent, JobInput, JobState } from "./types.js";
export type { UsageSummary } from "./usage.js";
export { getUsage } from "./usage.js";
