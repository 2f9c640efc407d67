/**
 * The Summary tab as a grid: titled tables stacked down column A, the two chart tables to their right, and the
 * charts that read them. Both sinks draw this one layout (the workbook with data bars, the Google Sheet with
 * native charts) and `credit-desk report` prints the same tables, so the figures cannot differ between them.
 *
 * The layout depends only on the summary, so rebuilding it from the same credits gives the same cells: a run
 * that changes nothing rewrites nothing.
 */
import { displayMoney, formatMinor, toSheetNumber, type Minor } from './money';
import { STATUSES } from './status';
import { curDifference, mainCurrency, topResellers, type Summary } from './summary';
import { maxOf } from './arrays';

/** A money cell keeps its currency so each medium can format it (number + format, or a decimal string). */
export interface MoneyCell {
  money: Minor;
  currency: string;
}
export type SummaryCell = string | number | MoneyCell | null;

export function isMoneyCell(c: SummaryCell): c is MoneyCell {
  return typeof c === 'object' && c !== null;
}

export interface SummaryTable {
  id: 'periods' | 'parties' | 'usage-files' | 'stale' | 'flags' | 'chart-status' | 'chart-resellers';
  title: string;
  headers: string[];
  rows: SummaryCell[][];
  /** Column (index in headers) drawn as data bars in the workbook. */
  bar?: number;
  /** 0-based sheet row of the title; the header row follows, then the data rows. */
  top: number;
  /** 0-based sheet column of the first column. */
  left: number;
}

export interface ChartPlan {
  /** Stable: charts are matched to the ones already in the sheet by this title. */
  title: string;
  subtitle: string;
  type: 'COLUMN' | 'BAR';
  stacked: boolean;
  /** The table whose first column is the domain and the other columns the series (header row included). */
  table: SummaryTable['id'];
  /** 0-based anchor cell. */
  anchor: { row: number; col: number };
}

export interface SummaryLayout {
  tables: SummaryTable[];
  charts: ChartPlan[];
  rowCount: number;
  colCount: number;
}

export const SUMMARY_CHART_STATUS = 'Amount by period and status';
export const SUMMARY_CHART_RESELLERS = 'Top resellers';

const m = (money: Minor, currency: string): MoneyCell => ({ money, currency });

/** The tables of a summary, without positions (the report prints them in this order). */
export function summaryTables(s: Summary): Omit<SummaryTable, 'top' | 'left'>[] {
  const cur = mainCurrency(s);
  const chartPeriods = s.periods
    .filter((p) => p.currency === cur)
    .sort((a, b) => a.period.localeCompare(b.period));
  return [
    {
      id: 'periods',
      title: 'Credits by period and status',
      // AWS bill: whether AWS has finalised the period (core/aws-bill.ts), on each row so a filter keeps it.
      headers: ['Period', 'Currency', 'Status', 'Credits', 'Amount', 'CUR (this sync)', 'Check', 'AWS bill'],
      bar: 4,
      rows: s.periods.flatMap((p) => [
        ...STATUSES.map((st): SummaryCell[] => [
          p.period,
          p.currency,
          st,
          p.byStatus[st].credits,
          m(p.byStatus[st].amount, p.currency),
          null,
          null,
          p.awsBill,
        ]),
        [
          p.period,
          p.currency,
          'Total',
          p.credits,
          m(p.amount, p.currency),
          p.cur === null ? null : m(p.cur, p.currency),
          p.cur === null ? 'not read by this run' : curDifference(p) === 0 ? 'reconciled' : 'DIFFERS',
          p.awsBill,
        ],
      ]),
    },
    {
      id: 'parties',
      title: 'Passed on, from the allocation lines (ASSIGNED, PROCESSING, PROCESSED)',
      headers: ['Period', 'Currency', 'Role', 'ID', 'Name', 'Credits', 'Amount'],
      bar: 6,
      rows: s.parties.map((p) => [
        p.period,
        p.currency,
        p.role,
        p.targetId,
        p.name,
        p.credits,
        m(p.amount, p.currency),
      ]),
    },
    {
      id: 'usage-files',
      title: 'What each usage file carried',
      headers: [
        'Usage File',
        'Status',
        'Currency',
        'Credits',
        'Amount',
        'Customers',
        'Resellers',
        'Distributor',
        'Periods',
      ],
      bar: 4,
      rows: s.usageFiles.map((f) => [
        f.usageFileId,
        f.status,
        f.currency,
        f.credits,
        m(f.amount, f.currency),
        m(f.customer, f.currency),
        m(f.reseller, f.currency),
        m(f.distributor, f.currency),
        f.periods.join(' '),
      ]),
    },
    {
      id: 'stale',
      title: `Unassigned for more than one period (before ${s.asOf ? previousLabel(s.asOf) : ''})`,
      headers: ['Period', 'Currency', 'Credits', 'Amount'],
      bar: 3,
      rows: s.staleUnassigned.map((t) => [t.period, t.currency, t.credits, m(t.amount, t.currency)]),
    },
    {
      id: 'flags',
      title: 'Flags to review',
      headers: ['Flag', 'Period', 'Currency', 'Credits', 'Amount'],
      rows: s.flags.map((f) => [f.flag, f.period, f.currency, f.credits, m(f.amount, f.currency)]),
    },
    {
      id: 'chart-status',
      title: `Chart data: amount by period and status (${cur})`,
      headers: ['Period', ...STATUSES],
      rows: chartPeriods.map((p) => [p.period, ...STATUSES.map((st) => m(p.byStatus[st].amount, cur))]),
    },
    {
      id: 'chart-resellers',
      title: `Chart data: top resellers (${cur})`,
      headers: ['Reseller', 'Amount'],
      bar: 1,
      rows: topResellers(s, cur).map((r) => [r.name ? `${r.id} ${r.name}` : r.id, m(r.amount, cur)]),
    },
  ];
}

