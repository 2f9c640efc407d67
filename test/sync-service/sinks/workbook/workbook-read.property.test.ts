/**
 * The fast workbook read (workbook-read.ts) gives exactly the grids ExcelJS's load + readGrid gives, on
 * workbooks the sink wrote and staff then edited in ExcelJS; and it is really used for the plain ones (it
 * must not quietly fall back every time), while formulas and rich text send it back to ExcelJS.
 */
import fc from 'fast-check';
import { join } from 'node:path';
import { TABS, type TabId } from '../../../../core/sheet-contract';
import type { Grid } from '../../../../core/table';
import { createWorkbookSink } from '../../../../sync-service/sinks/workbook/workbook';
import { TAB_ORDER } from '../../../../core/sheet-layout';
import { readGrid } from '../../../../sync-service/xlsx/worksheet-grid';
import {
  readPlainWorkbook,
  sharedStrings,
  sharedStringsOf,
  sheetPartPaths,
} from '../../../../sync-service/sinks/workbook/workbook-read';
import { sheetGrid } from '../../../../sync-service/sinks/workbook/workbook-sheet-scan';
import { entryText, newEntry, readZip, writeZip } from '../../../../sync-service/xlsx/workbook-zip';
import { readFile, writeFile } from 'node:fs/promises';
import { changes, col, credit, creditsSheet, loadWorkbook } from './workbook-helpers';
import { withTempDir } from '../../../helpers/fixtures-io';

async function excelGrids(path: string): Promise<Record<TabId, Grid>> {
  const wb = await loadWorkbook(path);
  const out = {} as Record<TabId, Grid>;
  for (const tab of TAB_ORDER) out[tab] = readGrid(wb.getWorksheet(TABS[tab].name)!, TABS[tab].columns);
  return out;
}

// Text that stresses XML and the `_xHHHH_` escapes: entities, spaces at the ends, line breaks, control
// characters, astral characters, a literal escape sequence, leading = and '.
const textArb = fc
  .array(
    fc.constantFrom(
      'a',
      'Z',
      ' ',
      '&',
      '<',
      '>',
      '"',
      "'",
      '\n',
      '\t',
      '\u0001',
      '😀',
      'é',
      '_x0041_',
      '_x00e9_',
      '=',
      '0',
    ),
    { maxLength: 8 },
  )
  .map((cs) => cs.join(''));

/** Values staff type into their own column (Notes) in Excel: text, numbers, booleans, dates. */
const staffValueArb = fc.oneof(
  textArb,
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 }),
  fc.integer(),
  fc.boolean(),
  fc.date({ min: new Date('1990-01-01'), max: new Date('2090-01-01'), noInvalidDate: true }),
);

