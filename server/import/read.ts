// Which format a body is (CONTRACT §6b: by its content type; `application/octet-stream` or none is
// sniffed: the zip signature of XLSX, a JSON object, else CSV) and its content in the neutral shape.
import { RATINGS_CSV_HEADER } from '../../shared/ratings-csv.js'
import { XLSX_MEDIA_TYPE } from '../xlsx.js'
import { ASSIGNMENTS_CSV_HEADER, hasHeader, readAssignmentsCsv, readRatingsCsv } from './csv.js'
import { findMatrixHeader, readMatrix, TEAM_NAMES } from './matrix.js'
import { emptyImport, UnreadableFile, type ImportData } from './model.js'
import { readSnapshotJson } from './snapshot.js'
import { readCsv, readXlsx } from './tables.js'
import { isOurWorkbook, readOurWorkbook, readTeamWorkbook } from './workbook.js'

/** The media types the route accepts, for its documentation and its error message. */
export const IMPORT_MEDIA_TYPES = ['application/json', 'text/csv', XLSX_MEDIA_TYPE, 'application/octet-stream'] as const

/** Every XLSX file is a zip archive: it starts with a local file header. */
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04])

type Container = 'json' | 'csv' | 'xlsx'

export function containerOf(contentType: string | undefined, body: Buffer): Container {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase()
  if (type === 'application/json' || type.endsWith('+json')) return 'json'
  // Windows browsers label .csv files application/vnd.ms-excel.
  if (type === 'text/csv' || type === 'application/csv' || type === 'text/plain' || type === 'application/vnd.ms-excel') return 'csv'
  if (type === XLSX_MEDIA_TYPE) {
    if (!body.subarray(0, 4).equals(ZIP_MAGIC)) throw new UnreadableFile('not an XLSX workbook: the body is not a zip archive')
    return 'xlsx'
  }
  if (type === '' || type === 'application/octet-stream') {
    if (body.subarray(0, 4).equals(ZIP_MAGIC)) return 'xlsx'
    const start = body.subarray(0, 64).toString('utf8').replace(/^\uFEFF/, '').trimStart()
    return start.startsWith('{') ? 'json' : 'csv'
  }
  throw new UnreadableFile(`unsupported content type ${JSON.stringify(type)}: send ${IMPORT_MEDIA_TYPES.join(', ')}`)
}

export async function readImport(contentType: string | undefined, body: Buffer): Promise<ImportData> {
  if (body.byteLength === 0) throw new UnreadableFile('the body is empty')
  const container = containerOf(contentType, body)
  if (container === 'json') return readSnapshotJson(body)
  if (container === 'xlsx') {
    const book = await readXlsx(body)
    return isOurWorkbook(book) ? readOurWorkbook(book) : readTeamWorkbook(book)
  }
  const rows = readCsv(body)
  if (hasHeader(rows[0], ASSIGNMENTS_CSV_HEADER)) return readAssignmentsCsv(rows)
  if (hasHeader(rows[0], RATINGS_CSV_HEADER)) return readRatingsCsv(rows)
  const header = findMatrixHeader(rows)
  if (header === undefined) {
    throw new UnreadableFile(
      `not a CSV layout the importer knows: the header must be ${ASSIGNMENTS_CSV_HEADER.join(',')}, ${RATINGS_CSV_HEADER.join(',')}, or a RACI matrix (Area?, Responsibility, then one column per person)`,
    )
  }
  const data = emptyImport('raci-csv', { responsibilities: true, assignments: true })
  readMatrix(rows, header, TEAM_NAMES, data)
  return data
}
