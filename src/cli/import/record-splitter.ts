/** The longest record `nexfit import` reads: a longer one is refused without being held in memory. */
export const MAX_RECORD_BYTES = 1024 * 1024;

/** One record of an import file: an NDJSON line, or a CSV record (which may span lines inside quotes). */
export interface SourceRecord {
  /** The record's first line, 1-based. */
  readonly line: number;
  /** Offset of the record's first byte in the file. */
  readonly startByte: number;
  /** Offset just past the record's line break: where the next record starts. */
  readonly endByte: number;
  /** The line the next record starts on. */
  readonly nextLine: number;
  /** The record's text without its line break (and without a UTF-8 BOM at the file's start); `null` when longer than the limit. */
  readonly text: string | null;
}

/** Where reading starts and how records end. */
export interface SplitOptions {
  /** CSV: a line break inside double quotes belongs to the record. */
  readonly quoted: boolean;
  readonly startByte: number;
  readonly startLine: number;
  readonly maxBytes?: number;
}

const LF = 0x0a;
const QUOTE = 0x22;

/**
 * Splits a file's bytes into records at `\n` (outside double quotes, for CSV), stripping a
 * trailing `\r` and a UTF-8 BOM at the file's start. Memory stays bounded by `maxBytes`: a record
 * longer than that is given with `text: null` and its bytes are dropped as they stream past.
 * (`readline` would buffer a 10 MB line whole.)
 *
 * @example
 * ```ts
 * for await (const record of splitRecords(createReadStream(file), { quoted: false, startByte: 0, startLine: 1 })) console.log(record.line, record.text);
 * ```
 */
export async function* splitRecords(source: AsyncIterable<Buffer>, options: SplitOptions): AsyncGenerator<SourceRecord> {
  const maxBytes = options.maxBytes ?? MAX_RECORD_BYTES;
  let parts: Buffer[] = [];
  let size = 0;
  let tooLong = false;
  let inQuotes = false;
  let offset = options.startByte;
  let recordStart = options.startByte;
  let recordLine = options.startLine;
  let breaksInside = 0;

  const take = (piece: Buffer) => {
    if (tooLong) return;
    if (size + piece.length > maxBytes + 1) {
      // One byte of slack: the `\r` of a CRLF line of exactly `maxBytes` bytes.
      tooLong = true;
      parts = [];
      size = 0;
      return;
    }
    if (piece.length > 0) {
      parts.push(piece);
      size += piece.length;
    }
  };
  const finish = (endByte: number): SourceRecord => {
    let text: string | null = null;
    if (!tooLong) {
      let decoded = (parts.length === 1 ? parts[0]! : Buffer.concat(parts, size)).toString('utf8');
      if (decoded.endsWith('\r')) decoded = decoded.slice(0, -1);
      if (recordStart === 0 && decoded.charCodeAt(0) === 0xfeff) decoded = decoded.slice(1);
      text = Buffer.byteLength(decoded) > maxBytes ? null : decoded;
    }
    const record: SourceRecord = { line: recordLine, startByte: recordStart, endByte, nextLine: recordLine + breaksInside + 1, text };
    recordLine = record.nextLine;
    recordStart = endByte;
    breaksInside = 0;
    parts = [];
    size = 0;
    tooLong = false;
    return record;
  };

  for await (const chunk of source) {
    let from = 0;
    while (from < chunk.length) {
      let end = -1;
      if (!options.quoted) {
        end = chunk.indexOf(LF, from);
      } else {
        for (let i = from; i < chunk.length; i++) {
          const byte = chunk[i];
          if (byte === QUOTE) inQuotes = !inQuotes;
          else if (byte === LF) {
            if (!inQuotes) {
              end = i;
              break;
            }
            breaksInside++;
          }
        }
      }
      if (end === -1) {
        take(chunk.subarray(from));
        offset += chunk.length - from;
        from = chunk.length;
      } else {
        take(chunk.subarray(from, end));
        offset += end - from + 1;
        from = end + 1;
        yield finish(offset);
      }
    }
  }
  if (size > 0 || tooLong) yield finish(offset);
}
