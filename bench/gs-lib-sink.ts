/**
 * The comparison sink for the big bench: the same Sink contract done with the `google-spreadsheet` library's
 * ordinary calls, so `credit-desk sync` can run unchanged on top of it and the two differ only in how they
 * talk to the Sheets API. Read: loadInfo, a missing tab added with its headers, then each tab's cells
 * (getCellsInRange, one request per tab — Audit too: the library has no way to read only some columns).
 * Write: new rows with addRows (one append per tab; RAW, INSERT_ROWS), a changed row with row.save() (one
 * request per row, as the library's row API works), a replaced tab with clearRows + addRows.
 *
 * What the real sink also does and this one does not, so the comparison favours the library: the layout
 * (frozen header, filter, Status dropdown, formats, hidden Key), protected ranges for locked rows, the writer
 * lock, compare-and-set on staff edits, the Summary tab and its charts. Row repairs and archiving are not
 * part of a sync of a new month and are refused.
 */
import { TABS, type TabId } from '../core/sheet-contract';
import type { Cell, Grid } from '../core/table';
import type { Sink } from '../sync-service/sinks/sink';
import type { ChangeSet, Snapshot, WriteReport } from '../core/sheet-changes';

type Lib = typeof import('google-spreadsheet', { with: { 'resolution-mode': 'import' } });
type Doc = InstanceType<Lib['GoogleSpreadsheet']>;
type Sheet = InstanceType<Lib['GoogleSpreadsheetWorksheet']>;

const TAB_IDS = Object.keys(TABS) as TabId[];

function columnLetter(n: number): string {
  let s = '';
  for (let i = n; i > 0; i = Math.floor((i - 1) / 26)) s = String.fromCharCode(65 + ((i - 1) % 26)) + s;
  return s;
}

const asValue = (v: Cell | undefined): string | number | boolean => (v === null || v === undefined ? '' : v);

export async function createGoogleSpreadsheetLibSink(rootUrl: string, spreadsheetId: string): Promise<Sink> {
  const { GoogleSpreadsheet } = await import('google-spreadsheet'); // an ES module
  const doc: Doc = new GoogleSpreadsheet(spreadsheetId, { token: 'bench-token' });
  // The library has Google's URL built in; point its HTTP client (ky) at the local server instead.
  const local = doc.sheetsApi.extend({ prefixUrl: `${rootUrl}v4/spreadsheets/${spreadsheetId}` });
  (doc as unknown as { sheetsApi: typeof local }).sheetsApi = local;
  const sheets = new Map<TabId, Sheet>();
  const headers = new Map<TabId, string[]>();

  const sheetOf = (tab: TabId) => {
    const sheet = sheets.get(tab);
    if (!sheet) throw new Error(`read() first: no ${TABS[tab].name} tab`);
    return sheet;
  };
  /** Rows in the order of the tab's header row as read (staff may have reordered columns). */
  const asRows = (tab: TabId, records: Record<string, Cell>[]) => {
    const fields = headers
      .get(tab)!
      .map((h) => TABS[tab].columns.find((c) => c.header.toLowerCase() === h.trim().toLowerCase())?.field);
    return records.map((r) => fields.map((f) => (f ? asValue(r[f]) : '')));
  };

  return {
    label: `google-spreadsheet ${spreadsheetId}`,

    async read(): Promise<Snapshot> {
      await doc.loadInfo();
      const created: TabId[] = [];
      const tabs = {} as Record<TabId, Grid>;
      for (const tab of TAB_IDS) {
        const names = TABS[tab].columns.map((c) => c.header);
        let sheet = doc.sheetsByTitle[TABS[tab].name];
        if (!sheet) {
          sheet = await doc.addSheet({ title: TABS[tab].name, headerValues: names });
          created.push(tab);
        }
        sheets.set(tab, sheet);
        const values = ((await sheet.getCellsInRange(
          `A1:${columnLetter(Math.max(sheet.columnCount, names.length))}`,
          {
            valueRenderOption: 'UNFORMATTED_VALUE',
          },
        )) ?? []) as Cell[][];
        const head = (values[0] ?? names).map((h) => String(h ?? ''));
        headers.set(tab, head);
        tabs[tab] = {
          headers: head,
          rows: values.slice(1).map((r) => head.map((_, i) => (r[i] ?? null) as Cell)),
        };
      }
      return { tabs, created };
    },

    async write(changes: ChangeSet): Promise<WriteReport> {
      if (changes.rowRepairs?.length || changes.remove) {
        throw new Error('the google-spreadsheet bench sink does not repair or remove rows');
      }
      for (const [tab, grid] of Object.entries(changes.replaceTabs ?? {}) as [TabId, Grid][]) {
        const sheet = sheetOf(tab);
        await sheet.clearRows();
        // Columns placed under the sheet's own headers, as the sink places them.
        const at = headers
          .get(tab)!
          .map((h) => grid.headers.findIndex((g) => g.trim().toLowerCase() === h.trim().toLowerCase()));
        const rows = grid.rows.map((r) => at.map((i) => (i < 0 ? '' : asValue(r[i]))));
        if (rows.length) await sheet.addRows(rows, { raw: true, insert: true });
      }
      const append = async (tab: TabId, records: Record<string, Cell>[]) => {
        if (records.length) await sheetOf(tab).addRows(asRows(tab, records), { raw: true, insert: true });
      };
      const update = async (tab: TabId, byRow: { row: number; fields: Record<string, Cell> }[]) => {
        if (!byRow.length) return;
        const rows = await sheetOf(tab).getRows();
        const header = (f: string) => TABS[tab].columns.find((c) => c.field === f)!.header;
        for (const u of byRow) {
          const row = rows[u.row];
          row.assign(Object.fromEntries(Object.entries(u.fields).map(([f, v]) => [header(f), asValue(v)])));
          await row.save({ raw: true });
        }
      };
      if (changes.ledger) {
        await append('ledger', changes.ledger.appends);
      }
      // Rows found by Key, as the sink does (the library's rows are in sheet order; a read row number could be stale).
      const byKey = async (
        tab: 'credits' | 'ledger',
        updates: { key: string; fields: Record<string, Cell> }[],
      ) => {
        if (!updates.length) return;
        const keyHeader = TABS[tab].columns.find((c) => c.field === 'key')!.header;
        const keyAt = new Map((await sheetOf(tab).getRows()).map((r, i) => [String(r.get(keyHeader)), i]));
        await update(
          tab,
          updates.map((u) => ({ row: keyAt.get(u.key) ?? -1, fields: u.fields })),
        );
      };
      await byKey('ledger', changes.ledger?.updates ?? []);
      await byKey('credits', changes.updates);
      await append('credits', changes.appends);
      await append('audit', changes.audit);
      return {
        updatedRows: changes.updates.length,
        appendedRows: changes.appends.length,
        lockedRows: 0,
        skipped: [],
      };
    },

    async close() {},
  };
}
