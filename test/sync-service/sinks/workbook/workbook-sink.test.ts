import { readDeskId } from '../../../../core/desk-id';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { CreditDeskError } from '../../../../core/errors';
import { CONFIG_DEFAULTS, headersOf } from '../../../../core/sheet-contract';
import { writeFileAtomically } from '../../../../sync-service/files/atomic-file';
import { createWorkbookSink } from '../../../../sync-service/sinks/workbook/workbook';
import {
  changes,
  col,
  credit,
  creditsSheet,
  loadWorkbook,
  protectionOf,
  record,
  rowOfKey,
} from './workbook-helpers';
import { withTempDir } from '../../../helpers/fixtures-io';

describe('workbook sink: a new workbook', () => {
  it('starts with the five contract tabs, Config defaults and the seed, before anything is saved', () =>
    withTempDir(async (dir) => {
      const path = join(dir, 'credits.xlsx');
      const seed = {
        accounts: {
          headers: ['Account Name', 'AWS Account', 'Region'],
          rows: [['Acme', '000111222333', 'eu']],
        },
      };
      const snapshot = await createWorkbookSink({ path, seed }).read();

      expect(snapshot.tabs.credits).toEqual({ headers: headersOf('credits'), rows: [] });
      expect(snapshot.tabs.audit.headers).toEqual(headersOf('audit'));
      expect(snapshot.tabs.config.rows.slice(0, -1)).toEqual(
        CONFIG_DEFAULTS.map((d) => [d.setting, d.value, d.notes]),
      );
      expect(readDeskId(snapshot.tabs.config)).toMatch(/^CD-/); // the new sheet's own ID (core/desk-id.ts)
      expect(snapshot.tabs.accounts.headers).toEqual([...headersOf('accounts'), 'Region']);
      const accounts = snapshot.tabs.accounts;
      const at = (h: string) => accounts.rows[0][accounts.headers.indexOf(h)];
      expect([at('AWS Account'), at('Account Name'), at('Region'), at('Customer ID')]).toEqual([
        '000111222333',
        'Acme',
        'eu',
        '',
      ]);
      await expect(readdir(dir)).resolves.toEqual([]); // reading never writes
    }));

  it('saves a formatted Credits tab: frozen bold header, filter, status dropdown, hidden key, number and date formats', () =>
    withTempDir(async (dir) => {
      const path = join(dir, 'credits.xlsx');
      const sink = createWorkbookSink({ path });
      await sink.read();
      const report = await sink.write(
        changes({
          appends: [
            credit(1),
            credit(2, {
              currency: 'JPY',
              amount: 1500,
              status: 'PROCESSED',
              processingDate: '2024-06-03',
              distributorKeeps: 300,
            }),
            credit(3, { currency: 'KWD', amount: 1.234 }),
          ],
        }),
      );
      expect(report).toEqual({ updatedRows: 0, appendedRows: 3, lockedRows: 1, skipped: [] });

      const wb = await loadWorkbook(path);
      expect(wb.worksheets.map((w) => w.name)).toEqual([
        'Credits',
        'Accounts',
        'Rules',
        'Config',
        'Audit',
        'Ledger',
      ]);
      expect(wb.getWorksheet('Ledger')!.state).toBe('hidden');
      const ws = creditsSheet(wb);
      expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
      expect(ws.getRow(1).getCell(1).font?.bold).toBe(true);
      expect(ws.autoFilter).toBe('A1:V4');
      expect(ws.getColumn(col(ws, 'Key')).hidden).toBe(true);
      expect(ws.getColumn(col(ws, 'Description')).width).toBe(48);
      for (const r of [2, 3, 4]) {
        expect(ws.getRow(r).getCell(col(ws, 'Status')).dataValidation).toMatchObject({
          type: 'list',
          formulae: ['"PENDING_ASSIGN,ASSIGNED,PROCESSING,PROCESSED"'],
          showErrorMessage: true,
        });
      }
      expect(ws.getRow(5).getCell(col(ws, 'Status')).dataValidation).toBeUndefined();
      const amount = col(ws, 'Amount');
      expect(ws.getRow(2).getCell(amount).numFmt).toBe('#,##0.00');
      expect(ws.getRow(3).getCell(amount).numFmt).toBe('#,##0');
      expect(ws.getRow(4).getCell(amount).numFmt).toBe('#,##0.000');
      expect(ws.getRow(3).getCell(col(ws, 'Distributor Keeps')).numFmt).toBe('#,##0');
      const date = ws.getRow(3).getCell(col(ws, 'Processing Date'));
      expect(date.value).toEqual(new Date(Date.UTC(2024, 5, 3)));
      expect(date.numFmt).toBe('yyyy-mm-dd');
      expect(ws.getRow(2).getCell(col(ws, 'Last Change')).value).toBe('2024-06-01T10:00:00.000Z');
      expect(ws.getRow(2).getCell(col(ws, 'AWS Account')).value).toBe('000123456789');

      const again = await createWorkbookSink({ path }).read();
      expect(record(again.tabs.credits, 'key-2')).toMatchObject({
        'Processing Date': '2024-06-03',
        Amount: 1500,
        Currency: 'JPY',
      });
      expect(record(again.tabs.credits, 'key-3').Amount).toBe(1.234);
    }));
});

