import {
  type DocumentListResponse,
  type DocumentSummary,
  documentListResponseSchema,
  documentResponseSchema,
  type ErrorCode,
  type ErrorDetail,
  errorBodySchema,
  type ListDocumentsQuery,
  REQUEST_ID_HEADER,
  routes,
  type SearchRequest,
  type SearchResponse,
  searchResponseSchema,
} from "@ragkit/protocol";
import type { z } from "zod";

/** The part of `fetch` the client uses; `globalThis.fetch` fits, and so does any test double. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface RagKitClientOptions {
  /** Where the server's handler is mounted, e.g. `"https://api.example.com/rag"` or (in a browser) `"/api/rag"`. */
  baseUrl: string;
  /**
   * Called before every request for a fresh bearer token (so refreshed tokens are picked up). Return `null` or
   * `undefined` to send no `Authorization` header.
   */
  getToken?: () => string | null | undefined | Promise<string | null | undefined>;
  /** Default: `globalThis.fetch`. */
  fetch?: FetchLike;
  /** Extra headers on every request. `Authorization` is always the one from `getToken`. */
  headers?: Readonly<Record<string, string>>;
}

export interface RequestOptions {
  /** Aborting rejects the call with the signal's reason (an `AbortError`), not with a `RagKitClientError`. */
  signal?: AbortSignal;
}

/**
 * Server error codes (`ErrorCode` from `@ragkit/protocol`) plus the client's own:
 * `network_error` (no response), `invalid_response` (a 2xx body that does not match the protocol),
 * `http_error` (a non-2xx without a RagKit error body, e.g. from a proxy), `token_error` (`getToken` threw).
 */
export type RagKitClientErrorCode =
  | ErrorCode
  | "network_error"
  | "invalid_response"
  | "http_error"
  | "token_error"
  | (string & {});

const brand = Symbol.for("@ragkit/react.RagKitClientError");

export class RagKitClientError extends Error {
  /** HTTP status; 0 when there was no response. */
  readonly status: number;
  readonly code: RagKitClientErrorCode;
  /** The server's request id (from the body or the `x-request-id` header), for support and logs. */
  readonly requestId: string | null;
  /** Field-level problems for `invalid_input`. */
  readonly details: readonly ErrorDetail[];
  readonly [brand] = true;

  constructor(init: {
    status: number;
    code: RagKitClientErrorCode;
    message: string;
    requestId?: string | null;
    details?: readonly ErrorDetail[];
    cause?: unknown;
  }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = "RagKitClientError";
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId ?? null;
    this.details = init.details ?? [];
  }

  /** Like `instanceof`, but also true across duplicate copies of this package. */
  static is(error: unknown): error is RagKitClientError {
    return typeof error === "object" && error !== null && (error as { [brand]?: unknown })[brand] === true;
  }
}

/** True for the rejection of an aborted call (any `AbortError`). */
export function isAbortError(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { name?: unknown }).name === "AbortError";
}

/**
 * A small fetch-based client for the RagKit HTTP API. Every response is validated with the protocol schemas, and
 * every failure is a `RagKitClientError` (except aborts, which reject with the abort reason).
 */
export class RagKitClient {
  readonly baseUrl: string;
  private readonly getToken: RagKitClientOptions["getToken"];
  private readonly fetchImpl: FetchLike | undefined;
  private readonly headers: Readonly<Record<string, string>>;

  constructor(options: RagKitClientOptions) {
    if (typeof options?.baseUrl !== "string") throw new TypeError("RagKitClient: baseUrl must be a string");
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.getToken = options.getToken;
    this.fetchImpl = options.fetch;
    this.headers = options.headers ?? {};
  }

  /** `POST /search`. */
  search(request: SearchRequest, options: RequestOptions = {}): Promise<SearchResponse> {
    return this.request("POST", routes.search, searchResponseSchema, { ...options, body: request });
  }

  /** `GET /documents`: one page, newest first. Pass `nextCursor` back as `cursor` for the next page. */
  listDocuments(query: ListDocumentsQuery = {}, options: RequestOptions = {}): Promise<DocumentListResponse> {
    const params = new URLSearchParams();
    if (query.limit !== undefined) params.set("limit", String(query.limit));
    if (query.cursor !== undefined) params.set("cursor", query.cursor);
    if (query.status !== undefined) params.set("status", query.status);
    const qs = params.toString();
    return this.request(
      "GET",
      `${routes.documents}${qs ? `?${qs}` : ""}`,
      documentListResponseSchema,
      options,
    );
  }

  /** `GET /documents/:id`. A missing id and another tenant's id both reject with code `not_found`. */
  async getDocument(id: string, options: RequestOptions = {}): Promise<DocumentSummary> {
    return (await this.request("GET", routes.document(id), documentResponseSchema, options)).document;
  }

  private async request<S extends z.ZodType>(
    method: "GET" | "POST",
    path: string,
    schema: S,
    options: RequestOptions & { body?: unknown },
  ): Promise<z.output<S>> {
    const { signal } = options;
    signal?.throwIfAborted();
    const headers = new Headers(this.headers);
    headers.delete("authorization");
    headers.set("accept", "application/json");
    let token: string | null | undefined;
    try {
      token = await this.getToken?.();
    } catch (error) {
      throw new RagKitClientError({
        status: 0,
        code: "token_error",
        message: "getToken() failed.",
        cause: error,
      });
    }
    signal?.throwIfAborted();
    if (token) headers.set("authorization", `Bearer ${token}`);
    const init: RequestInit = { method, headers };
    if (signal) init.signal = signal;
    if (options.body !== undefined) {
      headers.set("content-type", "application/json");
      init.body = JSON.stringify(options.body);
    }

    const fetchImpl = this.fetchImpl ?? globalThis.fetch;
    let response: Response;
    try {
      response = await fetchImpl(`${this.baseUrl}${path}`, init);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (isAbortError(error)) throw error;
      throw new RagKitClientError({
        status: 0,
        code: "network_error",
        message: "The RagKit server could not be reached.",
        cause: error,
      });
    }
    const headerRequestId = response.headers.get(REQUEST_ID_HEADER);
    let payload: unknown;
    let parsed = true;
    try {
      const text = await response.text();
      payload = text === "" ? undefined : JSON.parse(text);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      parsed = false;
      payload = error;
    }

    if (!response.ok) {
      const body = parsed ? errorBodySchema.safeParse(payload) : null;
      if (body?.success) {
        const e = body.data.error;
        throw new RagKitClientError({
          status: response.status,
          code: e.code,
          message: e.message,
          requestId: e.requestId,
          details: e.details ?? [],
        });
      }
      throw new RagKitClientError({
        status: response.status,
        code: "http_error",
        message: `The RagKit server answered HTTP ${response.status}.`,
        requestId: headerRequestId,
      });
    }
    const result = parsed ? schema.safeParse(payload) : null;
    if (!result?.success) {
      throw new RagKitClientError({
        status: response.status,
        code: "invalid_response",
        message: "The RagKit server's response does not match the protocol.",
        requestId: headerRequestId,
        cause: result?.error ?? payload,
      });
    }
    return result.data;
  }
}
