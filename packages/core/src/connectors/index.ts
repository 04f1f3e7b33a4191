export { CONNECTOR_KEY_ENV, CONNECTOR_OLD_KEYS_ENV, keyIdOf, SecretBox } from "./crypto.js";
export type { ConnectorFailure } from "./errors.js";
export { ConnectorError } from "./errors.js";
export type { ConnectorServiceOptions } from "./service.js";
export { ConnectorService } from "./service.js";
export type { SyncOptions } from "./sync.js";
export type {
  Connector,
  ConnectorConfigInput,
  ConnectorKind,
  ConnectorObjectRecord,
  ConnectorRecord,
  CreateConnectorInput,
  ListPage,
  ObjectAction,
  RemoteObject,
  SyncCounts,
  SyncEvent,
  SyncSummary,
  UpdateConnectorInput,
} from "./types.js";
export {
  connectorKindSchema,
  connectorSchemas,
  dirConfigSchema,
  s3ConfigSchema,
  s3CredentialsSchema,
  sharepointConfigSchema,
  sharepointCredentialsSchema,
  urlsConfigSchema,
  urlsCredentialsSchema,
} from "./types.js";
