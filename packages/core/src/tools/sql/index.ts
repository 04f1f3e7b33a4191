export { ALLOWED_FUNCTIONS } from "./allowlist.js";
export { DEFAULT_COST_LIMITS, type SqlCostLimits } from "./bounds.js";
export * from "./datasets/index.js";
export {
  type ExampleSalesOptions,
  exampleSalesRows,
  type SalesRow,
  seedExampleSales,
} from "./example-data.js";
export {
  checkReadOnlyQuery,
  type ReadOnlyQueryOptions,
  type ReadOnlyQueryResult,
  runReadOnlyQuery,
} from "./execute.js";
export { dataSchemaOf, readonlyRoleOf } from "./names.js";
export { type NlToSqlResult, nlToSql } from "./nl-to-sql.js";
export {
  type ProposalAttempt,
  type ProposedSql,
  type ProposeSqlOptions,
  proposeSql,
  UNSAFE_CODES,
} from "./propose.js";
export {
  type SqlRejection,
  type ValidateOptions as SqlValidateOptions,
  type ValidationResult as SqlValidationResult,
  validateSelect,
} from "./validate.js";
