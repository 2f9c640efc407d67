/**
 * The Summary part the patcher writes directly (workbook-summary-xml.ts) is the part ExcelJS writes when
 * renderWorkbookSummary draws the same layout — the way the patcher made it before: drawn in a one-tab ExcelJS
 * workbook, its style ids and strings moved into the real file (the reference below). For any layout (periods,
 * currencies of 0, 2 and 3 decimals, statuses, splits, usage files, flags), the two give the same XML (the data
 * bars' ids aside: ExcelJS draws random ones) and the same styles.xml.
 */
import fc from 'fast-check';
import ExcelJS from 'exceljs';
import { buildSummary } from '../../../../core/summary';
import { summaryLayout, type SummaryLayout } from '../../../../core/summary-layout';
import type { Credit } from '../../../../core/credit';
import { renderWorkbookSummary } from '../../../../sync-service/sinks/workbook/workbook-summary';
import { summarySheetXml } from '../../../../sync-service/sinks/workbook/workbook-summary-xml';
import { StylesEditor } from '../../../../sync-service/sinks/workbook/workbook-styles';
import { sharedStrings } from '../../../../sync-service/sinks/workbook/workbook-read';
import { createWorkbookSink } from '../../../../sync-service/sinks/workbook/workbook';
import { entryText, readZip } from '../../../../sync-service/xlsx/workbook-zip';
import { credit, directory } from '../../../helpers/domain';
import { withTempDir } from '../../../helpers/fixtures-io';
import { changes, credit as creditRow } from './workbook-helpers';
import { propertyRuns } from '../../../helpers/soak';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The strings of a real file, stateless: a text is shared or inline by its length (both kinds are drawn). */
const strings = {
  cell: (open: string, s: string) =>
    s.length % 2
      ? `${open} t="inlineStr"><is><t>${s.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</t></is></c>`
      : `${open} t="s"><v>${s.length}</v></c>`,
};

/** The patcher's Summary before workbook-summary-xml.ts: ExcelJS's drawing, moved into the real file. */
async function referenceXml(layout: SummaryLayout, styles: StylesEditor): Promise<string> {
  const wb = new ExcelJS.Workbook();
  await renderWorkbookSummary(wb, layout);
  const parts = new Map(
    readZip(Buffer.from(await wb.xlsx.writeBuffer({ zip: { compression: 'STORE' } }))).map((e) => [
      e.name,
      e,
    ]),
  );
  const sheetName = [...parts.keys()].find((n) => /^xl\/worksheets\/sheet\d+\.xml$/.test(n))!;
  const own = new StylesEditor(entryText(parts.get('xl/styles.xml')!));
  const ownStrings = sharedStrings(entryText(parts.get('xl/sharedStrings.xml')!));
  const styleMap = new Map<number, number>();
  const styleOf = (s: number): number => {
    let mapped = styleMap.get(s);
    if (mapped === undefined) {
      let xf = own.xf(s)!;
      xf = xf.replace(
        /\sfontId="(\d+)"/,
        (_m, f: string) => ` fontId="${styles.fontId(own.font(Number(f))!)}"`,
      );
      xf = xf.replace(/\snumFmtId="(\d+)"/, (_m, n: string) => {
        const id = Number(n);
        return ` numFmtId="${id < 164 ? id : styles.numFmtId(own.numFmtCode(id)!, undefined)}"`;
      });
      styleMap.set(s, (mapped = styles.xfId(xf)));
    }
    return mapped;
  };
  return entryText(parts.get(sheetName)!).replace(
    /<c\b([^>]*?)(\/>|>([\s\S]*?)<\/c>)/g,
    (_m, attrs: string, close: string, body?: string) => {
      const a = attrs.replace(/\ss="(\d+)"/, (_x, s: string) => ` s="${styleOf(Number(s))}"`);
      if (/\st="s"/.test(a) && body !== undefined) {
        const str = ownStrings[Number(/<v>(\d+)<\/v>/.exec(body)![1])] as string;
        return strings.cell(`<c${a.replace(/\st="s"/, '')}`, str);
      }
      return `<c${a}${close}`;
    },
  );
}

const GUID = /\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}/g;

const dir = directory([
  { accountId: '000123456789', customerId: 'CUST-1', resellerId: 'RES-1' },
  { accountId: '000123456790', customerId: 'CUST-2', resellerId: 'RES-2' },
]);

const creditArb = fc.record({
  period: fc.constantFrom('2026-08', '2026-09', '2026-10', '2026-11'),
  currency: fc.constantFrom('USD', 'JPY', 'KWD', 'EUR'),
  amount: fc.integer({ min: 0, max: 5_000_000 }),
  status: fc.constantFrom('PENDING_ASSIGN', 'ASSIGNED', 'PROCESSING', 'PROCESSED'),
  allocation: fc.constantFrom(
    '',
    'customer 100%',
    'customer 60%, reseller 40%',
    'reseller 33%',
    'customer 1.00',
  ),
  who: fc.integer({ min: 1, max: 2 }),
  file: fc.constantFrom('', 'UF-2026-11-0001', 'UF-2026-11-0002'),
  flags: fc.constantFrom('', 'UNKNOWN_ACCOUNT', 'REVIEW_AMOUNT_CHANGED'),
});

describe('the Summary part written directly', () => {
  let realStyles: string;
  beforeAll(async () => {
    // A real workbook's styles.xml (Credits formats, locks, dates), which the Summary's formats join.
    await withTempDir(async (d) => {
      const path = join(d, 'credits.xlsx');
      const sink = createWorkbookSink({ path });
      await sink.read();
      await sink.write(changes({ appends: [creditRow(1), creditRow(2, { status: 'PROCESSED' })] }));
      await sink.close();
      realStyles = entryText(readZip(await readFile(path)).find((e) => e.name === 'xl/styles.xml')!);
    });
  });

  it('is the part ExcelJS draws, moved into the real file, for any layout', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(creditArb, { maxLength: 40 }), async (drawn) => {
        const credits: Credit[] = drawn.map((c, i) =>
          credit({
            key: `k${i}`,
            creditId: `AWSC-${c.period.replace('-', '')}-0000-${String(i).padStart(4, '0')}`,
            period: c.period,
            currency: c.currency,
            amount: c.amount,
            status: c.status as Credit['status'],
            allocation: c.status === 'PENDING_ASSIGN' ? '' : c.allocation,
            accountId: c.who === 1 ? '000123456789' : '000123456790',
            customerId: `CUST-${c.who}`,
            resellerId: `RES-${c.who}`,
            usageFileId: c.status === 'PROCESSING' || c.status === 'PROCESSED' ? c.file : '',
            flags: c.flags,
          }),
        );
        const layout = summaryLayout(buildSummary(credits, { directory: dir, currentPeriod: '2026-11' }));
        const ours = new StylesEditor(realStyles);
        const theirs = new StylesEditor(realStyles);
        const direct = summarySheetXml(layout, ours, strings);
        const reference = await referenceXml(layout, theirs);
        expect(direct.replace(GUID, '{id}')).toBe(reference.replace(GUID, '{id}'));
        expect(ours.toXml()).toBe(theirs.toXml());
      }),
      propertyRuns(40, 200, 11),
    );
  }, 120_000);
});
