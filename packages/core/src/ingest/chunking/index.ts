/**
 * Chunking for `@ragkit/core`: `LoadedDocument` → `ChunkDraft[]` with exact source offsets.
 * The splitter (`@vectorstores/core`) and the default tokenizer are loaded lazily on the first call, so
 * importing this module stays cheap.
 * See docs/chunking.md.
 */
export { chunkDocument, chunkDocumentSemantic } from "./chunk-document.js";
export type { OffsetMatch } from "./locate.js";
export { scanMarkdownSections } from "./markdown.js";
export {
  CHUNKING_DEFAULTS,
  type ChunkOptions,
  type ChunkStrategy,
  chunkOptionsSchema,
} from "./options.js";
export { type ChunkTokenizer, createChunkTokenizer } from "./tokenizer.js";
