import type {
  DocumentSummary,
  ErrorCode,
  ErrorDetail,
  JobSummary,
  RequestBodyInput,
  RequestQueryInput,
  ResponseBody,
  ThreadDetail,
  ThreadSummary,
} from "@ragkit/protocol";
import {
  type HttpMethod,
  type PathArgs,
  pathTo,
  REQUEST_ID_HEADER,
  type RouteName,
  routeTable,
} from "@ragkit/protocol/routes";
import { errorOf, isJsonObject } from "./stream/wire.js";

export interface StreamRequest {
  method: "GET" | "POST";
  path: string;
  body?: unknown;
  /** Sent as `Last-Event-ID` so the server replays only the events after it. */
  lastEventId?: string | null;
  signal?: AbortSignal;
}

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
 * `network_error` (no response), `invalid_response` (a 2xx body that is not a JSON object, or a malformed event),
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
 * A small fetch-based client for the RagKit HTTP API, typed by `@ragkit/protocol` (types only: the server validates
 * what enters it, the client checks the envelope of what comes back, and no zod is bundled). Every failure is a
 * `RagKitClientError` (except aborts, which reject with the abort reason).
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
  search(request: RequestBodyInput<"search">, options: RequestOptions = {}): Promise<ResponseBody<"search">> {
    return this.call("search", [], { ...options, body: request });
  }

  /** `GET /documents`: one page, newest first. Pass `nextCursor` back as `cursor` for the next page. */
  listDocuments(
    query: RequestQueryInput<"listDocuments"> = {},
    options: RequestOptions = {},
  ): Promise<ResponseBody<"listDocuments">> {
    return this.call("listDocuments", [], { ...options, query });
  }

  /** `GET /documents/:id`. A missing id and another tenant's id both reject with code `not_found`. */
  async getDocument(id: string, options: RequestOptions = {}): Promise<DocumentSummary> {
    return (await this.call("getDocument", [{ id }], options)).document;
  }

  /** `GET /documents/:id/content`: the text citation offsets point into. */
  getDocumentContent(id: string, options: RequestOptions = {}): Promise<ResponseBody<"getDocumentContent">> {
    return this.call("getDocumentContent", [{ id }], options);
  }

  /**
   * `POST /documents` (multipart): one ingestion job per file. Follow each with `GET /jobs/:id/events`
   * (see `useJobs`).
   */
  uploadDocuments(
    files: readonly File[],
    init: { metadata?: Record<string, unknown> } & RequestOptions = {},
  ): Promise<ResponseBody<"uploadDocuments">> {
    const form = new FormData();
    files.forEach((file, i) => {
      form.append(`file${i}`, file, file.name);
    });
    if (init.metadata) form.append("metadata", JSON.stringify(init.metadata));
    return this.call("uploadDocuments", [], { ...init, body: form });
  }

  /** `DELETE /documents/:id`. */
  async deleteDocument(id: string, options: RequestOptions = {}): Promise<void> {
    await this.call("deleteDocument", [{ id }], { ...options, empty: true });
  }

  /** `POST /documents/:id/reindex`: the reindex job. */
  async reindexDocument(id: string, options: RequestOptions = {}): Promise<JobSummary> {
    return (await this.call("reindexDocument", [{ id }], options)).job;
  }

  /** `GET /jobs/:id`. */
  async getJob(id: string, options: RequestOptions = {}): Promise<JobSummary> {
    return (await this.call("getJob", [{ id }], options)).job;
  }

  /**
   * `GET /datasets`: the registered datasets the caller's tenant can ask questions of — columns with types and
   * roles, and a few of its own sample values (for suggestions or a schema browser).
   */
  listDatasets(options: RequestOptions = {}): Promise<ResponseBody<"listDatasets">> {
    return this.call("listDatasets", [], options);
  }

  /** `GET /threads`: the caller's conversations, newest first. */
  listThreads(
    query: RequestQueryInput<"listThreads"> = {},
    options: RequestOptions = {},
  ): Promise<ResponseBody<"listThreads">> {
    return this.call("listThreads", [], { ...options, query });
  }

  /** `GET /threads/:id`: messages, last agent state and a pending approval. */
  async getThread(id: string, options: RequestOptions = {}): Promise<ThreadDetail> {
    return (await this.call("getThread", [{ id }], options)).thread;
  }

  /** `PATCH /threads/:id`: renames a conversation; returns it as the list shows it. */
  async renameThread(id: string, title: string, options: RequestOptions = {}): Promise<ThreadSummary> {
    const body: RequestBodyInput<"renameThread"> = { title };
    return (await this.call("renameThread", [{ id }], { ...options, body })).thread;
  }

  /** `DELETE /threads/:id`. */
  async deleteThread(id: string, options: RequestOptions = {}): Promise<void> {
    await this.call("deleteThread", [{ id }], { ...options, empty: true });
  }

  /** Opens `POST /chat/stream`. The response is the raw SSE stream; errors before the stream are thrown. */
  streamChat(
    request: RequestBodyInput<"chatStream">,
    options: RequestOptions & { lastEventId?: string | null } = {},
  ): Promise<Response> {
    return this.stream({ method: "POST", path: pathTo("chatStream"), body: request, ...options });
  }

  /** Opens `POST /threads/:id/resume` (answers a pending approval; the rest of the run streams back). */
  streamResume(
    threadId: string,
    request: RequestBodyInput<"resumeThread">,
    options: RequestOptions = {},
  ): Promise<Response> {
    return this.stream({
      method: "POST",
      path: pathTo("resumeThread", { id: threadId }),
      body: request,
      ...options,
    });
  }

  /**
   * Opens an SSE stream (`Accept: text/event-stream`). Resolves with the 2xx response whose body is the stream;
   * non-2xx answers reject with a `RagKitClientError` like every other call.
   */
  async stream(request: StreamRequest): Promise<Response> {
    const { response } = await this.send(request.method, request.path, {
      body: request.body,
      signal: request.signal,
      accept: "text/event-stream",
      lastEventId: request.lastEventId ?? null,
    });
    if (response.ok) return response;
    throw await this.failure(response, request.signal);
  }

  private async send(
    method: HttpMethod,
    path: string,
    options: {
      body?: unknown;
      signal?: AbortSignal | undefined;
      accept: string;
      lastEventId?: string | null;
    },
  ): Promise<{ response: Response }> {
    const { signal } = options;
    signal?.throwIfAborted();
    const headers = new Headers(this.headers);
    headers.delete("authorization");
    headers.set("accept", options.accept);
    if (options.lastEventId) headers.set("last-event-id", options.lastEventId);
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
    if (options.body instanceof FormData) {
      // fetch sets the multipart boundary itself.
      init.body = options.body;
    } else if (options.body !== undefined) {
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
    return { response };
  }

  /** The `RagKitClientError` for a non-2xx response. */
  private async failure(response: Response, signal: AbortSignal | undefined): Promise<RagKitClientError> {
    let payload: unknown;
    try {
      payload = JSON.parse(await response.text());
    } catch {
      if (signal?.aborted) throw signal.reason;
      payload = undefined;
    }
    const e = errorOf(payload);
    if (e) {
      return new RagKitClientError({
        status: response.status,
        code: e.code,
        message: e.message,
        requestId: e.requestId,
        details: e.details ?? [],
      });
    }
    return new RagKitClientError({
      status: response.status,
      code: "http_error",
      message: `The RagKit server answered HTTP ${response.status}.`,
      requestId: response.headers.get(REQUEST_ID_HEADER),
    });
  }

  /**
   * One JSON call of a route of the protocol's table: its method and path from the route's contract, the answer
   * typed by it (`ResponseBody<N>`), the query's defined values as strings.
   */
  private call<N extends RouteName>(
    name: N,
    params: PathArgs<N>,
    options: RequestOptions & { body?: unknown; query?: object; empty?: boolean },
  ): Promise<ResponseBody<N>> {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined && value !== null) search.set(key, String(value));
    }
    const qs = search.toString();
    const path = `${pathTo(name, ...params)}${qs ? `?${qs}` : ""}`;
    return this.request<ResponseBody<N>>(routeTable[name].method, path, options);
  }

  /**
   * One JSON call. The body is the server's, typed by the protocol; only its envelope is checked here (see
   * stream/wire.ts): a 2xx must carry a JSON object, unless the route answers with no content (`empty`).
   */
  private async request<T>(
    method: HttpMethod,
    path: string,
    options: RequestOptions & { body?: unknown; empty?: boolean },
  ): Promise<T> {
    const { signal } = options;
    const { response } = await this.send(method, path, {
      body: options.body,
      signal,
      accept: "application/json",
    });
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
      const e = parsed ? errorOf(payload) : null;
      if (e) {
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
    if (options.empty) return payload as T;
    if (!parsed || !isJsonObject(payload)) {
      throw new RagKitClientError({
        status: response.status,
        code: "invalid_response",
        message: "The RagKit server's response is not a JSON object.",
        requestId: headerRequestId,
        cause: payload,
      });
    }
    return payload as T;
  }
}
