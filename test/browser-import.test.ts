// The Import dialog and the Export menu in headless Chromium against a real server: a RACI matrix
// file is picked, the dialog previews what it will create and its problems (the server's dry run),
// Import fills the grid through the live connection; Export XLSX downloads a workbook exceljs reads.
import fs from 'node:fs'
import path from 'node:path'
import type { Browser } from 'playwright-core'
import ExcelJS from 'exceljs'
import { suite } from './helpers/suite.js'
import * as assert from 'uvu/assert'
import { buildWeb } from '../scripts/build-web.js'
import { ARTIFACTS, launchChromium, mapHash, openPage, type OpenPage } from './helpers/browser.js'
import { http } from './helpers/http.js'
import { startServer, tempDir, token, type TestServer } from './helpers/server.js'

const Sheets = suite<{ srv?: TestServer; browser?: Browser; pages: OpenPage[]; dir?: string }>('browser import/export', { pages: [] })

const MATRIX =
  'Area,Responsibility,Ana Silva,Ben Okafor\r\n' +
  'API design,REST API,A,R\r\n' +
  ',,,\r\n' +
  'API design,GraphQL,r,a\r\n' +
  'Data,Backups,A,Q\r\n'

Sheets.before(async (ctx) => {
  await buildWeb({ quiet: true })
  ctx.srv = await startServer()
  ctx.browser = await launchChromium()
  ctx.dir = tempDir('skillmap-import-')
  fs.writeFileSync(path.join(ctx.dir, 'team-raci.csv'), MATRIX)
})
Sheets.after.each(async (ctx) => {
  await Promise.all(ctx.pages.splice(0).map((p) => p.context.close()))
})
Sheets.after(async (ctx) => {
  await ctx.browser?.close()
  await ctx.srv?.close()
  if (ctx.dir) fs.rmSync(ctx.dir, { recursive: true, force: true })
})

async function emptyMap(ctx: { srv?: TestServer }, id: string): Promise<void> {
  const res = await http(ctx.srv!.url, 'POST', '/api/docs', { token: await token('admin'), body: { id, title: 'Imported team', template: 'empty' } })
  assert.is(res.status, 201)
}

for (const phone of [false, true]) {
  Sheets(`${phone ? 'phone' : 'laptop'}: import a file through the dialog, see the preview, import, see the grid filled`, async (ctx) => {
    const id = phone ? 'imported-phone' : 'imported'
    await emptyMap(ctx, id)
    const opened = await openPage(ctx.browser!, ctx.srv!.url, mapHash(id, await token('editor', id, 'Ed Itor', 'ed')), { phone })
    ctx.pages.push(opened)
    const { page } = opened
    await page.locator('[data-action="import"]').click()
    const dialog = page.locator('dialog.import-dialog')
    await dialog.waitFor()
    await dialog.locator('input[type="file"]').setInputFiles(path.join(ctx.dir!, 'team-raci.csv'))
    await dialog.locator('[data-preview]').waitFor()
    assert.is(await dialog.locator('[data-format]').getAttribute('data-format'), 'raci-csv')
    assert.match((await dialog.locator('[data-summary]').textContent()) ?? '', /2 new people, 3 new responsibilities, 5 cells set/)
    assert.match((await dialog.locator('.import-new').textContent()) ?? '', /Ana Silva, Ben Okafor/)
    const problems = dialog.locator('tr[data-problem]')
    assert.is(await problems.count(), 1)
    assert.match((await problems.first().textContent()) ?? '', /row 5.*D \(Ben Okafor\).*unknown letter "Q"/)
    // the preview wrote nothing
    assert.is(await page.locator('td[data-letter="A"]').count(), 0)
    await page.screenshot({ path: path.join(ARTIFACTS, `import-dialog${phone ? '-phone' : ''}.png`) })
    // the dialog alone: the README's picture (docs/import.png is a copy of it)
    if (!phone) await dialog.screenshot({ path: path.join(ARTIFACTS, 'import-dialog-only.png') })

    await dialog.locator('[data-action="run-import"]').click()
    await dialog.waitFor({ state: 'detached' })
    await page.locator('td[data-key="r:rest-api/ana-silva"][data-letter="A"]').waitFor()
    await page.locator('td[data-key="r:graphql/ben-okafor"][data-letter="A"]').waitFor()
    await page.locator('td[data-key="r:backups/ana-silva"][data-letter="A"]').waitFor()
    assert.is(await page.locator('td[data-key="r:backups/ben-okafor"]').getAttribute('data-letter'), '', 'the unknown letter was skipped')
    await page.locator('.notice-toast', { hasText: 'Imported: 2 new people, 3 new responsibilities, 5 cells set; 1 row skipped.' }).waitFor()
    await page.screenshot({ path: path.join(ARTIFACTS, `import-done${phone ? '-phone' : ''}.png`) })
    if (!phone) {
      // print: the grid alone, the chrome hidden, the letters keep their colours
      await page.emulateMedia({ media: 'print' })
      for (const chrome of ['.tabs', '.insights-wrap', '.sheet-tools']) assert.is(await page.locator(chrome).first().isVisible(), false, `${chrome} hidden in print`)
      assert.ok(await page.locator('td[data-key="r:rest-api/ana-silva"]').isVisible())
      const colour = await page.locator('td[data-key="r:rest-api/ana-silva"] .chip').evaluate((el) => getComputedStyle(el).printColorAdjust)
      assert.is(colour, 'exact')
      await page.screenshot({ path: path.join(ARTIFACTS, 'import-print.png') })
      await page.emulateMedia({ media: 'screen' })
    }
    assert.equal(opened.errors, [])
  })
}

