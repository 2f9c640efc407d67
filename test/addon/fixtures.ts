/** Shared fixtures for the add-on tests: a small directory, rules, and credits on a fake spreadsheet. */
import type { Account } from '../../core/accounts';
import type { Credit } from '../../core/credit';
import { installFakeAppsScript, type FakeAppsScript } from '../fakes/apps-script';
import type { FakeSheet, FakeSpreadsheet } from '../../emulators/spreadsheet-app';
import { addLedger, buildSpreadsheet, records, type RuleRow } from '../fakes/sheet-builder';
import { credit } from '../helpers/domain';

export const ACCOUNTS: Account[] = [
  {
    accountId: '111111111111',
    accountName: 'Acme prod',
    customerId: 'CUST-1',
    customerName: 'Acme',
    assetId: 'AS-1',
    resellerId: 'RES-1',
    resellerName: 'Resell One',
  },
  {
    accountId: '222222222222',
    accountName: 'Globex',
    customerId: 'CUST-2',
    customerName: 'Globex Corp',
    assetId: 'AS-2',
    resellerId: 'RES-2',
    resellerName: 'Resell Two',
  },
];

export const RULES: RuleRow[] = [
  {
    ruleId: 'R1',
    name: 'MAP split',
    description: 'MAP',
    match: 'contains',
    customerPercent: '60',
    resellerPercent: '40',
    created: new Date('2026-01-05T00:00:00Z') as never,
    enabled: true,
  },
  {
    ruleId: 'R2',
    name: 'Promo to Globex',
    description: 'Promo credit',
    match: 'exact',
    customerPercent: '100',
    resellerPercent: '0',
    customerContext: 'ONLY',
    customers: 'CUST-2',
    created: '2026-02-01',
    enabled: true,
  },
];

/** n credits alternating between the two accounts and two descriptions; amounts 100.00 + i cents. */
export function makeCredits(n: number, partial: (i: number) => Partial<Credit> = () => ({})): Credit[] {
  return Array.from({ length: n }, (_x, i) => {
    const acct = ACCOUNTS[i % 2];
    return credit({
      key: `k-${i}`,
      creditId: `AWSC-202610-${String(Math.floor(i / 10000)).padStart(4, '0')}-${String(i % 10000).padStart(4, '0')}`,
      accountId: acct.accountId,
      customerId: acct.customerId,
      resellerId: acct.resellerId,
      description: i % 2 === 0 ? 'AWS MAP migration credit' : 'Promo credit',
      amount: 10000 + i,
      ...partial(i),
    });
  });
}

export interface Desk {
  ss: FakeSpreadsheet;
  fake: FakeAppsScript & { uninstall(): void };
  credits: FakeSheet;
  audit: FakeSheet;
}

export function setUpDesk(
  credits: Credit[],
  opts: { rules?: RuleRow[]; user?: string; ledger?: boolean } = {},
): Desk {
  const ss = buildSpreadsheet({ credits, accounts: ACCOUNTS, rules: opts.rules ?? RULES });
  // The Ledger the usage process keeps for collected credits (issue 7); a test may leave it out.
  if (opts.ledger !== false) addLedger(ss, credits);
  const fake = installFakeAppsScript(ss, {
    userEmail: opts.user ?? 'ana@distributor.example',
    htmlFiles: { Sidebar: '<p>sidebar</p>' },
  });
  return { ss, fake, credits: ss._sheet('Credits'), audit: ss._sheet('Audit') };
}

/** The Credits tab as records keyed by header, by Credit ID. */
export function creditsById(desk: Desk): Map<string, Record<string, unknown>> {
  return new Map(records(desk.credits).map((r) => [String(r['Credit ID']), r]));
}

export function auditRows(desk: Desk): Record<string, unknown>[] {
  return records(desk.audit);
}
