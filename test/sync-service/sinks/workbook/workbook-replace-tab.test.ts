/**
 * The reasons a replaced staff tab is left to the whole write (workbook-replace-tab.ts); that a replacement it
 * takes reads back as the whole write's is checked in workbook-patch.property.test.ts.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createWorkbookSink } from '../../../../sync-service/sinks/workbook/workbook';
import {
  MAX_REPLACED_CELLS,
  replaceTabRows,
} from '../../../../sync-service/sinks/workbook/workbook-replace-tab';
import { StylesEditor } from '../../../../sync-service/sinks/workbook/workbook-styles';
import { readPlainWorkbook } from '../../../../sync-service/sinks/workbook/workbook-read';
import { entryBytes, entryText, readZip } from '../../../../sync-service/xlsx/workbook-zip';
import type { Grid } from '../../../../core/table';
import { withTempDir } from '../../../helpers/fixtures-io';
import { changes, credit } from './workbook-helpers';

/** Inline text, numbers as they are: enough to see which cells are written. */
const cells = {
  cell: (ref: string, value: unknown, s: number | undefined) =>
    value === null
      ? `<c r="${ref}" s="${s}"/>`
      : `<c r="${ref}"${s === undefined ? '' : ` s="${s}"`}><v>${String(value)}</v></c>`,
};

async function configPart() {
  return withTempDir(async (tmp) => {
    const path = join(tmp, 'credits.xlsx');
    const sink = createWorkbookSink({ path });
    await sink.read();
    await sink.write(changes({ appends: [credit(1)] }));
    await sink.close();
    const entries = readZip(await readFile(path));
    return {
      xml: entryBytes(entries.find((e) => e.name === 'xl/worksheets/sheet4.xml')!),
      styles: entryText(entries.find((e) => e.name === 'xl/styles.xml')!),
      config: (await readPlainWorkbook(path))!.config,
    };
  });
}

function replace(xml: Buffer, config: Grid, grid: Grid, styles: string, rels = false) {
  return replaceTabRows(xml, 'config', grid, config.headers, new StylesEditor(styles), cells, rels);
}

describe('replacing a staff tab in place', () => {
  it('rewrites the rows and the dimension when the tab only gains rows', async () => {
    const { xml, styles, config } = await configPart();
    const grid = { headers: config.headers, rows: [...config.rows, ['aws.bill.2024-05', 'final', '']] };
    const out = replace(xml, config, grid, styles);
    if (!('pieces' in out)) throw new Error(out.reason);
    const text = Buffer.concat(out.pieces).toString('utf8');
    const last = config.rows.length + 2;
    expect(text).toContain(`<dimension ref="A1:C${last}"/>`);
    expect(text).toContain(
      `<row r="${last}"><c r="A${last}"><v>aws.bill.2024-05</v></c><c r="B${last}"><v>final</v></c></row>`,
    );
    expect(text.match(/<row /g)).toHaveLength(last);
  });

  it('gives the reason the whole write must do it', async () => {
    const { xml, styles, config } = await configPart();
    const same = { headers: config.headers, rows: config.rows };
    const reason = (x: Buffer, grid: Grid = same, rels = false) => {
      const out = replace(x, config, grid, styles, rels);
      return 'reason' in out ? out.reason : null;
    };
    expect(reason(xml)).toBeNull();
    expect(reason(xml, same, true)).toBe('the Config tab has relationships (comments, drawings or tables)');
    const withMerge = Buffer.from(
      xml
        .toString('utf8')
        .replace('</sheetData>', '</sheetData><mergeCells count="1"><mergeCell ref="A2:B2"/></mergeCells>'),
    );
    expect(reason(withMerge)).toBe('the Config tab holds <mergeCells>');
    expect(reason(xml, { headers: [...config.headers, 'Mine'], rows: config.rows })).toBe(
      "the Config tab's headers change",
    );
    expect(reason(xml, { headers: config.headers, rows: config.rows.slice(1) })).toMatch(
      /^the Config tab has a value the new rows leave blank \(A\d+\)$/,
    );
    const big = Array.from({ length: Math.ceil(MAX_REPLACED_CELLS / 3) }, (_, i) => [`s${i}`, 'v', '']);
    expect(reason(xml, { headers: config.headers, rows: [...config.rows, ...big] })).toMatch(
      /^the Config tab is too big to patch/,
    );
    const styled = Buffer.from(xml.toString('utf8').replace(/<c r="A2"/, '<c r="A2" s="1"'));
    expect(reason(styled)).toBe('the Config tab has a styled cell (A2)');
  });
});
