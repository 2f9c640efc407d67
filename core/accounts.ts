/**
 * The Accounts tab: which customer, asset and reseller each AWS account belongs to.
 */
import { CreditDeskError } from './errors';
import { accountText } from './ids';
import { text, type Cell } from './table';
import type { AccountField } from './sheet-contract';

export interface Account {
  accountId: string;
  accountName: string;
  customerId: string;
  customerName: string;
  assetId: string;
  resellerId: string;
  resellerName: string;
}

export interface AccountDirectory {
  byAccount: ReadonlyMap<string, Account>;
  customers: ReadonlySet<string>;
  resellers: ReadonlySet<string>;
}

const ACCOUNT_ID = /^\d{12}$/;

/**
 * Builds the directory from records (the Accounts tab or an accounts file). `source` names where they came
 * from, so errors can point at the file and row. Duplicate accounts and malformed IDs are errors.
 */
export function buildDirectory(
  records: { row: number; record: Record<AccountField, Cell> }[],
  source: string,
): AccountDirectory {
  const byAccount = new Map<string, Account>();
  const firstRow = new Map<string, number>();
  const problems: string[] = [];
  for (const { row, record } of records) {
    const account: Account = {
      accountId: accountText(record.accountId),
      accountName: text(record.accountName),
      customerId: text(record.customerId),
      customerName: text(record.customerName),
      assetId: text(record.assetId),
      resellerId: text(record.resellerId),
      resellerName: text(record.resellerName),
    };
    if (!ACCOUNT_ID.test(account.accountId)) {
      problems.push(`row ${row}: AWS Account "${account.accountId}" is not a 12-digit account ID`);
      continue;
    }
    const seen = firstRow.get(account.accountId);
    if (seen !== undefined) {
      problems.push(`row ${row}: AWS Account ${account.accountId} is already listed on row ${seen}`);
      continue;
    }
    firstRow.set(account.accountId, row);
    byAccount.set(account.accountId, account);
  }
  if (problems.length) {
    throw new CreditDeskError(
      'BAD_ACCOUNTS',
      `${source}: ${problems.length} problem${problems.length > 1 ? 's' : ''}:\n    ${problems.slice(0, 20).join('\n    ')}${problems.length > 20 ? `\n    … and ${problems.length - 20} more` : ''}`,
      'Each AWS account must appear once, as 12 digits. Fix the rows above and run again.',
    );
  }
  const customers = new Set<string>();
  const resellers = new Set<string>();
  for (const a of byAccount.values()) {
    if (a.customerId) customers.add(a.customerId);
    if (a.resellerId) resellers.add(a.resellerId);
  }
  return { byAccount, customers, resellers };
}

export const EMPTY_DIRECTORY: AccountDirectory = {
  byAccount: new Map(),
  customers: new Set(),
  resellers: new Set(),
};
