export * from "./schema.js";
export * from "./visualize.js";
