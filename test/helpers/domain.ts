/** Small builders for domain objects used across tests. */
import { buildDirectory, type AccountDirectory } from '../../core/accounts';
import type { Credit, CurCredit } from '../../core/credit';
import { creditKey } from '../../core/ids';
import type { LedgerEntry } from '../../core/ledger';

export const NOW = '2026-11-26T12:00:00.000Z';

export function directory(
  accounts: { accountId: string; customerId?: string; resellerId?: string; assetId?: string }[],
): AccountDirectory {
  return buildDirectory(
    accounts.map((a, i) => ({
      row: i + 2,
      record: {
        accountId: a.accountId,
        accountName: `Account ${a.accountId}`,
        customerId: a.customerId ?? '',
        customerName: '',
        assetId: a.assetId ?? '',
        resellerId: a.resellerId ?? '',
        resellerName: '',
      },
    })),
    'test accounts',
  );
}

export function cur(partial: Partial<CurCredit> = {}): CurCredit {
  return {
    period: '2026-10',
    payerAccountId: '111111111111',
    accountId: '222222222222',
    service: 'AmazonEC2',
    description: 'AWS Promotional Credit',
    currency: 'USD',
    amount: 10000,
    ...partial,
  };
}

export function credit(partial: Partial<Credit> = {}): Credit {
  const base = cur();
  const c: Credit = {
    key: '',
    creditId: 'AWSC-202610-0000-0001',
    period: base.period,
    accountId: base.accountId,
    payerAccountId: base.payerAccountId,
    customerId: 'CUST-1',
    assetId: 'AS-1',
    resellerId: 'RES-1',
    service: base.service,
    description: base.description,
    amount: base.amount,
    currency: 'USD',
    status: 'PENDING_ASSIGN',
    allocation: '',
    distributorKeeps: null,
    ruleId: '',
    usageFileId: '',
    usageRecordId: '',
    processingDate: '',
    flags: '',
    notes: '',
    lastChange: '',
    ...partial,
  };
  return { ...c, key: partial.key ?? creditKey(c) };
}

/** A collected credit as the Ledger records it: `credit()`'s, collected into one usage file, PROCESSING. */
export function ledgerEntry(partial: Partial<LedgerEntry> = {}): LedgerEntry {
  const {
    flags: _flags,
    notes: _notes,
    lastChange: _lastChange,
    ...c
  } = credit({
    key: 'k1-aaa',
    allocation: 'customer 100%',
    distributorKeeps: 0,
    ruleId: 'default',
    usageFileId: 'UF-2026-11-0001-0001',
    usageRecordId: 'UR-2026-11-0001-0001-00000',
    processingDate: '2026-11-27',
  });
  return {
    ...c,
    status: 'PROCESSING',
    collectedAt: '2026-11-27T00:00:00.000Z',
    closedAt: '',
    ...partial,
  };
}
