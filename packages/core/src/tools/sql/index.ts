export {
  type ExampleSalesOptions,
  exampleSalesRows,
  type SalesRow,
  seedExampleSales,
} from "./example-data.js";
export { type ReadOnlyQueryOptions, type ReadOnlyQueryResult, runReadOnlyQuery } from "./execute.js";
export { dataSchemaOf, readonlyRoleOf, SQL_TOOL_VIEWS } from "./names.js";
export { type NlToSqlResult, nlToSql } from "./nl-to-sql.js";
export {
  ALLOWED_FUNCTIONS,
  type SqlRejection,
  type ValidateOptions as SqlValidateOptions,
  type ValidationResult as SqlValidationResult,
  validateSelect,
} from "./validate.js";
