/**
 * Text round-trips exactly: random Unicode strings (control characters, lone surrogates, CR, CRLF, literal
 * `_xHHHH_` sequences) written once, then saved several more times by unrelated writes, read back equal — through
 * the workbook sink, and through the Google Sheets sink against the local Sheets v4 server.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import type { Cell, Grid } from '../../../../core/table';
import { importText } from '../../../../core/text';
import { createWorkbookSink } from '../../../../sync-service/sinks/workbook/workbook';
import type { Sink } from '../../../../sync-service/sinks/sink';
import { creditRow, makeSink, startServer } from '../google/sheets-helpers';
import { changes, record } from './workbook-helpers';
import { withTempDir } from '../../../helpers/fixtures-io';

const tricky = fc.string({
  unit: fc.constantFrom(
    '_',
    'x',
    'X',
    '0',
    '0',
    '4',
    '1',
    'D',
    'F',
    'f',
    'a',
    ' ',
    '\r',
    '\n',
    '\t',
    '\u0000',
    '\uD800',
    'é',
    '😀',
  ),
  maxLength: 24,
});
const anyText = fc.oneof(fc.string({ unit: 'binary', maxLength: 30 }), tricky);

function descriptions(grid: Grid, keys: string[]): Cell[] {
  return keys.map((k) => record(grid, k).Description ?? '');
}

/**
 * Writes the strings as descriptions, then makes `saves` unrelated writes (the notes of every other text's row and
 * of another: the patcher edits those rows and keeps their descriptions, and the rows between, as they are), then
 * writes the strings as the notes of their rows by an update; reads both back.
 */
async function roundTrip(sink: () => Sink, texts: string[], saves: number): Promise<Cell[]> {
  const keys = texts.map((_, i) => `key-${i}`);
  const first = sink();
  await first.read();
  await first.write(
    changes({
      appends: [...texts, 'other'].map((t, i) =>
        creditRow(i, { key: i < texts.length ? keys[i] : 'key-other', description: t }),
      ),
    }),
  );
  for (let n = 0; n < saves; n++) {
    const s = sink();
    await s.read();
    // Every other row: the rows between, kept as they are, travel with the edited ones.
    const edited = [...keys.filter((_, i) => i % 2 === n % 2), 'key-other'];
    await s.write(changes({ updates: edited.map((key) => ({ key, fields: { notes: `save ${n}` } })) }));
  }
  const last = sink();
  await last.read();
  await last.write(changes({ updates: keys.map((key, i) => ({ key, fields: { notes: texts[i] } })) }));
  const grid = (await sink().read()).tabs.credits;
  const notes = keys.map((k) => record(grid, k).Notes ?? '');
  expect(notes).toEqual(texts);
  return descriptions(grid, keys);
}

describe('text round-trips exactly (property)', () => {
  it('through the workbook, saved three more times by unrelated writes', () =>
    withTempDir(async (dir) => {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(anyText, { minLength: 1, maxLength: 30 }), async (texts) => {
          const path = join(dir, `credits-${run++}.xlsx`);
          const back = await roundTrip(() => createWorkbookSink({ path }), texts, 3);
          expect(back).toEqual(texts);
        }),
        { numRuns: 12 },
      );
    }));

  it('through the Google Sheets sink (local Sheets v4 server), text as the sync imports it', async () => {
    const server = await startServer();
    try {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(anyText, { minLength: 1, maxLength: 30 }), async (raw) => {
          // A fresh sheet per run: the rows of one run must not meet the next.
          if (run++ > 0) server.createSpreadsheet(`sheet-${run}`, ['Sheet1']);
          const texts = raw.map(importText);
          const back = await roundTrip(
            () => makeSink(server, run > 1 ? { spreadsheetId: `sheet-${run}` } : {}),
            texts,
            2,
          );
          expect(back).toEqual(texts);
        }),
        { numRuns: 8 },
      );
    } finally {
      await server.close();
    }
  });

  it('importText leaves a string unchanged once it has been applied (it is applied once, at import)', () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const once = importText(s);
        expect(importText(once)).toBe(once);
        // Nothing an .xlsx or a sheet cannot hold is left.
        // eslint-disable-next-line no-control-regex
        expect(once).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFE\uFFFF]/);
      }),
    );
  });
});
