import type { Egress } from "../net/egress.js";
import { DirectoryConnector } from "./dir.js";
import { S3Connector } from "./s3.js";
import { SharePointConnector } from "./sharepoint.js";
import {
  type Connector,
  type ConnectorKind,
  dirConfigSchema,
  s3ConfigSchema,
  s3CredentialsSchema,
  sharepointConfigSchema,
  sharepointCredentialsSchema,
  urlsConfigSchema,
  urlsCredentialsSchema,
} from "./types.js";
import { UrlListConnector } from "./urls.js";

/**
 * Builds the connector for a stored (already validated) configuration and decrypted credentials. Every
 * network connector connects through `egress` only.
 */
export function createConnector(
  kind: ConnectorKind,
  config: unknown,
  credentials: unknown,
  egress: Egress,
): Connector {
  switch (kind) {
    case "s3":
      return new S3Connector(s3ConfigSchema.parse(config), s3CredentialsSchema.parse(credentials), egress);
    case "sharepoint":
      return new SharePointConnector(
        sharepointConfigSchema.parse(config),
        sharepointCredentialsSchema.parse(credentials),
        egress,
      );
    case "dir":
      return new DirectoryConnector(dirConfigSchema.parse(config));
    case "urls":
      return new UrlListConnector(
        urlsConfigSchema.parse(config),
        urlsCredentialsSchema.parse(credentials),
        egress,
      );
  }
}
