export * from "./contracts.js";
export * from "./table.js";
