/**
 * What `credit-desk export` and the add-on's download produce: the scripting contract (JSON) and the rows of a
 * CSV. Amounts are decimal strings so no consumer ever sees a binary float.
 */
import type { AccountDirectory } from './accounts';
import { allocationJson } from './allocation';
import { resolveCreditAllocation } from './credit-allocation';
import type { Credit } from './credit';
import { formatMinor } from './money';
import type { Cell } from './table';
import { CREDIT_COLUMNS } from './sheet-contract';
import { creditCell } from './table';

export interface CreditJson {
  creditId: string;
  period: string;
  accountId: string;
  payerAccountId: string;
  customerId: string;
  assetId: string;
  resellerId: string;
  service: string;
  description: string;
  amount: string;
  currency: string;
  status: string;
  allocations: { role: string; targetId: string; percent: string | null; amount: string }[];
  ruleId: string;
  usageFileId: string;
  usageRecordId: string;
  processingDate: string;
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
  return {
    creditId: c.creditId,
    period: c.period,
    accountId: c.accountId,
    payerAccountId: c.payerAccountId,
    customerId: c.customerId,
    assetId: c.assetId,
    resellerId: c.resellerId,
    service: c.service,
    description: c.description,
    amount: formatMinor(c.amount, c.currency),
    currency: c.currency,
    status: c.status,
    allocations,
    ruleId: c.ruleId,
    usageFileId: c.usageFileId,
    usageRecordId: c.usageRecordId,
    processingDate: c.processingDate,
  };
}

/** The visible Credits columns (not the hidden key), in contract order, for a CSV download. */
export function exportTable(credits: Credit[]): { headers: string[]; rows: Cell[][] } {
  const cols = CREDIT_COLUMNS.filter((c) => !c.hidden);
  return {
    headers: cols.map((c) => c.header),
    rows: credits.map((cr) => cols.map((c) => creditCell(cr, c.field))),
  };
}