describe('readPlainWorkbook', () => {
  it('equals ExcelJS + readGrid on every tab, and is used for plain workbooks', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ description: textArb, notes: textArb, amount: fc.integer({ min: 1, max: 1e9 }) }),
          {
            minLength: 1,
            maxLength: 6,
          },
        ),
        fc.array(staffValueArb, { maxLength: 4 }),
        async (rows, staffValues) =>
          withTempDir(async (dir) => {
            const path = join(dir, 'credits.xlsx');
            const sink = createWorkbookSink({ path });
            await sink.read();
            await sink.write(
              changes({
                appends: rows.map((r, i) =>
                  credit(i, {
                    description: r.description,
                    notes: r.notes,
                    amount: r.amount / 100,
                    processingDate: i % 2 ? '2026-11-03' : '',
                    status: i % 3 === 0 ? 'PROCESSED' : 'ASSIGNED',
                  }),
                ),
              }),
            );
            if (staffValues.length) {
              const wb = await loadWorkbook(path);
              const ws = creditsSheet(wb);
              const notes = col(ws, 'Notes');
              staffValues.forEach((v, i) => (ws.getRow(2 + (i % rows.length)).getCell(notes).value = v));
              await wb.xlsx.writeFile(path);
            }
            const fast = await readPlainWorkbook(path);
            expect(fast).not.toBeNull();
            expect(fast).toEqual(await excelGrids(path));
          }),
      ),
      { numRuns: 25 },
    );
  }, 120_000);

  // Excel and other tools spell the same cells differently from ExcelJS: attributes in another order, spread
  // over lines, with extra attributes, values with character references. The byte reader takes the usual
  // spelling in place and sends the rest through its text reading; either way the grids must be ExcelJS's.
  it('reads cells spelled as other tools write them exactly as ExcelJS does', async () => {
    const spellingArb = fc.record({
      reorder: fc.boolean(),
      separator: fc.constantFrom(' ', '  ', '\n\t', '\r\n '),
      extraAttr: fc.boolean(),
      referencedDigits: fc.boolean(),
      emptyBody: fc.boolean(),
      inline: fc.boolean(),
      rowExtras: fc.boolean(),
    });
    await withTempDir(async (dir) => {
      const path = join(dir, 'credits.xlsx');
      const sink = createWorkbookSink({ path });
      await sink.read();
      await sink.write(
        changes({
          appends: [credit(1), credit(2, { status: 'PROCESSED', processingDate: '2026-11-03' }), credit(3)],
        }),
      );
      const original = await readFile(path);
      const entries = readZip(original);
      const workbookXml = entryText(entries.find((e) => e.name === 'xl/workbook.xml')!);
      const rels = entryText(entries.find((e) => e.name === 'xl/_rels/workbook.xml.rels')!);
      const creditsPart = sheetPartPaths(workbookXml, rels).get(TABS.credits.name)!;
      const creditsXml = entryText(entries.find((e) => e.name === creditsPart)!);
      const strings = sharedStrings(entryText(entries.find((e) => e.name === 'xl/sharedStrings.xml')!));
      await fc.assert(
        fc.asyncProperty(fc.array(spellingArb, { minLength: 1, maxLength: 8 }), async (spellings) => {
          let n = 0;
          const respell = (cell: string): string => {
            const sp = spellings[n++ % spellings.length];
            const m = /^<c((?:\s+[\w:]+="[^"]*")*)\s*(\/?)>([\s\S]*)$/.exec(cell);
            if (!m) return cell;
            let attrs = [...m[1].matchAll(/[\w:]+="[^"]*"/g)].map((a) => a[0]);
            if (sp.reorder) attrs = attrs.reverse();
            if (sp.extraAttr) attrs.push('cm="1"');
            let body = m[3];
            const shared = /^<v>(\d+)<\/v><\/c>$/.exec(body);
            const str = shared && attrs.includes('t="s"') ? strings[Number(shared[1])] : null;
            if (sp.inline && typeof str === 'string' && !/_x|\r|[<&]/.test(str)) {
              // As the patching writer writes new text.
              attrs = attrs.map((a) => (a === 't="s"' ? 't="inlineStr"' : a));
              body = `<is><t>${str}</t></is></c>`;
            }
            if (sp.referencedDigits)
              body = body.replace(/<v>(\d)/, (_x, d: string) => `<v>&#${d.charCodeAt(0)};`);
            const open = `<c${sp.separator}${attrs.join(sp.separator)}`;
            if (m[2]) return sp.emptyBody ? `${open}></c>` : `${open}/>`;
            return `${open}>${body}`;
          };
          const xml = creditsXml
            .replace(/<c\b[^>]*?(?:\/>|>[\s\S]*?<\/c>)/g, respell)
            .replace(/<row r="(\d+)"/g, (r) => (spellings[0].rowExtras ? `${r}\n  thickBot="0"` : r));
          const file = join(dir, 'respelled.xlsx');
          await writeFile(
            file,
            writeZip(
              await Promise.all(
                entries.map((e) =>
                  e.name === creditsPart ? newEntry(e.name, [Buffer.from(xml)], { like: e }) : e,
                ),
              ),
            ),
          );
          const fast = await readPlainWorkbook(file);
          expect(fast).not.toBeNull();
          expect(fast).toEqual(await excelGrids(file));
        }),
        { numRuns: 20 },
      );
    });
  }, 120_000);

  it('leaves formulas and rich text to ExcelJS (returns null), and the sink still reads them', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'credits.xlsx');
      const sink = createWorkbookSink({ path });
      await sink.read();
      await sink.write(changes({ appends: [credit(1), credit(2)] }));
      expect(await readPlainWorkbook(path)).not.toBeNull();
      for (const value of [
        { formula: 'A1&"x"', result: 'Credit IDx' },
        { richText: [{ text: 'bold', font: { bold: true } }, { text: ' plain' }] },
      ]) {
        const wb = await loadWorkbook(path);
        const ws = creditsSheet(wb);
        ws.getRow(2).getCell(col(ws, 'Notes')).value = value as never;
        await wb.xlsx.writeFile(path);
        expect(await readPlainWorkbook(path)).toBeNull();
        const snapshot = await createWorkbookSink({ path }).read();
        expect(snapshot.tabs).toEqual(await excelGrids(path));
      }
    });
  });

  // The scan looks for <mergeCells> only after the rows, where a worksheet holds it (workbook-sheet-scan.ts).
  it('leaves merged cells to ExcelJS (returns null)', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'credits.xlsx');
      const sink = createWorkbookSink({ path });
      await sink.read();
      await sink.write(changes({ appends: [credit(1), credit(2)] }));
      expect(await readPlainWorkbook(path)).not.toBeNull();
      const wb = await loadWorkbook(path);
      creditsSheet(wb).mergeCells('T2:U2');
      await wb.xlsx.writeFile(path);
      expect(await readPlainWorkbook(path)).toBeNull();
      expect((await createWorkbookSink({ path }).read()).tabs).toEqual(await excelGrids(path));
    });
  });
});

