// The first update of a new document: its template (or the demo map), written once by the server
// when it is created.
import * as Y from 'yjs'
import { applyDemo } from '../shared/demo.js'
import { applyTemplate, type TemplateName } from '../shared/schema.js'

export function templateUpdate(template: TemplateName, title: string): Uint8Array {
  const doc = new Y.Doc()
  try {
    applyTemplate(doc, template, { title })
    return Y.encodeStateAsUpdate(doc)
  } finally {
    doc.destroy()
  }
}

/** The demo map: the backend template with the demo team (shared/demo.ts), as one update. */
export function demoUpdate(title: string): Uint8Array {
  const doc = new Y.Doc()
  try {
    applyTemplate(doc, 'backend', { title })
    applyDemo(doc)
    return Y.encodeStateAsUpdate(doc)
  } finally {
    doc.destroy()
  }
}
