export { createRagHandler, type RagHandler } from "./handler.js";
export { type NodeHandler, toNodeHandler, type WebHandler } from "./node.js";
export type {
  Authenticate,
  AuthOptions,
  ClaimPath,
  CustomAuthOptions,
  ErrorContext,
  JwtAlgorithm,
  JwtAuthOptions,
  RagHandlerOptions,
  RequestIdentity,
} from "./options.js";
export { RagHandlerOptionsError } from "./options.js";
