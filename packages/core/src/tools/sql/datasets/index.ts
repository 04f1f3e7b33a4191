export {
  type DescribedColumn,
  type DescribedDataset,
  type DescribeOptions,
  describeDatasets,
} from "./describe.js";
export { exampleSalesDataset } from "./example-sales.js";
export { loadDatasets, registerDataset, removeDataset } from "./registry.js";
export {
  COLUMN_ROLES,
  type ColumnRole,
  type Dataset,
  type DatasetColumn,
  type DatasetColumnSpec,
  type DatasetRelationship,
  type DatasetSpec,
  type DatasetSpecInput,
  datasetSpecSchema,
  parseDatasetSpec,
} from "./spec.js";
