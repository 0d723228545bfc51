// Column and row labels of the spreadsheet formats (CONTRACT §6b). A sheet shows names, the
// document keys by id: two people called "Sam" would make one column header mean two people, so a
// label that is not unique carries its id, `Sam (sam-2)`, and the importer reads it back exactly.

export interface Labelled {
  id: string
  label: string
}

/** id → a label unique within `items` (case-insensitively, as the importer matches them). */
export function uniqueLabels(items: readonly Labelled[]): Map<string, string> {
  const counts = new Map<string, number>()
  for (const item of items) counts.set(fold(item.label), (counts.get(fold(item.label)) ?? 0) + 1)
  return new Map(items.map((item) => [item.id, counts.get(fold(item.label))! > 1 || item.label.trim() === '' ? withId(item.label, item.id) : item.label]))
}

export function withId(label: string, id: string): string {
  return `${label} (${id})`
}

/** `Sam (sam-2)` → `sam-2`; anything else → undefined. */
export function idInLabel(label: string): string | undefined {
  return /\(([A-Za-z0-9_-]{1,64})\)\s*$/.exec(label)?.[1]
}

/** How names and titles are compared: case-insensitive, outer and repeated spaces ignored. */
export function fold(value: string): string {
  return value.trim().replace(/\s+/g, ' ').toLowerCase()
}
