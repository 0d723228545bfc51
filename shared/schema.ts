// The skill-map document (CONTRACT §4), as one import: the vocabulary, cell keys, readers and
// writers live in their own files; this barrel keeps `shared/schema.js` imports working.
export * from './vocabulary.js'
export * from './keys.js'
export * from './read.js'
export * from './write.js'
export { BACKEND_AREAS, DEFAULT_ROLES } from './templates.js'
