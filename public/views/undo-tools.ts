// The header's Undo and Redo buttons: always in one place, disabled (not hidden) when there is
// nothing to take back, each titled with the action it would undo or redo.
import { html, type TemplateResult } from 'lit-html'
import type { Undo } from '../undo.js'

export function undoTools(undo: Undo): TemplateResult {
  const undoLabel = undo.undoLabel()
  const redoLabel = undo.redoLabel()
  return html`<span class="undo-tools" role="group" aria-label="Undo and redo your edits">
    <button
      class="btn small"
      data-action="undo"
      aria-label="Undo"
      ?disabled=${!undo.canUndo()}
      title=${undoLabel ? `Undo: ${undoLabel} (Ctrl+Z)` : 'Undo your last edit (Ctrl+Z)'}
      @click=${() => undo.undo()}
    >
      <span aria-hidden="true">↶</span><span class="tool-text">Undo</span>
    </button>
    <button
      class="btn small"
      data-action="redo"
      aria-label="Redo"
      ?disabled=${!undo.canRedo()}
      title=${redoLabel ? `Redo: ${redoLabel} (Ctrl+Shift+Z)` : 'Redo (Ctrl+Shift+Z)'}
      @click=${() => undo.redo()}
    >
      <span aria-hidden="true">↷</span><span class="tool-text">Redo</span>
    </button>
  </span>`
}
