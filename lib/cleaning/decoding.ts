// An export's bytes as text: UTF-8 (with or without a byte-order mark) or, by byte-order mark, UTF-16, read whole or
// chunk by chunk; binary content and empty input refused by name; the CSV reading options every reader of an export shares.
import { StringDecoder } from "node:string_decoder";

/** A file that cannot be read as a churn table. The message names what is missing. */
export class ChurnTableError extends Error {
  readonly exitCode = 2;
  override name = "ChurnTableError";
}

export type TextEncoding = "utf-8" | "utf-16le" | "utf-16be";
export type LineEndings = "CRLF" | "LF" | "CR" | "mixed" | "none";

/** How every reader of an export parses CSV: ragged rows and stray quotes kept (and counted later), blank rows kept. */
export const CSV_READ_OPTIONS = { relax_column_count: true, relax_quotes: true, skip_empty_lines: false } as const;

/** The encoding named by the byte-order mark (UTF-8 without one) and the mark's length in bytes. */
export function byteOrderMark(first: Uint8Array): { encoding: TextEncoding; bom: number } {
  if (first[0] === 0xff && first[1] === 0xfe) return { encoding: "utf-16le", bom: 2 };
  if (first[0] === 0xfe && first[1] === 0xff) return { encoding: "utf-16be", bom: 2 };
  if (first[0] === 0xef && first[1] === 0xbb && first[2] === 0xbf) return { encoding: "utf-8", bom: 3 };
  return { encoding: "utf-8", bom: 0 };
}

/** The refusal of an input without a single byte. */
export function emptyInputError(label: string): ChurnTableError {
  return new ChurnTableError(`${label} is empty: expected a CSV churn table with a header row.`);
}

/** Refuses decoded text holding NUL characters: the file was binary (a spreadsheet, an archive), not CSV. */
export function refuseBinary(text: string, label: string): void {
  if (text.includes("\u0000")) {
    throw new ChurnTableError(
      `${label} is not a CSV text file (it contains binary data); export the churn table as CSV (comma, semicolon or tab separated).`,
    );
  }
}

export interface DecodedText {
  text: string;
  encoding: TextEncoding;
  byteOrderMark: boolean;
}

/** Decodes bytes as UTF-8 or, by byte-order mark, UTF-16; refuses empty and binary content. */
export function decodeTable(bytes: Buffer, label: string): DecodedText {
  if (bytes.length === 0) throw emptyInputError(label);
  const { encoding, bom } = byteOrderMark(bytes);
  const body = bytes.subarray(bom);
  let text: string;
  if (encoding === "utf-16be") {
    const swapped = Buffer.from(body.subarray(0, body.length - (body.length % 2)));
    swapped.swap16();
    text = swapped.toString("utf16le");
  } else text = body.toString(encoding === "utf-8" ? "utf8" : "utf16le");
  refuseBinary(text, label);
  return { text, encoding, byteOrderMark: bom > 0 };
}

/** Decodes a byte stream chunk by chunk, carrying a character split across chunks to the next one. */
export interface ChunkDecoder {
  write(chunk: Buffer): string;
  end(): string;
}

export function chunkDecoder(encoding: TextEncoding): ChunkDecoder {
  if (encoding !== "utf-16be") {
    const d = new StringDecoder(encoding === "utf-8" ? "utf8" : "utf16le");
    return { write: (b) => d.write(b), end: () => d.end() };
  }
  const d = new StringDecoder("utf16le");
  let carry: Buffer | null = null;
  return {
    write(b) {
      let bytes = carry ? Buffer.concat([carry, b]) : Buffer.from(b);
      const even = bytes.length - (bytes.length % 2);
      carry = even < bytes.length ? bytes.subarray(even) : null;
      bytes = bytes.subarray(0, even);
      bytes.swap16();
      return d.write(bytes);
    },
    end: () => d.end(),
  };
}

/** A stream chunk as bytes (strings are UTF-8). */
export const toBuffer = (chunk: unknown): Buffer =>
  Buffer.isBuffer(chunk) ? chunk : typeof chunk === "string" ? Buffer.from(chunk, "utf8") : Buffer.from(chunk as Uint8Array);

/** The line-ending convention of a text ("mixed" when more than one occurs). */
export function lineEndings(text: string): LineEndings {
  const crlf = (text.match(/\r\n/g) ?? []).length;
  const lf = (text.match(/\n/g) ?? []).length - crlf;
  const cr = (text.match(/\r/g) ?? []).length - crlf;
  const kinds = [crlf > 0, lf > 0, cr > 0].filter(Boolean).length;
  if (kinds === 0) return "none";
  if (kinds > 1) return "mixed";
  return crlf > 0 ? "CRLF" : lf > 0 ? "LF" : "CR";
}
