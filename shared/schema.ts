// Placeholder until the document model lands: meta and the nine roles (CONTRACT §4).
import * as Y from 'yjs'

export type TemplateName = 'backend' | 'empty'
export const TEMPLATE_NAMES: readonly TemplateName[] = ['backend', 'empty']

const ROLE_LABELS: Record<string, string> = {
  backend: 'Backend engineer',
  techlead: 'Tech lead',
  frontend: 'Frontend developer',
  devops: 'DevOps engineer',
  dba: 'DBA',
  qa: 'QA tester',
  product: 'Product owner',
  ux: 'UX/UI designer',
  security: 'Security specialist',
}

export function applyTemplate(doc: Y.Doc, template: TemplateName, meta: { title: string }): void {
  doc.transact(() => {
    const m = doc.getMap('meta')
    m.set('title', meta.title)
    m.set('template', template)
    const roles = doc.getMap<Y.Map<unknown>>('roles')
    for (const [key, label] of Object.entries(ROLE_LABELS)) roles.set(key, new Y.Map([['label', label]]))
  })
}
