/**
 * What `credit-desk export` and the add-on's download produce: the scripting contract (JSON) and the rows of a
 * CSV. Amounts are decimal strings so no consumer ever sees a binary float.
 */
import type { AccountDirectory } from './accounts';
import { allocationJson } from './allocation';
import { resolveCreditAllocation } from './credit-allocation';
import type { Credit, CreditIdentity, UsageIds } from './credit';
import { formatMinor } from './money';
import { parseFlags } from './flags';
import { csvDecimal, type CsvCell } from './csv';
import { CREDIT_COLUMNS, CREDIT_IDENTITY_FIELDS, type CreditField } from './sheet-contract';
import { creditCell } from './table';

/** The JSON contract of one credit (docs/user-guide.md: `export --format json`): keep its field names and order stable. */
export interface CreditJson extends CreditIdentity, UsageIds {
  /** A decimal string in the currency's minor units, e.g. "1234.50". */
  amount: string;
  currency: string;
  status: string;
  allocations: { role: string; targetId: string; percent: string | null; amount: string }[];
  ruleId: string;
  /**
   * The words of the Flags cell, in the cell's order (`REVIEW_…` holds, UNMATCHED, NOT_COLLECTED, …): a script tells
   * held credits from others by them. Last, so the fields before it keep their places.
   */
  flags: string[];
}

export function creditToJson(c: Credit, directory: AccountDirectory): CreditJson {
  let allocations: CreditJson['allocations'] = [];
  if (c.allocation) {
    try {
      const resolved = resolveCreditAllocation(c, directory);
      allocations = allocationJson(resolved, c.currency);
    } catch {
      // An allocation typed by hand that no longer resolves is exported as unresolved (empty); the status says PENDING.
      allocations = [];
    }
  }
  // Copied in the identity list's order, so the JSON's keys keep the contract's order whatever Credit's is;
  // the other fields are added to that object, not spread into a new one (V8's slow path, 0.4 s at 50,000).
  const out = {} as CreditJson;
  for (const f of CREDIT_IDENTITY_FIELDS) out[f] = c[f];
  out.amount = formatMinor(c.amount, c.currency);
  out.currency = c.currency;
  out.status = c.status;
  out.allocations = allocations;
  out.ruleId = c.ruleId;
  out.usageFileId = c.usageFileId;
  out.usageRecordId = c.usageRecordId;
  out.processingDate = c.processingDate;
  out.flags = parseFlags(c.flags);
  return out;
}

/**
 * The visible Credits columns (not the hidden key), in contract order, for a CSV download. Money is written in
 * the currency's own decimals, the JSON contract's text (`732.60`, `1500` for JPY), never a float's `732.6`.
 */
export function exportTable(credits: Credit[]): { headers: string[]; rows: CsvCell[][] } {
  const cols = CREDIT_COLUMNS.filter((c) => !c.hidden);
  return {
    headers: cols.map((c) => c.header),
    rows: credits.map((cr) => cols.map((c) => exportCell(cr, c.field))),
  };
}

function exportCell(credit: Credit, field: CreditField): CsvCell {
  if (field === 'amount') return csvDecimal(formatMinor(credit.amount, credit.currency));
  if (field === 'distributorKeeps')
    return credit.distributorKeeps === null
      ? ''
      : csvDecimal(formatMinor(credit.distributorKeeps, credit.currency));
  return creditCell(credit, field);
}

/**
 * The export's JSON array, `JSON.stringify(items, null, 2) + '\n'`, as one text per item (the first with the
 * opening bracket, the others with the comma before them, then the closing bracket): the writer encodes them
 * one by one into a small reused buffer, and each item's objects are made just before it is written, so they die
 * young. `itemText` is the item's text as an element of the array, every line indented one level (creditJsonText).
 */
export function* jsonArrayTexts<T>(items: Iterable<T>, itemText: (item: T) => string): Generator<string> {
  let first = true;
  for (const item of items) {
    yield (first ? '[\n' : ',\n') + itemText(item);
    first = false;
  }
  yield first ? '[]\n' : '\n]\n';
}

/** A value as JSON.stringify(value, null, 2) writes it as an element of an array: every line indented one level. */
export function jsonElementText(value: unknown): string {
  const text = JSON.stringify(value, null, 2) as string | undefined; // undefined, a function: null in an array
  return '  ' + (text ?? 'null').replace(/\n/g, '\n  ');
}

/** A string JSON.stringify would write as it is between quotes (no quote, backslash, control or lone surrogate). */
// eslint-disable-next-line no-control-regex -- the control characters are what JSON must escape
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

const quoted = (s: string) => (NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`);

/** The CreditJson fields after `allocations`, in the contract's order (creditToJson's). */
const AFTER_ALLOCATIONS = ['ruleId', 'usageFileId', 'usageRecordId', 'processingDate'] as const;

/**
 * jsonElementText(json) for a credit's JSON made by creditToJson, written field by field: V8's JSON.stringify
 * with an indent took 0.5 s of a 50,000-credit export. The same text (test/core/export-json.test.ts); anything
 * not of the contract's types (a field that is not a string) goes through jsonElementText itself.
 */
export function creditJsonText(json: CreditJson): string {
  let out = '  {\n';
  for (const f of CREDIT_IDENTITY_FIELDS) {
    const v = json[f];
    if (typeof v !== 'string') return jsonElementText(json);
    out += `    "${f}": ${quoted(v)},\n`;
  }
  const { amount, currency, status, allocations } = json;
  if (typeof amount !== 'string' || typeof currency !== 'string' || typeof status !== 'string')
    return jsonElementText(json);
  out += `    "amount": ${quoted(amount)},\n    "currency": ${quoted(currency)},\n    "status": ${quoted(status)},\n`;
  if (!allocations.length) out += '    "allocations": [],\n';
  else {
    out += '    "allocations": [\n';
    for (let i = 0; i < allocations.length; i++) {
      const { role, targetId, percent, amount: share } = allocations[i];
      if (
        typeof role !== 'string' ||
        typeof targetId !== 'string' ||
        (percent !== null && typeof percent !== 'string') ||
        typeof share !== 'string'
      )
        return jsonElementText(json);
      out +=
        `      {\n        "role": ${quoted(role)},\n        "targetId": ${quoted(targetId)},\n` +
        `        "percent": ${percent === null ? 'null' : quoted(percent)},\n        "amount": ${quoted(share)}\n      }` +
        (i === allocations.length - 1 ? '\n' : ',\n');
    }
    out += '    ],\n';
  }
  for (const f of AFTER_ALLOCATIONS) {
    const v = json[f];
    if (typeof v !== 'string') return jsonElementText(json);
    out += `    "${f}": ${quoted(v)},\n`;
  }
  const { flags } = json;
  if (!Array.isArray(flags) || flags.some((f) => typeof f !== 'string')) return jsonElementText(json);
  out += flags.length
    ? `    "flags": [\n${flags.map((f) => `      ${quoted(f)}`).join(',\n')}\n    ]\n`
    : '    "flags": []\n';
  return out + '  }';
}
