/**
 * The cells of a usage file in CloudBlue Connect's format, from a collection's journal. Pure: usage-files.ts
 * writes them (and usageXlsxMatches compares a file on disk with what they would write), whatever the columns;
 * emulators/connect-usage-file.ts checks them.
 *
 * Source for every rule here: https://connect.cloudblue.com/community/modules/usage_module/usage-file-format/
 * (and ../shared/reference/credits-domain.md §1.4, which summarises it):
 * - the file is XLSX; tabs are found by NAME, never by position;
 * - Connect processes only the `records` and `categories` tabs; the others (`general`, …) inform people;
 * - `general` is a table of `attribute_id` / `attribute_value` rows: report_name, report_note, report_id,
 *   report_start_time_utc, report_end_time_utc, usage_schema (TR, CR, PR or QT), currency (ISO 4217, one per
 *   file), product_id, marketplace_id, distribution_contract_id, …;
 * - `categories` defines the categories records use, at least one (category_id, category_name,
 *   category_description);
 * - timestamps are ISO 8601 in UTC, and only UTC.
 *
 * The usage schema is TR (tiered): a credit is an amount of money, not a quantity Connect should price (QT), and
 * it is passed on to two kinds of party. TR records carry a `tier`, so the customer's share (tier 0) and the
 * reseller's share (tier 1) of one credit are billed each to whom they belong; CR and PR report one cost or
 * price per record with no tier, which could only bill the whole credit one way.
 */
import { CONNECT_RECORD_PARAM } from '../../core/connect-trip';
import { formatMinor, toSheetNumber } from '../../core/money';
import type { UsageFile } from '../../core/usage';
import type { BilledRow } from '../../core/usage-billing';

export const USAGE_SCHEMA = 'TR';

/** The tabs we write, by name (Connect's names); `instructions` and `summary` are optional help tabs. */
export const TAB_GENERAL = 'general';
export const TAB_CATEGORIES = 'categories';
export const TAB_RECORDS = 'records';

export const GENERAL_HEADER = ['attribute_id', 'attribute_value'] as const;
export const CATEGORIES_HEADER = ['category_id', 'category_name', 'category_description'] as const;

/**
 * The records columns of the TR schema, in Connect's names (usage-file-format, records tab; the same names as
 * Connect's own usage-file templates). `amount` is the money of the record in the file's currency;
 * `quantity` is 1 (one credit passed on); the asset is found by its Connect ID (`asset.id`), the item by its
 * MPN (`item.mpn`); `record_note` carries the Credit ID so an invoice line traces back to its credit.
 */
export const RECORDS_HEADER = [
  'record_id',
  'record_note',
  'item_search_criteria',
  'item_search_value',
  'amount',
  'quantity',
  'start_time_utc',
  'end_time_utc',
  'asset_search_criteria',
  'asset_search_value',
  'category_id',
  'tier',
  // A parameter column: columns after `tier` become the record's `params` in Connect (cloudblue/connect-haxe-sdk
  // connect/models/UsageFile.hx createSpreadsheet), echoed back on every record, so each of Connect's records
  // maps to exactly one billed row (core/connect-trip.ts).
  CONNECT_RECORD_PARAM,
] as const;

export const CREDIT_CATEGORY = 'aws_credit';

export type RecordCells = Record<(typeof RECORDS_HEADER)[number], string | number>;

/** A month's bounds as Connect's UTC timestamps: 2026-10 → 2026-10-01T00:00:00Z … 2026-11-01T00:00:00Z. */
export function periodBounds(period: string): [string, string] {
  const [y, m] = period.split('-').map(Number);
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  return [`${period}-01T00:00:00Z`, `${next}-01T00:00:00Z`];
}

/** The file's one currency: the journal's, or (older journals) its records' when they agree. */
export function fileCurrency(file: UsageFile): string {
  if (file.currency) return file.currency;
  const all = [...new Set(file.records.map((r) => r.currency))];
  if (all.length !== 1)
    throw new Error(`usage file ${file.usageFileId} has records in ${all.join(', ')}: one currency per file`);
  return all[0];
}

/** The `general` tab's rows. */
export function generalRows(file: UsageFile, connect: NonNullable<UsageFile['connect']>): [string, string][] {
  const periods = file.records.map((r) => r.period).sort();
  const [start] = periodBounds(periods[0]);
  const [, end] = periodBounds(periods[periods.length - 1]);
  return [
    ['report_name', `AWS credits passed on${file.period ? ` for ${file.period}` : ''}`],
    ['report_note', `Credit Desk ${file.deskId ?? ''}, processing date ${file.processingDate}`.trim()],
    ['report_id', file.usageFileId],
    ['report_start_time_utc', start],
    ['report_end_time_utc', end],
    ['usage_schema', USAGE_SCHEMA],
    ['currency', fileCurrency(file)],
    ['product_id', connect.product],
    ['marketplace_id', connect.marketplace],
    ['distribution_contract_id', connect.contract],
  ];
}

export const CATEGORY_ROWS: [string, string, string][] = [
  [
    CREDIT_CATEGORY,
    'AWS credits',
    'AWS credits from the Cost and Usage Report passed on to a customer or reseller',
  ],
];

/**
 * One records row per billed share, in journal order: a credit's rows follow each other. One at a time: the usage
 * file is written and checked as a stream of rows (sync-service/xlsx/xlsx-stream.ts), never all of them at once.
 */
export function* recordRows(file: UsageFile, item: string): Generator<RecordCells> {
  const currency = fileCurrency(file);
  for (const r of file.records) {
    const [start, end] = periodBounds(r.period);
    yield* (r.billed ?? []).map((b: BilledRow) => ({
      record_id: b.recordId,
      record_note: `${r.creditId} ${b.role} ${b.targetId}: ${formatMinor(b.amount, currency)} of ${formatMinor(r.amount, currency)} ${currency} (${r.allocation})`,
      item_search_criteria: 'item.mpn',
      item_search_value: item,
      // A credit lowers the charge: billed negative, as the usage file always did.
      amount: toSheetNumber(-b.amount, currency),
      quantity: 1,
      start_time_utc: start,
      end_time_utc: end,
      asset_search_criteria: 'asset.id',
      asset_search_value: b.assetId,
      category_id: CREDIT_CATEGORY,
      tier: b.tier,
      [CONNECT_RECORD_PARAM]: b.recordId,
    }));
  }
}