/** The Audit entry of a sync adding credit 3. */
const ADD_CR3 = {
  when: '2024-06-02T08:00:00.000Z',
  who: 'sync',
  action: 'add',
  creditId: 'CR-3',
  field: '',
  before: '',
  after: '',
};

describe('workbook sink: updates by key', () => {
  async function seeded(dir: string, n = 3) {
    const path = join(dir, 'credits.xlsx');
    const sink = createWorkbookSink({ path });
    await sink.read();
    await sink.write(changes({ appends: Array.from({ length: n }, (_, i) => credit(i + 1)) }));
    return path;
  }

  /** A person edits the saved file (as Excel would), between our runs or between our read and write. */
  async function personEdits(path: string, edit: (ws: ExcelJS.Worksheet) => void) {
    const wb = await loadWorkbook(path);
    edit(creditsSheet(wb));
    await wb.xlsx.writeFile(path);
  }

  it('writes only the named fields; staff notes and a staff-added column survive', () =>
    withTempDir(async (dir) => {
      const path = await seeded(dir);
      await personEdits(path, (ws) => {
        ws.getRow(3).getCell(col(ws, 'Notes')).value = 'call the reseller';
        ws.getRow(1).getCell(23).value = 'Owner';
        ws.getRow(3).getCell(23).value = 'Dana';
      });
      const sink = createWorkbookSink({ path });
      const before = await sink.read();
      const report = await sink.write(
        changes({
          updates: [
            {
              key: 'key-2',
              fields: { status: 'ASSIGNED', allocation: 'customer 100%', ruleId: 'manual' },
            },
          ],
        }),
      );
      expect(report.updatedRows).toBe(1);

      const after = await createWorkbookSink({ path }).read();
      expect(after.tabs.credits.headers).toEqual([...headersOf('credits'), 'Owner']);
      expect(record(after.tabs.credits, 'key-2')).toEqual({
        ...record(before.tabs.credits, 'key-2'),
        Status: 'ASSIGNED',
        Allocation: 'customer 100%',
        Rule: 'manual',
      });
      expect(record(after.tabs.credits, 'key-2')).toMatchObject({
        Notes: 'call the reseller',
        Owner: 'Dana',
      });
      expect(record(after.tabs.credits, 'key-1')).toEqual(record(before.tabs.credits, 'key-1'));
      expect(record(after.tabs.credits, 'key-3')).toEqual(record(before.tabs.credits, 'key-3'));
    }));

  it('follows a row a person moved between our read and our write, and keeps their edit', () =>
    withTempDir(async (dir) => {
      const path = await seeded(dir, 4);
      const sink = createWorkbookSink({ path });
      const snapshot = await sink.read();
      const readRow = snapshot.tabs.credits.rows.findIndex((r) => r.includes('key-1'));
      expect(readRow).toBe(0);
      await personEdits(path, (ws) => {
        // Sort descending by hand: key-4 first, key-1 last; and leave a note on key-3.
        const values = [2, 3, 4, 5].map((r) => ws.getRow(r).values);
        [5, 4, 3, 2].forEach((r, i) => (ws.getRow(r).values = values[i] as ExcelJS.CellValue[]));
        ws.getRow(rowOfKey(ws, 'key-3')).getCell(col(ws, 'Notes')).value = 'moved';
      });
      await sink.write(
        changes({
          updates: [{ key: 'key-1', fields: { status: 'ASSIGNED', allocation: 'customer 100%' } }],
        }),
      );

      const ws = creditsSheet(await loadWorkbook(path));
      expect(rowOfKey(ws, 'key-1')).toBe(5);
      expect(ws.getRow(5).getCell(col(ws, 'Status')).value).toBe('ASSIGNED');
      expect(ws.getRow(2).getCell(col(ws, 'Status')).value).toBe('PENDING_ASSIGN'); // key-4, where key-1 was
      expect(ws.getRow(rowOfKey(ws, 'key-3')).getCell(col(ws, 'Notes')).value).toBe('moved');
    }));

  it('skips a new credit someone else added after our read, patched as written whole: their row is kept, never doubled', () =>
    withTempDir(async (dir) => {
      for (const patch of [true, false]) {
        const path = join(dir, `book-${patch}.xlsx`);
        await writeFile(path, await readFile(await seeded(dir, 2)));
        const sink = createWorkbookSink({ path, patch });
        await sink.read();
        // Another writer (no lock: Excel, or a run without it) adds the same credit first, its own way.
        const other = createWorkbookSink({ path });
        await other.read();
        await other.write(changes({ appends: [credit(3, { notes: 'theirs' })] }));
        const report = await sink.write(changes({ appends: [credit(3), credit(4)], audit: [ADD_CR3] }));
        expect(report.appendedRows).toBe(1);
        expect(report.skipped).toEqual([
          {
            key: 'key-3',
            creditId: 'CR-3',
            why: 'added',
            reason: expect.stringContaining('added to the Credits tab by someone else'),
          },
        ]);
        const { tabs } = await createWorkbookSink({ path }).read();
        const keyAt = tabs.credits.headers.indexOf('Key');
        expect(tabs.credits.rows.map((r) => r[keyAt])).toEqual(['key-1', 'key-2', 'key-3', 'key-4']);
        expect(record(tabs.credits, 'key-3').Notes).toBe('theirs');
        expect(tabs.audit.rows).toEqual([]); // the skipped credit's Audit entry goes with it
      }
    }));

  it('skips an update for a key that is gone and says so; the file is left as it was', () =>
    withTempDir(async (dir) => {
      const path = await seeded(dir);
      const bytes = await readFile(path);
      const sink = createWorkbookSink({ path });
      await sink.read();
      const report = await sink.write(
        changes({ updates: [{ key: 'key-9', creditId: 'CR-9', fields: { status: 'ASSIGNED' } }] }),
      );
      expect(report.skipped).toEqual([
        { key: 'key-9', creditId: 'CR-9', why: 'gone', reason: expect.stringContaining('gone') },
      ]);
      expect(await readFile(path)).toEqual(bytes);
    }));

  it('appends new rows after the last row and audit rows to the Audit tab', () =>
    withTempDir(async (dir) => {
      const path = await seeded(dir, 2);
      const sink = createWorkbookSink({ path });
      await sink.read();
      await sink.write(changes({ appends: [credit(3)], audit: [ADD_CR3] }));
      const snapshot = await createWorkbookSink({ path }).read();
      expect(snapshot.tabs.credits.rows.map((r) => r[snapshot.tabs.credits.headers.indexOf('Key')])).toEqual([
        'key-1',
        'key-2',
        'key-3',
      ]);
      expect(snapshot.tabs.audit.rows).toEqual([
        ['2024-06-02T08:00:00.000Z', 'sync', 'add', 'CR-3', '', '', ''],
      ]);
    }));
});