describe('shared strings read from bytes', () => {
  const item = fc.oneof(
    fc.constantFrom(
      '<si/>',
      '<si></si>',
      '<si><t/></si>',
      '<si><r><t>rich</t></r></si>',
      '<si><t>a</t><rPh><t>b</t></rPh></si>',
    ),
    fc
      .tuple(
        fc.constantFrom('<t>', '<t xml:space="preserve">', '<t  xml:space="preserve">'),
        fc.array(fc.constantFrom('a', ' ', 'é', '😀', '&amp;', '&lt;', '&#65;', '_x0041_', '_x000D_', '\n'), {
          maxLength: 6,
        }),
      )
      .map(([open, text]) => `<si>${open}${text.join('')}</t></si>`),
  );
  it('equals the text reading on any mix of plain, preserved, rich and empty items', () => {
    fc.assert(
      fc.property(fc.array(item, { maxLength: 12 }), (items) => {
        const xml = `<?xml version="1.0"?><sst count="${items.length}">${items.join('')}</sst>`;
        expect(sharedStringsOf(Buffer.from(xml))).toEqual(sharedStrings(xml));
      }),
      { numRuns: 500 },
    );
  });
});

describe('numbers read from bytes', () => {
  const sheetWith = (raw: string) =>
    Buffer.from(
      '<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row>' +
        `<row r="2"><c r="A2"><v>${raw}</v></c></row></sheetData></worksheet>`,
    );
  const read = (raw: string) =>
    sheetGrid(sheetWith(raw), { strings: ['N'], dateStyles: new Set(), date1904: false }, []).grid.rows[0][0];
  const digits = fc.stringMatching(/^[0-9]{0,20}$/);
  const numeral = fc.oneof(
    fc.tuple(fc.constantFrom('', '-', '+'), digits, fc.constantFrom('', '.'), digits).map((p) => p.join('')),
    fc.double({ noNaN: true }).map(String),
    fc.constantFrom('1e5', '-0', '0.1', '1.', '.5', '9007199254740993', '123456789012345.5', ' 7'),
  );
  it('equal parseFloat of the text, to the bit (the fast path included)', () => {
    fc.assert(
      fc.property(numeral, (raw) => {
        fc.pre(raw.trim() !== '' && !Number.isNaN(parseFloat(raw)));
        expect(Object.is(read(raw), parseFloat(raw))).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('inline strings read from bytes', () => {
  // A column whose values repeat row after row, as the patcher's appended rows have them: the reader hands back
  // the row above's string when the bytes repeat, and must never hand back a stale one.
  const value = fc.constantFrom('USD', 'EUR', 'USE', 'A&B', 'A&amp;B', 'é', 'éa', 'ab', 'ba', '😀');
  const escape = (t: string) => t.replace(/&(?!amp;)/g, '&amp;');
  it('gives every cell its own text, in every column, whatever repeats', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(value, value), { minLength: 1, maxLength: 30 }), (rows) => {
        const xml =
          '<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>' +
          rows
            .map(
              ([a, b], i) =>
                `<row r="${i + 2}"><c r="A${i + 2}" t="inlineStr"><is><t>${escape(a)}</t></is></c>` +
                `<c r="B${i + 2}" t="inlineStr"><is><t>${escape(b)}</t></is></c></row>`,
            )
            .join('') +
          '</sheetData></worksheet>';
        const ctx = { strings: ['A', 'B'], dateStyles: new Set<number>(), date1904: false };
        const { grid } = sheetGrid(Buffer.from(xml), ctx, []);
        const decoded = (t: string) => (t === '' ? null : t.replace(/&amp;/g, '&'));
        expect(grid.rows.map((r) => r.map((c) => (c === '' ? null : c)))).toEqual(
          rows.map(([a, b]) => [decoded(escape(a)), decoded(escape(b))]),
        );
      }),
      { numRuns: 500 },
    );
  });
});