Sheets('a file that cannot be read shows the server\'s message and imports nothing', async (ctx) => {
  await emptyMap(ctx, 'unreadable')
  fs.writeFileSync(path.join(ctx.dir!, 'broken.csv'), 'Responsibility,Ana\r\n"REST,A\r\n')
  const opened = await openPage(ctx.browser!, ctx.srv!.url, mapHash('unreadable', await token('editor', 'unreadable')))
  ctx.pages.push(opened)
  const { page } = opened
  await page.locator('[data-action="import"]').click()
  await page.locator('dialog.import-dialog input[type="file"]').setInputFiles(path.join(ctx.dir!, 'broken.csv'))
  await page.locator('[data-import-error]', { hasText: 'the CSV cannot be read' }).waitFor()
  assert.ok(await page.locator('[data-action="run-import"]').isDisabled())
})

Sheets('export XLSX downloads a workbook that exceljs reads back; a viewer may export but has no Import', async (ctx) => {
  await emptyMap(ctx, 'exported')
  const imported = await fetch(`${ctx.srv!.url}/api/docs/exported/import`, { method: 'POST', headers: { authorization: `Bearer ${await token('editor')}`, 'content-type': 'text/csv' }, body: MATRIX })
  assert.is(imported.status, 200)
  const opened = await openPage(ctx.browser!, ctx.srv!.url, mapHash('exported', await token('viewer', 'exported', 'Lee Lead', 'lee')))
  ctx.pages.push(opened)
  const { page } = opened
  assert.is(await page.locator('[data-action="import"]').count(), 0, 'no Import for a viewer')
  await page.locator('[data-menu="export"]').click()
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-export="xlsx"]').click()])
  assert.is(download.suggestedFilename(), 'exported.xlsx')
  const file = path.join(ctx.dir!, 'exported.xlsx')
  await download.saveAs(file)
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.readFile(file)
  const raci = wb.getWorksheet('RACI')!
  assert.equal((raci.getRow(1).values as unknown[]).slice(1, 5), ['Area', 'Responsibility', 'Ana Silva', 'Ben Okafor'])
  assert.equal((raci.getRow(2).values as unknown[]).slice(1, 5), ['API design', 'REST API', 'A', 'R'])

  const [csv] = await Promise.all([page.waitForEvent('download'), page.locator('[data-menu="export"]').click().then(() => page.locator('[data-export="csv"]').click())])
  assert.is(csv.suggestedFilename(), 'exported.csv')
  assert.equal(opened.errors, [])
})

Sheets.run()
