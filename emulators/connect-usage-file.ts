/**
 * A stand-in for CloudBlue Connect's check of an uploaded usage file: the rules Connect documents, applied to an
 * .xlsx, each answering with what is wrong. The tests run every usage file Credit Desk writes through it.
 *
 * Sources (each rule below names its own):
 * [F] https://connect.cloudblue.com/community/modules/usage_module/usage-file-format/ (summarised in
 *     ../shared/reference/credits-domain.md §1.4)
 * [V] https://connect.cloudblue.com/community/modules/usage_module/vendor-portal/ ("the system processes only the
 *     records and categories tabs")
 * [A] ../shared/reference/connect-openapi30.yml, usage.UsageRecord (tier: integer ≥ 0; amount: number within
 *     ±10^16; params: [{parameter_name, parameter_value}]) and usage.UsageFileCreate (schema: tr, pr, qt, cr)
 * [H] cloudblue/connect-haxe-sdk at 6ce3095742d2, connect/models/UsageFile.hx, createSpreadsheet: the records
 *     columns end with `tier`, then one column per parameter name (`paramNames`, from the records' params), which
 *     Connect keeps as the record's `params` ([A]). (Older versions of that file wrote no tier and no params.)
 *
 * Not a model of Connect's whole validation (it also matches assets and items against the product and the
 * contract); `knownAssets` stands in for the asset check.
 */
import ExcelJS from 'exceljs';
import { isCurrencyCode, parseDecimal, sumMinor, type Minor } from '../core/money';

export interface UsageFileCheck {
  problems: string[];
  currency: string;
  schema: string;
  /** The general tab's attributes (product_id, distribution_contract_id, …), as written. */
  general: Record<string, string>;
  /** The records, as read: what a test compares with what it collected. */
  records: {
    recordId: string;
    note: string;
    assetId: string;
    tier: number;
    amount: Minor;
    categoryId: string;
    /** item_search_value, start_time_utc, end_time_utc as written. */
    item: string;
    start: string;
    end: string;
    /** [H] the columns after `tier`, by header: the record's parameters. */
    params: Record<string, string>;
  }[];
  /** The sum of the records' amounts, in minor units of the file's currency. */
  total: Minor;
}

const SCHEMAS = ['TR', 'CR', 'PR', 'QT']; // [F] general tab, usage_schema; [A] schema enum
// [F] general tab: the attributes a file must state; currency "conditional to the usage_schema" (not QT).
const REQUIRED_GENERAL = ['usage_schema', 'product_id', 'marketplace_id', 'distribution_contract_id'];
// [F]/[V] the records columns every schema needs, and those of money schemas (amount) and the tiered one (tier).
const REQUIRED_RECORD_COLUMNS = [
  'record_id',
  'item_search_criteria',
  'item_search_value',
  'start_time_utc',
  'end_time_utc',
  'asset_search_criteria',
  'asset_search_value',
  'category_id',
];
// [F] timestamps are ISO 8601 in UTC, and ONLY UTC.
const UTC_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z$/;
// [A] usage.UsageRecord.amount: minimum/maximum ±10^16.
const AMOUNT_LIMIT = 1e16;
// [F] the tier levels a tiered record may name: end customer (0), Tier 1 (1), Tier 2 (2).
const TIERS = [0, 1, 2];

function text(v: ExcelJS.CellValue | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object' && 'richText' in v) return v.richText.map((r) => r.text).join('');
  if (v instanceof Date) return v.toISOString();
  return String(v);
}

/** A tab as header → column and data rows (by NAME: [F] "systems must reference those tabs by names"). */
function table(wb: ExcelJS.Workbook, name: string): { header: string[]; rows: string[][] } | null {
  const ws = wb.getWorksheet(name);
  if (!ws) return null;
  const all: string[][] = [];
  ws.eachRow((row) => all.push((row.values as ExcelJS.CellValue[]).slice(1).map(text)));
  const [header = [], ...rows] = all;
  return { header, rows };
}

