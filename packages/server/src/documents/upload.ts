import { metadataSchema, type RequestBody, textProblem } from "@ragkit/protocol";
import { HttpError, invalidInput, parseJsonText, readLimited } from "../http.js";

/** One file to ingest, validated and fully read. */
export interface UploadedFile {
  data: Uint8Array<ArrayBuffer>;
  filename: string | null;
  mimeType: string | null;
  title?: string;
  sourceId?: string;
  sourceUrl?: string;
  metadata?: Record<string, unknown>;
}

export interface UploadLimits {
  maxBodyBytes: number;
  maxFileBytes: number;
  maxFiles: number;
}

const FORMAT_FILE = {
  text: { ext: "txt", mime: "text/plain" },
  markdown: { ext: "md", mime: "text/markdown" },
  html: { ext: "html", mime: "text/html" },
} as const;

function mediaType(request: Request): string {
  return (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
}

/**
 * Reads `POST /documents`: `multipart/form-data` with one or more files (any field name; an optional
 * `metadata` field holds a JSON object applied to every file), or a JSON text document. Everything is
 * validated before anything is queued, so a bad request queues nothing.
 */
export async function readUpload(
  request: Request,
  limits: UploadLimits,
  /** The JSON body, parsed by the route's contract (a text document). */
  readBody: () => Promise<RequestBody<"uploadDocuments">>,
): Promise<UploadedFile[]> {
  const type = mediaType(request);
  if (type === "multipart/form-data") return readMultipart(request, limits);
  if (type === "application/json" || type.endsWith("+json")) {
    const d = await readBody();
    const file = FORMAT_FILE[d.format];
    const slug = (d.title ?? "document").replace(/[^\p{L}\p{N}._-]+/gu, "-").slice(0, 100) || "document";
    return [
      {
        data: new TextEncoder().encode(d.text),
        filename: `${slug}.${file.ext}`,
        mimeType: file.mime,
        ...(d.title ? { title: d.title } : {}),
        ...(d.sourceId ? { sourceId: d.sourceId } : {}),
        ...(d.sourceUrl ? { sourceUrl: d.sourceUrl } : {}),
        ...(d.metadata ? { metadata: d.metadata } : {}),
      },
    ];
  }
  throw new HttpError(
    "unsupported_media_type",
    "Upload files as multipart/form-data, or send a text document as application/json.",
  );
}

async function readMultipart(request: Request, limits: UploadLimits): Promise<UploadedFile[]> {
  // Multipart framing adds a little per part; a request can carry `maxFiles` files of `maxFileBytes` each.
  const maxTotal = limits.maxFiles * (limits.maxFileBytes + 16 * 1024);
  const declared = request.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > maxTotal) {
    throw new HttpError("payload_too_large", `Upload exceeds ${maxTotal} bytes.`);
  }
  const body = await readLimited(
    request.body,
    maxTotal,
    () => new HttpError("payload_too_large", `Upload exceeds ${maxTotal} bytes.`),
  );
  let form: FormData;
  try {
    form = await new Response(body, {
      headers: { "content-type": request.headers.get("content-type") ?? "" },
    }).formData();
  } catch {
    throw new HttpError("invalid_input", "The multipart body could not be parsed.", {
      details: [{ path: "(body)", message: "malformed multipart/form-data" }],
    });
  }
  let metadata: Record<string, unknown> | undefined;
  const rawMetadata = form.get("metadata");
  if (typeof rawMetadata === "string") {
    const parsed = metadataSchema.safeParse(
      parseJsonText(rawMetadata, { what: "upload", field: "metadata" }),
    );
    if (!parsed.success) throw invalidInput("upload", parsed.error.issues, ["metadata"]);
    metadata = parsed.data;
  }
  for (const field of new Set(form.keys())) {
    const problem = textProblem(field);
    if (problem) {
      throw new HttpError("invalid_input", `Invalid upload: a multipart field name ${problem}.`, {
        details: [{ path: "(body)", message: `field names ${problem}` }],
      });
    }
  }
  const files: UploadedFile[] = [];
  const details: Array<{ path: string; message: string }> = [];
  for (const [field, value] of form.entries()) {
    if (typeof value === "string") continue;
    const name = value.name || null;
    const nameProblem = name === null ? null : textProblem(name);
    if (nameProblem) {
      throw new HttpError("invalid_input", `Invalid upload: ${field}.filename: ${nameProblem}`, {
        details: [{ path: `${field}.filename`, message: nameProblem }],
      });
    }
    const path = `${field}${name ? ` (${name})` : ""}`;
    if (value.size === 0) details.push({ path, message: "the file is empty" });
    else if (value.size > limits.maxFileBytes) {
      throw new HttpError(
        "payload_too_large",
        `File ${name ?? field} is ${value.size} bytes; the limit is ${limits.maxFileBytes} bytes.`,
        { details: [{ path, message: `at most ${limits.maxFileBytes} bytes` }] },
      );
    }
    files.push({
      data: new Uint8Array(await value.arrayBuffer()),
      filename: name,
      mimeType: value.type || null,
      ...(metadata ? { metadata } : {}),
    });
  }
  if (details.length > 0) {
    throw new HttpError(
      "invalid_input",
      `Invalid upload: ${details.map((d) => `${d.path}: ${d.message}`).join("; ")}`,
      {
        details,
      },
    );
  }
  if (files.length === 0) {
    throw new HttpError("invalid_input", "The upload contains no file.", {
      details: [{ path: "(body)", message: "attach at least one file" }],
    });
  }
  if (files.length > limits.maxFiles) {
    throw new HttpError("invalid_input", `At most ${limits.maxFiles} files per upload.`, {
      details: [{ path: "(body)", message: `at most ${limits.maxFiles} files` }],
    });
  }
  return files;
}