function previousLabel(asOf: string): string {
  const [y, mo] = asOf.split('-').map(Number);
  const d = new Date(Date.UTC(y, mo - 2, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** Column where the chart tables start (J), and where the charts sit (Q). */
const CHART_TABLE_COL = 10;
const CHART_COL = 14;

export function summaryLayout(s: Summary): SummaryLayout {
  const tables: SummaryTable[] = [];
  let leftRow = 2; // rows 0-1: the tab's heading
  let rightRow = 2;
  for (const t of summaryTables(s)) {
    const right = t.id.startsWith('chart-');
    const top = right ? rightRow : leftRow;
    // Title, header, rows (at least one, so an empty table still has its place), a blank row.
    const height = 2 + Math.max(t.rows.length, 1) + 1;
    tables.push({ ...t, top, left: right ? CHART_TABLE_COL : 0 });
    if (right) rightRow += height;
    else leftRow += height;
  }
  const cur = mainCurrency(s);
  const charts: ChartPlan[] = [
    {
      title: SUMMARY_CHART_STATUS,
      subtitle: cur,
      type: 'COLUMN',
      stacked: true,
      table: 'chart-status',
      anchor: { row: 2, col: CHART_COL },
    },
    {
      title: SUMMARY_CHART_RESELLERS,
      subtitle: cur,
      type: 'BAR',
      stacked: false,
      table: 'chart-resellers',
      anchor: { row: 24, col: CHART_COL },
    },
  ];
  const widths = tables.map((t) => t.left + t.headers.length);
  return {
    tables,
    charts,
    rowCount: Math.max(leftRow, rightRow, 46),
    colCount: maxOf([...widths, CHART_COL + 8]),
  };
}

export const SUMMARY_HEADING =
  'Summary — rebuilt by credit-desk on every sync and usage run; edits here are overwritten. Amounts by currency.';

/** The layout as plain rows of cells (row 0 = heading), for media that take a grid. */
export function summaryGrid(layout: SummaryLayout): SummaryCell[][] {
  const grid: SummaryCell[][] = Array.from({ length: layout.rowCount }, () =>
    new Array<SummaryCell>(layout.colCount).fill(null),
  );
  grid[0][0] = SUMMARY_HEADING;
  for (const t of layout.tables) {
    grid[t.top][t.left] = t.title;
    t.headers.forEach((h, j) => (grid[t.top + 1][t.left + j] = h));
    if (t.rows.length === 0) grid[t.top + 2][t.left] = '(none)';
    t.rows.forEach((r, i) => r.forEach((c, j) => (grid[t.top + 2 + i][t.left + j] = c)));
  }
  return grid;
}

/** A Summary cell as a sheet holds it: text as it is, money as a number in its currency's precision. */
export type SheetValue = string | number | null;

export function sheetValue(c: SummaryCell): SheetValue {
  return isMoneyCell(c) ? toSheetNumber(c.money, c.currency) : c;
}

/** A cell as plain text for the terminal or CSV: money as a decimal string in its currency's precision. */
export function cellText(c: SummaryCell, display = false): string {
  if (c === null) return '';
  if (isMoneyCell(c))
    return display
      ? displayMoney(c.money, c.currency).replace(` ${c.currency}`, '')
      : formatMinor(c.money, c.currency);
  return String(c);
}