export async function checkUsageFile(
  bytes: Uint8Array,
  opts: { knownAssets?: ReadonlySet<string> } = {},
): Promise<UsageFileCheck> {
  const problems: string[] = [];
  const out: UsageFileCheck = { problems, currency: '', schema: '', general: {}, records: [], total: 0 };
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer); // [F] the file is XLSX
  } catch (e) {
    problems.push(`not an XLSX file: ${(e as Error).message}`);
    return out;
  }
  const general = table(wb, 'general');
  const categories = table(wb, 'categories');
  const records = table(wb, 'records');
  // [F] the file's tabs; [V] records and categories are the ones processed.
  if (!general) problems.push('no "general" tab');
  if (!categories) problems.push('no "categories" tab');
  if (!records) problems.push('no "records" tab');
  if (!general || !categories || !records) return out;

  // [F] general: attribute_id / attribute_value rows.
  if (general.header[0] !== 'attribute_id' || general.header[1] !== 'attribute_value')
    problems.push(
      `general tab header is ${JSON.stringify(general.header)}, not attribute_id, attribute_value`,
    );
  const attrs = new Map<string, string>();
  for (const [id, value] of general.rows) {
    if (attrs.has(id)) problems.push(`general tab states ${id} twice`);
    attrs.set(id, value ?? '');
  }
  for (const a of REQUIRED_GENERAL) if (!attrs.get(a)) problems.push(`general tab has no ${a}`);
  out.general = Object.fromEntries(attrs);
  out.schema = attrs.get('usage_schema') ?? '';
  if (!SCHEMAS.includes(out.schema))
    problems.push(`usage_schema "${out.schema}" is not one of ${SCHEMAS.join(', ')}`);
  out.currency = attrs.get('currency') ?? '';
  // [F] currency follows ISO 4217, one for the whole file; money schemas need it.
  if (out.schema !== 'QT' && !isCurrencyCode(out.currency))
    problems.push(`currency "${out.currency}" is not an ISO 4217 code`);
  for (const a of ['report_start_time_utc', 'report_end_time_utc'])
    if (attrs.has(a) && !UTC_TIMESTAMP.test(attrs.get(a)!))
      problems.push(`${a} "${attrs.get(a)}" is not ISO 8601 UTC`);

  // [F] categories: at least one, each with an ID.
  const catIdx = categories.header.indexOf('category_id');
  if (catIdx < 0) problems.push('categories tab has no category_id column');
  const categoryIds = new Set(categories.rows.map((r) => r[catIdx] ?? '').filter(Boolean));
  if (categoryIds.size === 0) problems.push('categories tab defines no category (at least one is required)');

  // [F]/[V] records: the columns of the schema.
  const need = [
    ...REQUIRED_RECORD_COLUMNS,
    ...(out.schema === 'QT' ? ['quantity'] : ['amount']),
    ...(out.schema === 'TR' ? ['tier'] : []),
  ];
  for (const c of need) if (!records.header.includes(c)) problems.push(`records tab has no ${c} column`);
  if (problems.length) return out;
  const col = (name: string) => records.header.indexOf(name);
  // [H] parameter columns follow `tier`; each needs a name, once.
  const paramNames = col('tier') >= 0 ? records.header.slice(col('tier') + 1) : [];
  paramNames.forEach((name, i) => {
    if (!name)
      problems.push(`records tab column ${col('tier') + i + 2} (a parameter after tier) has no name`);
    else if (paramNames.indexOf(name) !== i) problems.push(`records tab names parameter ${name} twice`);
  });
  if (problems.length) return out;
  const seen = new Set<string>();
  records.rows.forEach((row, i) => {
    const at = `records row ${i + 2}`;
    const cell = (name: string) => row[col(name)] ?? '';
    const recordId = cell('record_id');
    if (!recordId) problems.push(`${at}: no record_id`);
    else if (seen.has(recordId)) problems.push(`${at}: record_id ${recordId} is not unique in the file`);
    seen.add(recordId);
    for (const t of ['start_time_utc', 'end_time_utc'])
      if (!UTC_TIMESTAMP.test(cell(t))) problems.push(`${at}: ${t} "${cell(t)}" is not ISO 8601 UTC`);
    if (!cell('asset_search_criteria') || !cell('asset_search_value'))
      problems.push(`${at}: no asset to bill`);
    const assetId = cell('asset_search_value');
    if (opts.knownAssets && cell('asset_search_criteria') === 'asset.id' && !opts.knownAssets.has(assetId))
      problems.push(`${at}: asset ${assetId} is not a known asset`);
    if (!cell('item_search_criteria') || !cell('item_search_value')) problems.push(`${at}: no item`);
    const categoryId = cell('category_id');
    if (!categoryIds.has(categoryId))
      problems.push(`${at}: category_id "${categoryId}" is not in the categories tab`);
    let tier = 0;
    if (out.schema === 'TR') {
      tier = Number(cell('tier'));
      if (!TIERS.includes(tier)) problems.push(`${at}: tier "${cell('tier')}" is not 0, 1 or 2`);
    }
    let amount: Minor = 0;
    if (out.schema !== 'QT') {
      try {
        // Amounts parse exactly in the file's currency (no more decimals than it has).
        amount = parseDecimal(cell('amount'), out.currency);
        if (Math.abs(amount) >= AMOUNT_LIMIT)
          problems.push(`${at}: amount ${cell('amount')} is out of range`);
      } catch (e) {
        problems.push(
          `${at}: amount "${cell('amount')}" does not parse: ${(e as Error).message.split('\n')[0]}`,
        );
      }
    }
    const params = Object.fromEntries(paramNames.map((name, k) => [name, row[col('tier') + 1 + k] ?? '']));
    out.records.push({
      recordId,
      note: cell('record_note'),
      assetId,
      tier,
      amount,
      categoryId,
      item: cell('item_search_value'),
      start: cell('start_time_utc'),
      end: cell('end_time_utc'),
      params,
    });
  });
  out.total = sumMinor(out.records.map((r) => r.amount));
  return out;
}
