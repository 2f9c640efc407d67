/**
 * Whether AWS has finalised a billing period, and the one place the sheet records it: a Config row per period,
 * `AWS bill 2026-10` = `final` / `estimated` / `unknown`, written by the sync, read by `usage collect`, shown by
 * the Summary. A credit billed on an estimated month's amount is billed wrong when AWS changes it, so collect
 * takes only credits of final months unless told otherwise (core/collect-check.ts).
 *
 * AWS's signal is the invoice ID: "Until the report is final, the InvoiceId is blank" (CUR 2.0 `bill_invoice_id`,
 * https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2-bill.html; legacy `bill/InvoiceId`, the
 * same sentence in the legacy data dictionary; ../shared/reference/credits-domain.md, "Invoice" and
 * "Finalization"). So a period is `final` when any of its lines carries one, `estimated` when the CUR has the
 * column and none does, and `unknown` when the CUR has no such column at all (a FOCUS 1.0 export never has: FOCUS
 * adds InvoiceId only in 1.2): treated as not final (the stricter reading), and said plainly.
 *
 * The record is in Config, not in the Summary tab, because every command rebuilds the Summary from the sheet
 * while only the sync reads the CUR: a fact kept in the Summary would be lost by the next `assign`.
 */
import type { RawCurRow } from './cur';
import type { ConfigField } from './sheet-contract';
import { indexColumns, text, type Grid } from './table';

export type AwsBill = 'final' | 'estimated' | 'unknown';

/** The Config setting of a period: `AWS bill 2026-10`. */
export function awsBillSetting(period: string): string {
  return `AWS bill ${period}`;
}

const SETTING = /^aws bill (\d{4}-(?:0[1-9]|1[0-2]))$/;

const NOTES: Record<AwsBill, string> = {
  final:
    'Written by sync: lines of this month carry an invoice ID, so AWS has finalised it; usage collect takes its credits.',
  estimated:
    'Written by sync: no line of this month carries an invoice ID yet (AWS fills it in when the bill is final); usage collect skips its credits until a sync reads the final CUR.',
  unknown:
    'Written by sync: this CUR has no invoice ID column (bill_invoice_id, bill/InvoiceId), so whether AWS finalised the month cannot be told; usage collect skips its credits.',
};

/**
 * The state of one period from its credits-query rows (credits-query.ts `invoiced_lines`, the period's count on
 * every row). Null when there are no rows: a month without credits has nothing to collect, so nothing to record.
 */
export function awsBillOfRows(rows: readonly Pick<RawCurRow, 'invoiced_lines'>[]): AwsBill | null {
  if (!rows.length) return null;
  let known = false;
  for (const r of rows) {
    const v = r.invoiced_lines;
    if (v === null || v === undefined || String(v).trim() === '') continue;
    known = true;
    if (Number(v) > 0) return 'final';
  }
  return known ? 'estimated' : 'unknown';
}

/**
 * What the Config tab records per period, as written (trimmed, lower-cased: `final`, `estimated`, `unknown`, or
 * whatever a person typed over it). The first row of a period counts, as for every other setting.
 */
export function readAwsBills(config: Grid): Map<string, string> {
  const out = new Map<string, string>();
  if (!config.rows.length) return out;
  const idx = indexColumns<ConfigField>('config', config.headers);
  for (const row of config.rows) {
    const m = SETTING.exec(text(row[idx.setting]).replace(/\s+/g, ' ').trim().toLowerCase());
    if (m && !out.has(m[1])) out.set(m[1], text(row[idx.value]).trim().toLowerCase());
  }
  return out;
}

/**
 * The Config tab with each period's row set to what the CUR said (added in period order when missing), every
 * other row kept as it is; null when it already says exactly that, so a re-sync of a final month writes nothing.
 */
export function withAwsBills(config: Grid, bills: readonly { period: string; bill: AwsBill }[]): Grid | null {
  const idx = indexColumns<ConfigField>('config', config.headers);
  const rows = config.rows.map((r) => [...r]);
  let changed = false;
  for (const { period, bill } of [...bills].sort((a, b) => a.period.localeCompare(b.period))) {
    const want = awsBillSetting(period).toLowerCase();
    const at = rows.findIndex((r) => text(r[idx.setting]).replace(/\s+/g, ' ').trim().toLowerCase() === want);
    const row = at >= 0 ? rows[at] : new Array(config.headers.length).fill('');
    if (at >= 0 && text(row[idx.value]) === bill && text(row[idx.notes]) === NOTES[bill]) continue;
    row[idx.setting] = awsBillSetting(period);
    row[idx.value] = bill;
    row[idx.notes] = NOTES[bill];
    if (at < 0) rows.push(row);
    changed = true;
  }
  return changed ? { headers: config.headers, rows } : null;
}

/** What the Summary shows for a period: the recorded state, or that no sync recorded one. */
export function awsBillLabel(recorded: string | undefined): string {
  return recorded === undefined || recorded === '' ? 'not recorded' : recorded;
}

/**
 * Why `usage collect` skips the credits of a period that is not recorded `final`, and what to do. Null when
 * it is final.
 */
export function notFinalReason(period: string, recorded: string | undefined): string | null {
  if (recorded === 'final') return null;
  const or = 'or collect them as they are with ./credit-desk usage collect --allow-estimated';
  if (recorded === 'estimated')
    return `AWS has not finalised ${period} (no invoice ID in the CUR yet): its amounts may still change. Wait for the final CUR and run ./credit-desk sync --period ${period}, ${or}.`;
  if (recorded === 'unknown')
    return `whether AWS has finalised ${period} is unknown: the CUR the sync read has no invoice ID column (bill_invoice_id, or bill/InvoiceId in a legacy CUR; a FOCUS 1.0 export has none). Sync ${period} again from a CUR 2.0 or legacy CUR export that includes it, ${or}.`;
  if (recorded === undefined || recorded === '')
    return `no sync has recorded whether AWS has finalised ${period} (the Config tab has no "${awsBillSetting(period)}" row). Run ./credit-desk sync --period ${period}, ${or}.`;
  return `the Config tab's "${awsBillSetting(period)}" row says "${recorded}", not final (it is written by the sync). Run ./credit-desk sync --period ${period} to record what the CUR says, ${or}.`;
}