describe('workbook sink: locked rows', () => {
  it('locks PROCESSING / PROCESSED rows (including one that became PROCESSING in this write) and leaves the rest editable', () =>
    withTempDir(async (dir) => {
      const path = join(dir, 'credits.xlsx');
      const first = createWorkbookSink({ path });
      await first.read();
      await first.write(
        changes({
          appends: [
            credit(1, { status: 'PROCESSED' }),
            credit(2, { status: 'ASSIGNED' }),
            credit(3, { status: 'ASSIGNED' }),
          ],
        }),
      );
      const second = createWorkbookSink({ path });
      await second.read();
      const report = await second.write(
        changes({
          updates: [{ key: 'key-2', fields: { status: 'PROCESSING', usageFileId: 'UF-1' } }],
        }),
      );
      expect(report.lockedRows).toBe(2);

      const wb = await loadWorkbook(path);
      const ws = creditsSheet(wb);
      expect(protectionOf(ws)).toMatchObject({
        sheet: true,
        sort: true,
        autoFilter: true,
        formatColumns: true,
      });
      expect(protectionOf(ws)?.hashValue).toBeUndefined(); // no password, on purpose
      // Excel's default is locked, so a cell without `locked: false` is locked once the sheet is protected.
      const locked = (r: number, c: number) => [c, ws.getRow(r).getCell(c).protection?.locked !== false];
      const width = headersOf('credits').length;
      for (let c = 1; c <= width; c++) {
        expect(locked(2, c)).toEqual([c, true]); // PROCESSED
        expect(locked(3, c)).toEqual([c, true]); // became PROCESSING in this write
        expect(locked(4, c)).toEqual([c, false]); // ASSIGNED
        expect(locked(50, c)).toEqual([c, false]); // empty rows below stay open for input
      }
      expect(locked(1, 1)).toEqual([1, true]); // headers cannot be renamed by accident
      expect(protectionOf(wb.getWorksheet('Audit')!)).toMatchObject({ sheet: true });
      for (const name of ['Accounts', 'Rules', 'Config'])
        expect(protectionOf(wb.getWorksheet(name)!) ?? null).toBeNull();
    }));
});

