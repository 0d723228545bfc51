// A Replica is one loaded document's place in the shared log: which seqs this instance has applied,
// what the bus brought ahead of a gap, and the reads that close the gap from the database, the
// source of truth. It is the only reader of readSince/lastSeq and the only bus subscriber of a
// document. Its invariant: every row up to `appliedSeq` is in the room's document.
import type { Bus, BusMessage } from './bus.js'
import type { DocMeta, LogRow, Store } from './store/types.js'

/** How long a gap in bus seqs may stay open before the replica reads the missing rows itself. */
const GAP_REPAIR_MS = 200

/** What the replica does to its room. */
export interface ReplicaSink {
  /** an update another instance committed */
  update(data: Uint8Array): void
  awareness(data: Uint8Array): void
  /** the document was deleted (by another instance) */
  deleted(): void
  /** a repair failed (the database is unreachable): the room cannot be trusted to be current */
  failed(err: unknown): void
}

export class Replica {
  appliedSeq: number
  /** rows stored since the last compaction (the log's length, roughly) */
  rowsSinceCompaction: number
  private readonly ahead = new Set<number>()
  private sink: ReplicaSink | undefined
  private early: BusMessage[] = []
  private repairTimer: NodeJS.Timeout | undefined
  private repairing: Promise<void> | undefined
  private closed = false

  private constructor(
    readonly docId: string,
    private readonly store: Store,
    private readonly bus: Bus,
    rows: readonly LogRow[],
  ) {
    this.appliedSeq = rows.at(-1)?.seq ?? 0
    this.rowsSinceCompaction = rows.length
  }

  /**
   * Subscribes, then loads (creating the document first when `create` is given and it is missing).
   * Subscribe before load: whatever another instance commits meanwhile is in the rows read or in the
   * messages held for `attach`, and applying both is harmless (Yjs updates are idempotent).
   * Resolves undefined, unsubscribed, when there is no such document.
   */
  static async open(
    docId: string,
    { store, bus }: { store: Store; bus: Bus },
    create?: () => Promise<void>,
  ): Promise<{ replica: Replica; meta: DocMeta; rows: LogRow[] } | undefined> {
    let replica: Replica | undefined
    const held: BusMessage[] = []
    await bus.subscribe(docId, (msg) => (replica === undefined ? held.push(msg) : replica.receive(msg)))
    try {
      let loaded = await store.load(docId)
      if (loaded === undefined && create !== undefined) {
        await create()
        loaded = await store.load(docId)
      }
      if (loaded === undefined) {
        await bus.unsubscribe(docId)
        return undefined
      }
      replica = new Replica(docId, store, bus, loaded.rows)
      replica.early = held
      return { replica, meta: loaded.meta, rows: loaded.rows }
    } catch (err) {
      await bus.unsubscribe(docId).catch(() => {})
      throw err
    }
  }

  /** Starts delivering to the room; what the bus brought during the load comes first. */
  attach(sink: ReplicaSink): void {
    this.sink = sink
    const early = this.early
    this.early = []
    early.forEach((msg) => this.receive(msg))
  }

  receive(msg: BusMessage): void {
    if (this.closed) return
    if (this.sink === undefined) {
      this.early.push(msg)
      return
    }
    switch (msg.kind) {
      case 'update':
        if (msg.seq <= this.appliedSeq || this.ahead.has(msg.seq)) return
        // Applied at once, even past a gap: Yjs holds updates whose dependencies are missing.
        this.sink.update(msg.data)
        this.rowsSinceCompaction++
        this.note(msg.seq)
        return
      case 'awareness':
        this.sink.awareness(msg.data)
        return
      case 'deleted':
        this.sink.deleted()
        return
    }
  }

  /** After this instance committed `updates` from `firstSeq` on: the seqs are held, the other instances told. */
  committed(firstSeq: number, updates: readonly Uint8Array[]): void {
    updates.forEach((data, i) => {
      this.note(firstSeq + i)
      this.bus.publish(this.docId, { kind: 'update', seq: firstSeq + i, data })
    })
    this.rowsSinceCompaction += updates.length
  }

  shareAwareness(data: Uint8Array): void {
    this.bus.publish(this.docId, { kind: 'awareness', data })
  }

  /** Reads the rows not applied yet from the database and applies them. One repair at a time. */
  repair(): Promise<void> {
    clearTimeout(this.repairTimer)
    this.repairTimer = undefined
    this.repairing ??= this.readMissing().finally(() => (this.repairing = undefined))
    return this.repairing
  }

  /**
   * The sweep's check, for a bus message that never came: the document deleted elsewhere, or rows
   * committed elsewhere that were not applied here. Resolves false when the document is gone.
   */
  async check(): Promise<boolean> {
    if ((await this.store.get(this.docId)) === undefined) return false
    if ((await this.store.lastSeq(this.docId)) > this.appliedSeq) await this.repair()
    return true
  }

  /** Compacted: the log is one row now. */
  compacted(): void {
    this.rowsSinceCompaction = 1
  }

  close(): Promise<void> {
    this.closed = true
    clearTimeout(this.repairTimer)
    return this.bus.unsubscribe(this.docId)
  }

  private async readMissing(): Promise<void> {
    if (this.closed || this.sink === undefined) return
    const rows = await this.store.readSince(this.docId, this.appliedSeq)
    if (this.closed) return
    for (const row of rows) {
      if (row.seq <= this.appliedSeq) continue
      if (!this.ahead.has(row.seq)) this.sink.update(row.data)
      this.rowsSinceCompaction++
    }
    const last = rows.at(-1)
    if (last !== undefined && last.seq > this.appliedSeq) this.appliedSeq = last.seq
    for (const seq of this.ahead) if (seq <= this.appliedSeq) this.ahead.delete(seq)
    if (this.ahead.size > 0) this.scheduleRepair()
  }

  private note(seq: number): void {
    if (seq <= this.appliedSeq) return
    this.ahead.add(seq)
    while (this.ahead.delete(this.appliedSeq + 1)) this.appliedSeq++
    if (this.ahead.size > 0) this.scheduleRepair()
  }

  private scheduleRepair(): void {
    if (this.repairTimer !== undefined || this.closed) return
    this.repairTimer = setTimeout(() => {
      this.repair().catch((err: unknown) => this.sink?.failed(err))
    }, GAP_REPAIR_MS)
  }
}
