// The first update of a new document: its template, written once by the server when it is created.
import * as Y from 'yjs'
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
