import { ConnectorError } from "./errors.js";

/** Reads a byte stream, stopping (and failing) as soon as it exceeds `maxBytes`. */
export async function readLimited(
  body: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>,
  maxBytes: number,
): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  const iterable: AsyncIterable<Uint8Array> =
    Symbol.asyncIterator in body
      ? (body as AsyncIterable<Uint8Array>)
      : streamIterable(body as ReadableStream<Uint8Array>);
  for await (const chunk of iterable) {
    total += chunk.byteLength;
    if (total > maxBytes) {
      throw new ConnectorError("too_large", `Object is larger than the limit of ${maxBytes} bytes.`);
    }
    parts.push(chunk);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.byteLength;
  }
  return out;
}

async function* streamIterable(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    // Stops the download when we bail out early (size limit, abort).
    await reader.cancel().catch(() => {});
  }
}
