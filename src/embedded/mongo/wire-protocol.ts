import { BSON, type Document } from 'mongodb';

/** Opcodes of the MongoDB wire protocol that the embedded server reads or writes. */
export const OpCode = { OP_REPLY: 1, OP_QUERY: 2004, OP_COMPRESSED: 2012, OP_MSG: 2013 } as const;

/** OP_MSG flag bits. */
export const MsgFlag = { checksumPresent: 1 << 0, moreToCome: 1 << 1, exhaustAllowed: 1 << 16 } as const;

/** The largest message accepted, as MongoDB advertises in `maxMessageSizeBytes`. */
export const MAX_MESSAGE_SIZE = 48_000_000;

const HEADER_SIZE = 16;

/** A decoded client request: the command document and how to frame the reply. */
export interface WireRequest {
  readonly requestId: number;
  readonly opCode: typeof OpCode.OP_MSG | typeof OpCode.OP_QUERY;
  readonly flags: number;
  /** The command, with kind-1 document sequences merged in as arrays. */
  readonly command: Document;
  /** For OP_QUERY: the database parsed from `<db>.$cmd`. */
  readonly database?: string;
}

/** A framing or decoding failure; the connection answers it or closes. */
export class WireProtocolError extends Error {
  override readonly name = 'WireProtocolError';
}

/**
 * Splits buffered socket bytes into whole messages. Returns the messages and the
 * leftover bytes of an incomplete one.
 */
export function splitMessages(buffer: Buffer): { messages: Buffer[]; rest: Buffer } {
  const messages: Buffer[] = [];
  let offset = 0;
  while (buffer.length - offset >= 4) {
    const length = buffer.readInt32LE(offset);
    if (length < HEADER_SIZE || length > MAX_MESSAGE_SIZE) {
      throw new WireProtocolError(`invalid message length ${length}`);
    }
    if (buffer.length - offset < length) break;
    messages.push(buffer.subarray(offset, offset + length));
    offset += length;
  }
  return { messages, rest: buffer.subarray(offset) };
}

/** Decodes one complete message (header included). */
export function decodeRequest(message: Buffer): WireRequest {
  const requestId = message.readInt32LE(4);
  const opCode = message.readInt32LE(12);
  if (opCode === OpCode.OP_MSG) return decodeOpMsg(message, requestId);
  if (opCode === OpCode.OP_QUERY) return decodeOpQuery(message, requestId);
  throw new WireProtocolError(`unsupported opCode ${opCode}`);
}

function readDocument(message: Buffer, offset: number, end: number): { doc: Document; next: number } {
  if (offset + 5 > end) throw new WireProtocolError('truncated BSON document');
  const size = message.readInt32LE(offset);
  if (size < 5 || offset + size > end) throw new WireProtocolError('invalid BSON document size');
  const doc = BSON.deserialize(message.subarray(offset, offset + size), { promoteValues: false });
  return { doc, next: offset + size };
}

function readCString(message: Buffer, offset: number, end: number): { value: string; next: number } {
  const zero = message.indexOf(0, offset);
  if (zero < 0 || zero >= end) throw new WireProtocolError('unterminated cstring');
  return { value: message.toString('utf8', offset, zero), next: zero + 1 };
}

function decodeOpMsg(message: Buffer, requestId: number): WireRequest {
  const flags = message.readUInt32LE(HEADER_SIZE);
  // The CRC-32C trailer is tolerated, not verified: loopback transport cannot corrupt.
  const end = message.length - (flags & MsgFlag.checksumPresent ? 4 : 0);
  let offset = HEADER_SIZE + 4;
  let body: Document | undefined;
  const sequences: Array<[string, Document[]]> = [];
  while (offset < end) {
    const kind = message.readUInt8(offset);
    offset += 1;
    if (kind === 0) {
      const { doc, next } = readDocument(message, offset, end);
      body = doc;
      offset = next;
    } else if (kind === 1) {
      const size = message.readInt32LE(offset);
      const sectionEnd = offset + size;
      if (size < 5 || sectionEnd > end) throw new WireProtocolError('invalid document sequence size');
      const id = readCString(message, offset + 4, sectionEnd);
      const docs: Document[] = [];
      let cursor = id.next;
      while (cursor < sectionEnd) {
        const { doc, next } = readDocument(message, cursor, sectionEnd);
        docs.push(doc);
        cursor = next;
      }
      sequences.push([id.value, docs]);
      offset = sectionEnd;
    } else {
      throw new WireProtocolError(`unknown OP_MSG section kind ${kind}`);
    }
  }
  if (!body) throw new WireProtocolError('OP_MSG without a body section');
  for (const [identifier, docs] of sequences) body[identifier] = docs;
  return { requestId, opCode: OpCode.OP_MSG, flags, command: body };
}

function decodeOpQuery(message: Buffer, requestId: number): WireRequest {
  const flags = message.readInt32LE(HEADER_SIZE);
  const ns = readCString(message, HEADER_SIZE + 4, message.length);
  const { doc } = readDocument(message, ns.next + 8, message.length);
  const dot = ns.value.indexOf('.');
  const database = dot < 0 ? ns.value : ns.value.slice(0, dot);
  // Legacy drivers wrap the command as { $query: {...}, $readPreference }.
  const command = doc['$query'] && typeof doc['$query'] === 'object' ? (doc['$query'] as Document) : doc;
  return { requestId, opCode: OpCode.OP_QUERY, flags, command, database };
}

let nextResponseId = 1;

function header(length: number, responseTo: number, opCode: number): Buffer {
  const head = Buffer.alloc(HEADER_SIZE);
  head.writeInt32LE(length, 0);
  head.writeInt32LE(nextResponseId++ & 0x7fffffff, 4);
  head.writeInt32LE(responseTo, 8);
  head.writeInt32LE(opCode, 12);
  return head;
}

/** Frames `reply` as an OP_MSG answering `responseTo`. */
export function encodeOpMsg(reply: Document, responseTo: number, flags = 0): Buffer {
  const body = BSON.serialize(reply, { ignoreUndefined: false });
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32LE(flags, 0);
  prefix.writeUInt8(0, 4);
  const length = HEADER_SIZE + prefix.length + body.length;
  return Buffer.concat([header(length, responseTo, OpCode.OP_MSG), prefix, body]);
}

/** Frames `reply` as a legacy OP_REPLY answering an OP_QUERY. */
export function encodeOpReply(reply: Document, responseTo: number): Buffer {
  const body = BSON.serialize(reply);
  const fields = Buffer.alloc(20);
  fields.writeInt32LE(0, 0); // responseFlags
  fields.writeBigInt64LE(0n, 4); // cursorID
  fields.writeInt32LE(0, 12); // startingFrom
  fields.writeInt32LE(1, 16); // numberReturned
  const length = HEADER_SIZE + fields.length + body.length;
  return Buffer.concat([header(length, responseTo, OpCode.OP_REPLY), fields, body]);
}
