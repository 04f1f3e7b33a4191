export * from "./choose.js";
export * from "./schema.js";
export * from "./visualize.js";
