import { toNextRouteHandlers } from "@ragkit/server";
import { ragkit } from "../../../../lib/ragkit";

// Every RagKit route (documents, search, chat streams, CopilotKit runtime) under /api/rag/*.
const handlers = (method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS") => (request: Request) =>
  toNextRouteHandlers(ragkit())[method](request);

export const GET = handlers("GET");
export const POST = handlers("POST");
export const PUT = handlers("PUT");
export const PATCH = handlers("PATCH");
export const DELETE = handlers("DELETE");
export const OPTIONS = handlers("OPTIONS");

// The store needs Node APIs; answers must never be cached.
export const runtime = "nodejs";
export const dynamic = "force-dynamic";
