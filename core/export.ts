/**
 * What `credit-desk export` and the add-on's download produce: the scripting contract (JSON) and the rows of a
 * CSV. Amounts are decimal strings so no consumer ever sees a binary float.
 */
import type { AccountDirectory } from './accounts';
import { allocationJson } from './allocation';
import { resolveCreditAllocation } from './credit-allocation';
import type { Credit, CreditIdentity, UsageIds } from './credit';
import { formatMinor } from './money';
import type { Cell } from './table';
import { CREDIT_COLUMNS, CREDIT_IDENTITY_FIELDS } from './sheet-contract';
import { creditCell } from './table';

/** The JSON contract of one credit (README: `export --format json`): keep its field names and order stable. */
export interface CreditJson extends CreditIdentity, UsageIds {
  /** A decimal string in the currency's minor units, e.g. "1234.50". */
  amount: string;
  currency: string;
  status: string;
  allocations: { role: string; targetId: string; percent: string | null; amount: string }[];
  ruleId: string;
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
  return out;
}

/** The visible Credits columns (not the hidden key), in contract order, for a CSV download. */
export function exportTable(credits: Credit[]): { headers: string[]; rows: Cell[][] } {
  const cols = CREDIT_COLUMNS.filter((c) => !c.hidden);
  return {
    headers: cols.map((c) => c.header),
    rows: credits.map((cr) => cols.map((c) => creditCell(cr, c.field))),
  };
}

/**
 * `JSON.stringify(items.map(toJson), null, 2) + '\n'`, in pieces of `perPiece` items, so a 50,000-credit export is
 * written piece by piece instead of as one 44 MB string (88 MB in memory once a description holds a non-Latin-1
 * character) and one 44 MB buffer: the same text when joined. Each piece's objects are made just before it is
 * written, so they die young (cheap for the garbage collector) instead of all 50,000 living to the end. Each
 * piece is JSON.stringify of its slice with the brackets taken off: the items inside are already indented as the
 * whole array would indent them.
 */
export function jsonPieces<T>(
  items: readonly T[],
  toJson: (item: T) => unknown = (item) => item,
  perPiece = 1000,
): string[] {
  if (!items.length) return ['[]\n'];
  const pieces: string[] = [];
  for (let from = 0; from < items.length; from += perPiece) {
    const slice = items.slice(from, from + perPiece).map(toJson);
    const inner = JSON.stringify(slice, null, 2).slice(2, -2); // without '[\n' and '\n]'
    const last = from + perPiece >= items.length;
    pieces.push((from === 0 ? '[\n' : '') + inner + (last ? '\n]\n' : ',\n'));
  }
  return pieces;
}