describe('workbook sink: text stays text', () => {
  it('writes formula-like strings and account IDs as strings, never formulas', () =>
    withTempDir(async (dir) => {
      const path = join(dir, 'credits.xlsx');
      const tricky = ['=HYPERLINK("http://evil.example","click")', '+1+2', '-3', '@SUM(A1:A2)', '=1+1'];
      const sink = createWorkbookSink({ path });
      await sink.read();
      await sink.write(
        changes({
          appends: tricky.map((d, i) => credit(i, { description: d, notes: d, accountId: '000000000042' })),
        }),
      );

      const ws = creditsSheet(await loadWorkbook(path));
      tricky.forEach((d, i) => {
        const cell = ws.getRow(i + 2).getCell(col(ws, 'Description'));
        expect(cell.type).toBe(ExcelJS.ValueType.String);
        expect(cell.formula).toBeUndefined();
        expect(cell.value).toBe(d);
        expect(ws.getRow(i + 2).getCell(col(ws, 'AWS Account')).value).toBe('000000000042');
      });
      const snapshot = await createWorkbookSink({ path }).read();
      expect(tricky.map((_, i) => record(snapshot.tabs.credits, `key-${i}`).Description)).toEqual(tricky);
    }));

  it('round-trips Unicode, control characters, OOXML escapes and a 50,000-character description through our read', () =>
    withTempDir(async (dir) => {
      const path = join(dir, 'credits.xlsx');
      const long = 'Crédit ✓ '.repeat(5556).slice(0, 50_000); // over Excel's 32,767 display limit: kept in full on purpose
      const texts = [
        '日本語 עברית 😀 e\u0301',
        'tab\there\nline\u0001\u001f\uFFFF',
        '_x0041_ stays literal _X00e9_',
        '  padded  ',
        long,
      ];
      const messages: string[] = [];
      const sink = createWorkbookSink({ path, onProgress: (m) => messages.push(m) });
      await sink.read();
      await sink.write(changes({ appends: texts.map((t, i) => credit(i, { description: t })) }));
      expect(messages).toContainEqual(
        expect.stringMatching(/^warning: 1 cell\(s\) are longer than Excel's 32,767-character limit/),
      );
      const snapshot = await createWorkbookSink({ path }).read();
      expect(texts.map((_, i) => record(snapshot.tabs.credits, `key-${i}`).Description)).toEqual(texts);
    }));
});

describe('workbook sink: reading what people leave in a workbook', () => {
  it('adds missing tabs and headers at the end, keeps staff columns, and normalises cells', () =>
    withTempDir(async (dir) => {
      const path = join(dir, 'credits.xlsx');
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet('Credits');
      const headers = headersOf('credits').filter((h) => h !== 'Notes');
      ws.addRow([...headers, 'Team', 'Ticket']);
      const row = ws.addRow(
        headers.map((h) => (h === 'Key' ? 'k1' : h === 'Amount' ? 12.5 : h === 'Status' ? 'ASSIGNED' : '')),
      );
      row.getCell(headers.indexOf('Description') + 1).value = {
        richText: [{ text: 'rich ' }, { text: 'text', font: { bold: true } }],
      };
      row.getCell(headers.length + 2).value = {
        text: 'ticket',
        hyperlink: 'https://example.com/t/1',
      };
      row.getCell(headers.indexOf('Distributor Keeps') + 1).value = { formula: 'J2*0.1', result: 1.25 };
      row.getCell(headers.indexOf('Processing Date') + 1).value = new Date(Date.UTC(2024, 6, 9));
      row.getCell(headers.indexOf('Last Change') + 1).value = new Date(Date.UTC(2024, 6, 9, 13, 5, 0));
      row.getCell(headers.length + 1).value = true;
      await wb.xlsx.writeFile(path);

      const snapshot = await createWorkbookSink({ path }).read();
      expect(snapshot.tabs.credits.headers).toEqual([...headers, 'Team', 'Ticket', 'Notes']);
      expect(record(snapshot.tabs.credits, 'k1')).toMatchObject({
        Description: 'rich text',
        Ticket: 'ticket',
        Notes: '',
        'Distributor Keeps': 1.25,
        'Processing Date': '2024-07-09',
        'Last Change': '2024-07-09T13:05:00.000Z',
        Team: true,
        Amount: 12.5,
      });
      expect(Object.keys(snapshot.tabs)).toEqual([
        'credits',
        'accounts',
        'rules',
        'config',
        'audit',
        'ledger',
      ]);
      expect(snapshot.tabs.rules.headers).toEqual(headersOf('rules'));
    }));

  it('refuses a Credits tab with rows but no Flags column (a hold flag would read as blank), and writes nothing', () =>
    withTempDir(async (dir) => {
      const path = join(dir, 'credits.xlsx');
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet('Credits');
      const headers = headersOf('credits').map((h) => (h === 'Flags' ? 'Flags (old)' : h));
      ws.addRow(headers);
      ws.addRow(headers.map((h) => (h === 'Key' ? 'k1' : h === 'Flags (old)' ? 'REVIEW_NOT_POSITIVE' : '')));
      await wb.xlsx.writeFile(path);
      const before = readFileSync(path);
      await expect(createWorkbookSink({ path }).read()).rejects.toMatchObject({
        code: 'BAD_SHEET',
        message: expect.stringContaining('no "Flags" column'),
        hint: expect.stringContaining('rename "Flags (old)" back to "Flags"'),
      });
      expect(readFileSync(path).equals(before)).toBe(true);
    }));

  it('refuses a Credits tab with rows but no Key column', () =>
    withTempDir(async (dir) => {
      const path = join(dir, 'credits.xlsx');
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet('Credits');
      ws.addRow(headersOf('credits').filter((h) => h !== 'Key'));
      ws.addRow(['CR-1', '2024-05']);
      await wb.xlsx.writeFile(path);
      await expect(createWorkbookSink({ path }).read()).rejects.toMatchObject({
        code: 'BAD_SHEET',
        message: expect.stringContaining('"Key"'),
      });
    }));

  it('refuses duplicate keys, naming the rows', () =>
    withTempDir(async (dir) => {
      const path = join(dir, 'credits.xlsx');
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet('Credits');
      const headers = headersOf('credits');
      ws.addRow(headers);
      for (const key of ['a', 'b', 'a']) ws.addRow(headers.map((h) => (h === 'Key' ? key : '')));
      await wb.xlsx.writeFile(path);
      const read = createWorkbookSink({ path }).read();
      await expect(read).rejects.toThrow(CreditDeskError);
      await expect(createWorkbookSink({ path }).read()).rejects.toThrow(/rows 2 and 4 \(Key a\)/);
    }));
});

describe('workbook sink: the file is never damaged', () => {
  it.each([
    ['not a zip', () => Buffer.from('this is not a workbook at all')],
    ['a truncated workbook', async (good: Buffer) => good.subarray(0, Math.floor(good.length / 2))],
  ])('a corrupted file (%s) gives a clear error and stays byte-identical', (_name, corrupt) =>
    withTempDir(async (dir) => {
      const path = join(dir, 'credits.xlsx');
      const sink = createWorkbookSink({ path });
      await sink.read();
      await sink.write(changes({ appends: [credit(1)] }));
      const bad = await corrupt(await readFile(path));
      await writeFile(path, bad);

      const error = await createWorkbookSink({ path })
        .read()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CreditDeskError);
      expect((error as Error).message).toMatch(/^credits\.xlsx is not a readable workbook \(.+\)\./);
      expect((error as Error).message).toContain(
        'It was not changed; restore it from the backup credits.xlsx.bak or move it away to start fresh.',
      );
      expect(await readFile(path)).toEqual(bad);
    }),
  );

  it('a save that fails half-way (disk full) keeps the previous file and leaves no temp file', () =>
    withTempDir(async (dir) => {
      const path = join(dir, 'credits.xlsx');
      const first = createWorkbookSink({ path });
      await first.read();
      await first.write(changes({ appends: [credit(1)] }));
      const before = await readFile(path);

      const diskFull = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      const failing = createWorkbookSink({
        path,
        saveFile: (target, bytes) =>
          writeFileAtomically(target, bytes, {
            backupPath: `${target}.bak`,
            writeTemp: async (file, data) => {
              await file.write(data.subarray(0, data.length >> 1));
              throw diskFull;
            },
          }),
      });
      await failing.read();
      const write = failing.write(changes({ appends: [credit(2)] }));
      await expect(write).rejects.toMatchObject({
        code: 'BAD_SHEET',
        message: expect.stringContaining('the disk is full'),
      });
      await expect(write).rejects.toThrow(/previous file was not changed/);

      expect(await readFile(path)).toEqual(before);
      expect(await readdir(dir)).toEqual(['credits.xlsx']); // no temp file, no half backup
    }));

  it('keeps the previous version as credits.xlsx.bak', () =>
    withTempDir(async (dir) => {
      const path = join(dir, 'credits.xlsx');
      const sink = createWorkbookSink({ path });
      await sink.read();
      await sink.write(changes({ appends: [credit(1)] }));
      const firstSave = await readFile(path);
      await sink.write(changes({ appends: [credit(2)] }));
      expect(await readFile(join(dir, 'credits.xlsx.bak'))).toEqual(firstSave);
      expect(await readdir(dir)).toHaveLength(2);
    }));

  it('refuses to save while Excel has the workbook open (its ~$ lock file exists)', () =>
    withTempDir(async (dir) => {
      const path = join(dir, 'credits.xlsx');
      const sink = createWorkbookSink({ path });
      await sink.read();
      await writeFile(join(dir, '~$credits.xlsx'), 'owner');
      await expect(sink.write(changes({ appends: [credit(1)] }))).rejects.toThrow(/open in Excel/);
      expect((await readdir(dir)).sort()).toEqual(['~$credits.xlsx']);
    }));

  it('two successive empty writes leave identical cell content, formats and protection', () =>
    withTempDir(async (dir) => {
      const path = join(dir, 'credits.xlsx');
      const sink = createWorkbookSink({ path });
      await sink.read();
      await sink.write(
        changes({
          appends: [
            credit(1, { status: 'PROCESSED', processingDate: '2024-06-03' }),
            credit(2, { currency: 'JPY', amount: 7 }),
          ],
        }),
      );

      const dump = async () => {
        const wb = await loadWorkbook(path);
        return wb.worksheets.map((ws) => {
          const cells: unknown[] = [ws.name, ws.autoFilter, protectionOf(ws), ws.views];
          ws.eachRow((row) =>
            row.eachCell((cell) =>
              cells.push([cell.address, cell.value, cell.numFmt, cell.protection, cell.dataValidation]),
            ),
          );
          return cells;
        });
      };
      await sink.write(changes());
      const once = await dump();
      await createWorkbookSink({ path }).read();
      await sink.write(changes());
      expect(await dump()).toEqual(once);
    }));
});

