/**
 * `@ragkit/core/agent`: the LangGraph.js agent, its durable runs, and the data tools it calls (SQL, charts).
 * Loads LangChain/LangGraph.
 */
export * from "../agent/index.js";
export * from "../runs/index.js";
export * from "../tools/chart/index.js";
export * from "../tools/sql/index.js";
