// Hand-made V1 updates that lie about their size (update bombs), for the update check's tests and
// the benchmark's abuse scenario. Each is what an attacker can send in one sync message; none is
// made through Yjs, which would never write them.
import * as encoding from 'lib0/encoding'

const bytes = (write: (e: encoding.Encoder) => void): Uint8Array => {
  const e = encoding.createEncoder()
  write(e)
  return encoding.toUint8Array(e)
}

/** yjs#687: one client that declares `structs` structs and carries none (7 bytes for 30 million). */
export const structsBomb = (structs = 30_000_000): Uint8Array =>
  bytes((e) => {
    encoding.writeVarUint(e, 1) // clients
    encoding.writeVarUint(e, structs)
    encoding.writeVarUint(e, 0) // client
    encoding.writeVarUint(e, 0) // clock
  })

/** A struct section that declares `clients` client groups. */
export const clientsBomb = (clients = 30_000_000): Uint8Array => bytes((e) => encoding.writeVarUint(e, clients))

/** No structs, and a delete set that declares `ranges` deleted ranges for one client. */
export const deleteSetBomb = (ranges = 30_000_000): Uint8Array =>
  bytes((e) => {
    encoding.writeVarUint(e, 0) // clients with structs
    encoding.writeVarUint(e, 1) // delete set clients
    encoding.writeVarUint(e, 0) // client
    encoding.writeVarUint(e, ranges)
  })

/** One item (a value set on root map `m`) whose ContentAny declares `values` values. */
export const anyBomb = (values = 30_000_000): Uint8Array => item(8, (e) => encoding.writeVarUint(e, values))

/** One item whose string content declares `length` bytes. */
export const stringBomb = (length = 2 ** 40): Uint8Array => item(4, (e) => encoding.writeVarUint(e, length))

/** One item whose single value is an array that declares `items` items. */
export const arrayBomb = (items = 30_000_000): Uint8Array =>
  item(8, (e) => {
    encoding.writeVarUint(e, 1)
    encoding.writeUint8(e, 117) // lib0 any: array
    encoding.writeVarUint(e, items)
  })

/** One item whose single value is `depth` arrays nested in each other (a stack overflow inside Yjs). */
export const nestingBomb = (depth = 10_000): Uint8Array =>
  item(8, (e) => {
    encoding.writeVarUint(e, 1)
    for (let i = 0; i < depth; i++) {
      encoding.writeUint8(e, 117)
      encoding.writeVarUint(e, 1)
    }
    encoding.writeUint8(e, 126) // null
  })

/** One item with parent `m` (a root map), key `k` and the given content kind and bytes; no deletes. */
export function item(contentKind: number, content: (e: encoding.Encoder) => void): Uint8Array {
  return bytes((e) => {
    encoding.writeVarUint(e, 1) // clients
    encoding.writeVarUint(e, 1) // structs
    encoding.writeVarUint(e, 7) // client
    encoding.writeVarUint(e, 0) // clock
    encoding.writeUint8(e, contentKind | 0b0010_0000) // no origins, has a parent key
    encoding.writeVarUint(e, 1) // parent is a root type, by name
    encoding.writeVarString(e, 'm')
    encoding.writeVarString(e, 'k')
    content(e)
    encoding.writeVarUint(e, 0) // delete set
  })
}

/** Every bomb once: what the tests and the abuse scenario send. */
export const BOMBS: ReadonlyArray<{ name: string; update: Uint8Array }> = [
  { name: 'structs (yjs#687)', update: structsBomb() },
  { name: 'clients', update: clientsBomb() },
  { name: 'delete set', update: deleteSetBomb() },
  { name: 'values', update: anyBomb() },
  { name: 'string', update: stringBomb() },
  { name: 'array', update: arrayBomb() },
  { name: 'nesting', update: nestingBomb() },
]