describe('workbook sink: a staff tab replaced by the whole-file writer', () => {
  // ExcelJS 4.4's spliceRows(1, rowCount) removes nothing, so the whole-file writer kept the old tab under the new
  // rows: a row the new grid no longer has, and a value it leaves blank, stayed. On Accounts that keeps a customer
  // an account was moved away from (credits billed to the wrong party); the patcher refuses such a replacement and
  // hands it to this writer, so this writer must leave nothing of the old tab.
  it('leaves only the new rows: fewer rows, and a cell cleared, come back as given', () =>
    withTempDir(async (dir) => {
      const path = join(dir, 'credits.xlsx');
      const headers = headersOf('accounts');
      const row = (account: string, customer: string) =>
        headers.map((h) =>
          h === 'AWS Account'
            ? account
            : h === 'Customer ID'
              ? customer
              : h === 'Account Name'
                ? `n${account}`
                : '',
        );
      const first = createWorkbookSink({ path });
      await first.read();
      await first.write(
        changes({
          replaceTabs: {
            accounts: {
              headers,
              rows: [
                row('111111111111', 'CUST-1'),
                row('222222222222', 'CUST-2'),
                row('333333333333', 'CUST-3'),
              ],
            },
          },
        }),
      );
      const second = createWorkbookSink({ path });
      await second.read();
      const wanted = { headers, rows: [row('111111111111', '')] };
      await second.write(changes({ replaceTabs: { accounts: wanted } }));
      const back = (await createWorkbookSink({ path }).read()).tabs.accounts;
      expect(back).toEqual(wanted);
    }));
});
