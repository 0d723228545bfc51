// The update check (CONTRACT §3d v2): before Yjs reads a client's update, prove that every count it
// declares can fit in the bytes it carries. Yjs allocates what a header declares before it reads a
// single struct: 7 bytes that declare 30 million structs block the event loop for ~0.3 s before it
// gives up (yjs#687). This walks the V1 layout (yjs' readClientsStructRefs, readItemContent and
// readDeleteSet) without building anything, so its cost and the cost of an update it accepts are
// both in proportion to the update's bytes. It does not judge what Yjs would make of the update
// (missing dependencies, bad JSON): Yjs refuses those itself, before it integrates anything.
import * as decoding from 'lib0/decoding'

/** Why an update was refused: a count its bytes cannot hold (a bomb), or bytes that do not parse. */
export type UpdateRefusal = 'oversized-declaration' | 'malformed'

export class UpdateCheckError extends Error {
  constructor(
    readonly reason: UpdateRefusal,
    message: string,
  ) {
    super(message)
    this.name = 'UpdateCheckError'
  }
}

// The fewest bytes one declared element can take in the V1 encoding; a count times its element's
// minimum must fit in what is left, or the header lies.
/** a client's struct group: numStructs, client and clock, one varuint each */
const MIN_CLIENT_BYTES = 3
/** a struct: its info byte and at least one varuint (a GC's or Skip's length, or the content's first) */
const MIN_STRUCT_BYTES = 2
/** a delete set entry: client and number of ranges; a range: clock and length */
const MIN_DELETE_BYTES = 2
/** a value of lib0's any encoding: its type tag */
const MIN_ANY_BYTES = 1
/** an object's entry: its key's length and its value's type tag */
const MIN_ENTRY_BYTES = 2
/** a JSON string of legacy ContentJSON: its length */
const MIN_STRING_BYTES = 1

/**
 * How deep plain values (arrays and objects in maps and arrays) may nest. lib0's readAny recurses once
 * per level, so an update of a few kilobytes of nested arrays would otherwise overflow the stack
 * inside Yjs; no skill map stores values nested anywhere near this deep.
 */
export const MAX_NESTING = 512

// info byte of a struct (yjs Item.js): the low 5 bits are the content kind, the high bits flag fields.
const CONTENT_BITS = 0b11111
const HAS_PARENT_SUB = 0b0010_0000
const HAS_RIGHT_ORIGIN = 0b0100_0000
const HAS_ORIGIN = 0b1000_0000
const GC = 0
const SKIP = 10
// Content kinds (yjs contentRefs) and type refs (yjs typeRefs) that carry a key.
const Content = { deleted: 1, json: 2, binary: 3, string: 4, embed: 5, format: 6, type: 7, any: 8, doc: 9 } as const
const XML_ELEMENT = 3
const XML_HOOK = 5
const LAST_TYPE_REF = 6

/**
 * Throws UpdateCheckError unless `update` is a V1 update whose declared counts all fit in its bytes
 * and whose parse ends exactly at its end. Pure: reads nothing but `update`.
 */
export function checkUpdate(update: Uint8Array): void {
  const d = decoding.createDecoder(update)
  try {
    readStructs(d)
    readDeleteSet(d)
  } catch (err) {
    if (err instanceof UpdateCheckError) throw err
    // lib0 throws plain Errors at the end of the bytes or on a varuint past 2^53.
    throw new UpdateCheckError('malformed', err instanceof Error ? err.message : 'undecodable update')
  }
  if (d.pos !== update.length) throw new UpdateCheckError('malformed', `${update.length - d.pos} bytes after the end of the update`)
}

const remaining = (d: decoding.Decoder): number => d.arr.length - d.pos

/** A declared count, refused when `count` elements of at least `minBytes` each cannot fit. */
const readCount = (d: decoding.Decoder, minBytes: number, what: string): number => fits(d, decoding.readVarUint(d), minBytes, what)

function fits(d: decoding.Decoder, count: number, minBytes: number, what: string): number {
  if (count * minBytes > remaining(d)) {
    throw new UpdateCheckError('oversized-declaration', `declares ${count} ${what} in ${remaining(d)} bytes`)
  }
  return count
}

function skip(d: decoding.Decoder, bytes: number, what: string): void {
  if (bytes > remaining(d)) throw new UpdateCheckError('oversized-declaration', `declares a ${bytes}-byte ${what} in ${remaining(d)} bytes`)
  d.pos += bytes
}

/** A varuint length followed by that many bytes: strings, keys, JSON, binary content. */
const skipBytes = (d: decoding.Decoder, what: string): void => skip(d, decoding.readVarUint(d), what)

