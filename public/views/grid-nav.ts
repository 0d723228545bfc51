// Spreadsheet keys for a role="grid" table: arrows, Home/End, Page Up/Down, Ctrl+Home/End.
// Navigable elements carry data-r and data-c; one of them is the grid's single tab stop (roving
// tabindex), so Tab leaves the grid and arrows move inside it.

/** Rows jumped by Page Up / Page Down. */
const PAGE_ROWS = 10

export function navigate(event: KeyboardEvent): boolean {
  const from = (event.target as HTMLElement | null)?.closest<HTMLElement>('[data-r][data-c]')
  const grid = from?.closest<HTMLElement>('[data-grid]')
  if (!from || !grid) return false
  const r = Number(from.dataset.r)
  const c = Number(from.dataset.c)
  const ctrl = event.ctrlKey || event.metaKey
  let target: HTMLElement | null = null
  switch (event.key) {
    case 'ArrowRight':
      target = cellAt(grid, r, c + 1)
      break
    case 'ArrowLeft':
      target = cellAt(grid, r, c - 1)
      break
    case 'ArrowDown':
      target = nearestInRow(grid, r + 1, c, 1)
      break
    case 'ArrowUp':
      target = nearestInRow(grid, r - 1, c, -1)
      break
    case 'PageDown':
      target = nearestInRow(grid, Math.min(r + PAGE_ROWS, lastRow(grid)), c, 1)
      break
    case 'PageUp':
      target = nearestInRow(grid, Math.max(r - PAGE_ROWS, 0), c, -1)
      break
    case 'Home':
      target = ctrl ? cellAt(grid, 0, 0) : cellAt(grid, r, 0)
      break
    case 'End':
      target = ctrl ? lastInRow(grid, lastRow(grid)) : lastInRow(grid, r)
      break
    default:
      return false
  }
  event.preventDefault()
  if (target) focusCell(target)
  return true
}

export function focusCell(el: HTMLElement): void {
  const grid = el.closest('[data-grid]')
  grid?.querySelectorAll<HTMLElement>('[data-r][tabindex="0"]').forEach((other) => {
    if (other !== el) other.tabIndex = -1
  })
  el.tabIndex = 0
  el.focus()
  el.scrollIntoView({ block: 'nearest', inline: 'nearest' })
}

function cellAt(grid: HTMLElement, r: number, c: number): HTMLElement | null {
  return grid.querySelector<HTMLElement>(`[data-r="${r}"][data-c="${c}"]`)
}

/** The cell in column c of the first row from r on (in `step` direction) that has one. */
function nearestInRow(grid: HTMLElement, r: number, c: number, step: 1 | -1): HTMLElement | null {
  const last = lastRow(grid)
  for (let row = r; row >= 0 && row <= last; row += step) {
    const cell = cellAt(grid, row, c) ?? lastInRow(grid, row, c)
    if (cell) return cell
  }
  return null
}

function lastInRow(grid: HTMLElement, r: number, maxC = Infinity): HTMLElement | null {
  let best: HTMLElement | null = null
  grid.querySelectorAll<HTMLElement>(`[data-r="${r}"]`).forEach((el) => {
    const c = Number(el.dataset.c)
    if (c <= maxC && (!best || c > Number(best.dataset.c))) best = el
  })
  return best
}

function lastRow(grid: HTMLElement): number {
  let last = 0
  grid.querySelectorAll<HTMLElement>('[data-r]').forEach((el) => (last = Math.max(last, Number(el.dataset.r))))
  return last
}
