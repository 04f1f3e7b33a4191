export { type ExpressMiddleware, toExpressMiddleware } from "./adapters/express.js";
export { type HonoLikeContext, toHonoHandler } from "./adapters/hono.js";
export { type NextRouteHandlers, toNextRouteHandlers } from "./adapters/next.js";
export { type AguiEvent, AguiMapper, toAguiEvents } from "./agui/mapper.js";
export { createRagHandler, type RagHandler } from "./handler.js";
export { type NodeHandler, toNodeHandler, type WebHandler } from "./node.js";
export type {
  Authenticate,
  AuthOptions,
  ClaimPath,
  CorsOptions,
  CustomAuthOptions,
  ErrorContext,
  IngestionOptions,
  JwtAlgorithm,
  JwtAuthOptions,
  RagHandlerOptions,
  RateLimitOptions,
  RateLimitRuleOptions,
  RequestIdentity,
} from "./options.js";
export { RagHandlerOptionsError } from "./options.js";
export type { AgentHandlerOptions } from "./runs/options.js";