function readByte(d: decoding.Decoder): number {
  // lib0's readUint8 returns undefined past the end instead of throwing.
  if (remaining(d) < 1) throw new UpdateCheckError('malformed', 'unexpected end of update')
  return decoding.readUint8(d)
}

function readStructs(d: decoding.Decoder): void {
  const clients = readCount(d, MIN_CLIENT_BYTES, 'clients')
  for (let c = 0; c < clients; c++) {
    const declared = decoding.readVarUint(d)
    decoding.readVarUint(d) // client
    decoding.readVarUint(d) // clock
    const structs = fits(d, declared, MIN_STRUCT_BYTES, 'structs')
    for (let s = 0; s < structs; s++) readStruct(d)
  }
}

function readStruct(d: decoding.Decoder): void {
  const info = readByte(d)
  const kind = info & CONTENT_BITS
  if (kind === GC || kind === SKIP) {
    decoding.readVarUint(d) // length
    return
  }
  if ((info & HAS_ORIGIN) !== 0) readId(d)
  if ((info & HAS_RIGHT_ORIGIN) !== 0) readId(d)
  if ((info & (HAS_ORIGIN | HAS_RIGHT_ORIGIN)) === 0) {
    // No origin to copy the parent from: a root type's name (1) or the parent item's id (anything else).
    if (decoding.readVarUint(d) === 1) skipBytes(d, 'parent name')
    else readId(d)
    if ((info & HAS_PARENT_SUB) !== 0) skipBytes(d, 'key')
  }
  readContent(d, kind)
}

function readId(d: decoding.Decoder): void {
  decoding.readVarUint(d) // client
  decoding.readVarUint(d) // clock
}

function readContent(d: decoding.Decoder, kind: number): void {
  switch (kind) {
    case Content.deleted:
      decoding.readVarUint(d) // length
      return
    case Content.json: {
      const count = readCount(d, MIN_STRING_BYTES, 'JSON values')
      for (let i = 0; i < count; i++) skipBytes(d, 'JSON value')
      return
    }
    case Content.binary:
      skipBytes(d, 'binary')
      return
    case Content.string:
      skipBytes(d, 'string')
      return
    case Content.embed:
      skipBytes(d, 'embed')
      return
    case Content.format:
      skipBytes(d, 'format key')
      skipBytes(d, 'format value')
      return
    case Content.type: {
      const ref = decoding.readVarUint(d)
      if (ref > LAST_TYPE_REF) throw new UpdateCheckError('malformed', `unknown type ref ${ref}`)
      if (ref === XML_ELEMENT || ref === XML_HOOK) skipBytes(d, 'node name')
      return
    }
    case Content.any: {
      const count = readCount(d, MIN_ANY_BYTES, 'values')
      for (let i = 0; i < count; i++) readAny(d, 0)
      return
    }
    case Content.doc:
      skipBytes(d, 'subdocument guid')
      readAny(d, 0)
      return
    default:
      throw new UpdateCheckError('malformed', `unknown content kind ${kind}`)
  }
}

/** One value of lib0's any encoding (lib0 decoding.readAny), tag by tag. */
function readAny(d: decoding.Decoder, depth: number): void {
  if (depth > MAX_NESTING) throw new UpdateCheckError('malformed', `values nested deeper than ${MAX_NESTING}`)
  const tag = readByte(d)
  switch (tag) {
    case 127: // undefined
    case 126: // null
    case 121: // false
    case 120: // true
      return
    case 125: // varint
      if (remaining(d) < 1) throw new UpdateCheckError('malformed', 'unexpected end of update')
      decoding.readVarInt(d)
      return
    case 124: // float32
      skip(d, 4, 'float32')
      return
    case 123: // float64
    case 122: // bigint64
      skip(d, 8, 'number')
      return
    case 119: // string
    case 116: // Uint8Array
      skipBytes(d, 'value')
      return
    case 118: {
      const entries = readCount(d, MIN_ENTRY_BYTES, 'object entries')
      for (let i = 0; i < entries; i++) {
        skipBytes(d, 'object key')
        readAny(d, depth + 1)
      }
      return
    }
    case 117: {
      const items = readCount(d, MIN_ANY_BYTES, 'array items')
      for (let i = 0; i < items; i++) readAny(d, depth + 1)
      return
    }
    default:
      throw new UpdateCheckError('malformed', `unknown value tag ${tag}`)
  }
}

function readDeleteSet(d: decoding.Decoder): void {
  const clients = readCount(d, MIN_DELETE_BYTES, 'delete set clients')
  for (let c = 0; c < clients; c++) {
    decoding.readVarUint(d) // client
    const ranges = readCount(d, MIN_DELETE_BYTES, 'deleted ranges')
    for (let r = 0; r < ranges; r++) {
      decoding.readVarUint(d) // clock
      decoding.readVarUint(d) // length
    }
  }
}
