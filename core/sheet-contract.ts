/**
 * The sheet contract: the tabs, their headers, and who owns each column. It is the one description of the
 * spreadsheet that the sync (workbook and Google Sheets) and the add-on share.
 *
 * Owners:
 * - `sync`       written by the sync from the CUR (and the Accounts tab); never typed by staff
 * - `assignment` the assignment: typed by staff or written by the add-on / CLI on their behalf
 * - `usage`      written only by the usage process
 * - `staff`      free columns for people; no program writes them
 *
 * Columns are found by header text, never by position, so staff may add columns of their own
 * (they are kept), and the order below is only the order used when a tab is created.
 */

export type Owner = 'sync' | 'assignment' | 'usage' | 'staff';
export type CellKind = 'text' | 'money' | 'date' | 'datetime' | 'status' | 'boolean' | 'percent';

export interface ColumnSpec<F extends string = string> {
  field: F;
  header: string;
  owner: Owner;
  kind: CellKind;
  hidden?: boolean;
  /** 'text': cells formatted as plain text, so an ID a person types ("0012") or pastes stays as typed. */
  format?: 'text';
  /** Width in characters, for a new tab. */
  width?: number;
  note?: string;
  /**
   * May be added empty to a tab that already has rows (core/sheet-layout.ts planHeaders): a blank cell in it
   * loses nothing and decides nothing. Every other column of a tab with rows must be there: a renamed or deleted
   * header added back empty would read every row's value as blank (an Allocation, a hold flag, a rule's
   * description filter), and money would move on that.
   */
  addable?: true;
}

/**
 * The Credits tab's columns, in the order a new tab gets them: the one definition of a credit's cells. Its fields
 * are CreditField; the Credit type is checked against them (core/credit.ts: a column with no field there, or a
 * field with no column, does not compile), and so is the row reader (core/table.ts creditOfRow). A new column is
 * an entry here plus what the type checker then names (docs/architecture.md, "A column of the Credits tab").
 */
const CREDIT_COLUMN_LIST = [
  { field: 'creditId', header: 'Credit ID', owner: 'sync', kind: 'text', width: 22 },
  { field: 'period', header: 'Period', owner: 'sync', kind: 'text', width: 9 },
  { field: 'accountId', header: 'AWS Account', owner: 'sync', kind: 'text', format: 'text', width: 14 },
  {
    field: 'payerAccountId',
    header: 'Payer Account',
    owner: 'sync',
    kind: 'text',
    format: 'text',
    width: 14,
  },
  { field: 'customerId', header: 'Customer ID', owner: 'sync', kind: 'text', width: 14 },
  { field: 'assetId', header: 'Asset ID', owner: 'sync', kind: 'text', width: 16 },
  { field: 'resellerId', header: 'Reseller ID', owner: 'sync', kind: 'text', width: 14 },
  { field: 'service', header: 'Service', owner: 'sync', kind: 'text', width: 16 },
  { field: 'description', header: 'Description', owner: 'sync', kind: 'text', width: 48 },
  {
    field: 'amount',
    header: 'Amount',
    owner: 'sync',
    kind: 'money',
    width: 12,
    note: 'Credit value, positive',
  },
  { field: 'currency', header: 'Currency', owner: 'sync', kind: 'text', width: 9 },
  { field: 'status', header: 'Status', owner: 'assignment', kind: 'status', width: 16 },
  {
    field: 'allocation',
    header: 'Allocation',
    owner: 'assignment',
    kind: 'text',
    width: 36,
    note: 'e.g. customer 60%, reseller 40%',
  },
  { field: 'distributorKeeps', header: 'Distributor Keeps', owner: 'assignment', kind: 'money', width: 12 },
  { field: 'ruleId', header: 'Rule', owner: 'assignment', kind: 'text', width: 14 },
  { field: 'usageFileId', header: 'Usage File ID', owner: 'usage', kind: 'text', width: 22 },
  { field: 'usageRecordId', header: 'Usage Record ID', owner: 'usage', kind: 'text', width: 26 },
  { field: 'processingDate', header: 'Processing Date', owner: 'usage', kind: 'date', width: 12 },
  { field: 'flags', header: 'Flags', owner: 'sync', kind: 'text', width: 18 },
  { field: 'notes', header: 'Notes', owner: 'staff', kind: 'text', width: 24, addable: true },
  {
    field: 'lastChange',
    header: 'Last Change',
    owner: 'assignment',
    kind: 'datetime',
    format: 'text',
    width: 20,
    addable: true,
  },
  { field: 'key', header: 'Key', owner: 'sync', kind: 'text', format: 'text', hidden: true, width: 10 },
] as const satisfies readonly ColumnSpec[];

type CreditColumn = (typeof CREDIT_COLUMN_LIST)[number];
export type CreditField = CreditColumn['field'];
/** The Credits fields whose cells are of these kinds (what a reader parses, what the Credit type holds). */
export type CreditFieldOfKind<K extends CellKind> = Extract<CreditColumn, { kind: K }>['field'];
/** The Credits fields of the columns this owner writes. */
export type CreditFieldOwnedBy<O extends Owner> = Extract<CreditColumn, { owner: O }>['field'];

export const CREDIT_COLUMNS: readonly ColumnSpec<CreditField>[] = CREDIT_COLUMN_LIST;

export type AccountField =
  'accountId' | 'accountName' | 'customerId' | 'customerName' | 'assetId' | 'resellerId' | 'resellerName';

export const ACCOUNT_COLUMNS: readonly ColumnSpec<AccountField>[] = [
  { field: 'accountId', header: 'AWS Account', owner: 'staff', kind: 'text', width: 14 },
  { field: 'accountName', header: 'Account Name', owner: 'staff', kind: 'text', width: 24, addable: true },
  { field: 'customerId', header: 'Customer ID', owner: 'staff', kind: 'text', width: 14 },
  { field: 'customerName', header: 'Customer Name', owner: 'staff', kind: 'text', width: 24, addable: true },
  { field: 'assetId', header: 'Asset ID', owner: 'staff', kind: 'text', width: 16 },
  { field: 'resellerId', header: 'Reseller ID', owner: 'staff', kind: 'text', width: 14 },
  { field: 'resellerName', header: 'Reseller Name', owner: 'staff', kind: 'text', width: 24, addable: true },
];

export type RuleField =
  | 'ruleId'
  | 'name'
  | 'description'
  | 'match'
  | 'customerPercent'
  | 'resellerPercent'
  | 'from'
  | 'to'
  | 'customerContext'
  | 'customers'
  | 'resellerContext'
  | 'resellers'
  | 'serviceContext'
  | 'services'
  | 'created'
  | 'enabled';

export const RULE_COLUMNS: readonly ColumnSpec<RuleField>[] = [
  { field: 'ruleId', header: 'Rule ID', owner: 'staff', kind: 'text', width: 10 },
  { field: 'name', header: 'Name', owner: 'staff', kind: 'text', width: 24, addable: true },
  {
    field: 'description',
    header: 'Credit Description',
    owner: 'staff',
    kind: 'text',
    width: 32,
    note: 'blank matches any description',
  },
  {
    field: 'match',
    header: 'Match',
    owner: 'staff',
    kind: 'text',
    width: 9,
    note: 'exact | contains | regex',
  },
  { field: 'customerPercent', header: 'Customer %', owner: 'staff', kind: 'percent', width: 11 },
  { field: 'resellerPercent', header: 'Reseller %', owner: 'staff', kind: 'percent', width: 11 },
  { field: 'from', header: 'From', owner: 'staff', kind: 'text', width: 9, note: 'YYYY-MM, blank = open' },
  { field: 'to', header: 'To', owner: 'staff', kind: 'text', width: 9, note: 'YYYY-MM, blank = open' },
  {
    field: 'customerContext',
    header: 'Customer Context',
    owner: 'staff',
    kind: 'text',
    width: 12,
    note: 'ALL | ONLY | EXCLUDE',
  },
  {
    field: 'customers',
    header: 'Customers',
    owner: 'staff',
    kind: 'text',
    width: 24,
    note: 'Customer IDs, comma separated',
  },
  { field: 'resellerContext', header: 'Reseller Context', owner: 'staff', kind: 'text', width: 12 },
  { field: 'resellers', header: 'Resellers', owner: 'staff', kind: 'text', width: 24 },
  { field: 'serviceContext', header: 'Service Context', owner: 'staff', kind: 'text', width: 12 },
  {
    field: 'services',
    header: 'Services',
    owner: 'staff',
    kind: 'text',
    width: 24,
    note: 'Product codes, e.g. AmazonEC2',
  },
  { field: 'created', header: 'Created', owner: 'staff', kind: 'date', width: 12 },
  { field: 'enabled', header: 'Enabled', owner: 'staff', kind: 'boolean', width: 9 },
];

export type ConfigField = 'setting' | 'value' | 'notes';

export const CONFIG_COLUMNS: readonly ColumnSpec<ConfigField>[] = [
  { field: 'setting', header: 'Setting', owner: 'staff', kind: 'text', width: 28 },
  { field: 'value', header: 'Value', owner: 'staff', kind: 'text', width: 14 },
  { field: 'notes', header: 'Notes', owner: 'staff', kind: 'text', width: 60, addable: true },
];

/** The settings the Config tab holds, with the values a new sheet starts with. */
export const CONFIG_DEFAULTS: readonly { setting: string; value: string; notes: string }[] = [
  {
    setting: 'Default customer %',
    value: '100',
    notes: 'Default configuration: share passed to the customer when no rule matches',
  },
  {
    setting: 'Default reseller %',
    value: '0',
    notes: 'Default configuration: share passed to the reseller when no rule matches',
  },
];

export type AuditField = 'when' | 'who' | 'action' | 'creditId' | 'field' | 'before' | 'after';

export const AUDIT_COLUMNS: readonly ColumnSpec<AuditField>[] = [
  { field: 'when', header: 'When', owner: 'sync', kind: 'datetime', width: 20 },
  { field: 'who', header: 'Who', owner: 'sync', kind: 'text', width: 24 },
  { field: 'action', header: 'Action', owner: 'sync', kind: 'text', width: 14 },
  { field: 'creditId', header: 'Credit ID', owner: 'sync', kind: 'text', width: 22 },
  { field: 'field', header: 'Field', owner: 'sync', kind: 'text', width: 16 },
  { field: 'before', header: 'Before', owner: 'sync', kind: 'text', width: 30 },
  { field: 'after', header: 'After', owner: 'sync', kind: 'text', width: 30 },
];

/**
 * The Ledger: what the usage process collected, one row per collected credit, owned by the usage process.
 * Hidden and protected (only the sync identity may edit it in Google Sheets), so a hand edit of the Credits
 * tab can always be undone from it. Its headers are those of the Credits tab where they exist; the add-on
 * reads it by these headers, so keep them exactly.
 */
/** The fields that say which credit this is and whose: the CUR's, and the Accounts tab's mapping. */
export const CREDIT_IDENTITY_FIELDS = [
  'creditId',
  'period',
  'accountId',
  'payerAccountId',
  'customerId',
  'assetId',
  'resellerId',
  'service',
  'description',
] as const satisfies readonly CreditField[];

/** The fields that hold a decision about the credit: its assignment, and the usage process's collection of it. */
export const DECISION_FIELDS = [
  'status',
  'allocation',
  'distributorKeeps',
  'ruleId',
  'usageFileId',
  'usageRecordId',
  'processingDate',
] as const satisfies readonly CreditField[];

/** The Credits fields the Ledger records, and so decides, for a collected credit (all but staff columns). */
export const LEDGER_CREDIT_FIELDS = [
  ...CREDIT_IDENTITY_FIELDS,
  'amount',
  'currency',
  ...DECISION_FIELDS,
] as const satisfies readonly CreditField[];

export type LedgerField =
  'key' | (typeof LEDGER_CREDIT_FIELDS)[number] | 'collectedAt' | 'closedAt' | 'connectNote';

const asLedger = (field: CreditField & LedgerField): ColumnSpec<LedgerField> => {
  const c = CREDIT_COLUMNS.find((x) => x.field === field)!;
  return { ...c, field, owner: 'usage', hidden: false };
};

export const LEDGER_COLUMNS: readonly ColumnSpec<LedgerField>[] = [
  asLedger('key'),
  ...LEDGER_CREDIT_FIELDS.map(asLedger),
  { field: 'collectedAt', header: 'Collected At', owner: 'usage', kind: 'datetime', width: 20 },
  { field: 'closedAt', header: 'Closed At', owner: 'usage', kind: 'datetime', width: 20 },
  {
    field: 'connectNote',
    header: 'Connect Note',
    owner: 'usage',
    kind: 'text',
    width: 40,
    note: "What Connect said when it closed the credit's usage records (external billing ID: note) or rejected its usage file (the rejection note).",
    // A Ledger from before Connect was followed has no such column: blank is "nothing heard from Connect".
    addable: true,
  },
];

export const TABS = {
  credits: { name: 'Credits', columns: CREDIT_COLUMNS },
  accounts: { name: 'Accounts', columns: ACCOUNT_COLUMNS },
  rules: { name: 'Rules', columns: RULE_COLUMNS },
  config: { name: 'Config', columns: CONFIG_COLUMNS },
  audit: { name: 'Audit', columns: AUDIT_COLUMNS },
  ledger: { name: 'Ledger', columns: LEDGER_COLUMNS },
} as const;

export type TabId = keyof typeof TABS;

/**
 * The Summary tab: owned by the sync, rebuilt (never edited) by every sync and usage run, protected. It holds
 * titled tables rather than one header-row table, so it is not in TABS (snapshots never read it back); its
 * layout is core/summary-layout.ts.
 */
export const SUMMARY_TAB = { name: 'Summary', owner: 'sync' as Owner } as const;

export function headersOf(tab: TabId): string[] {
  return TABS[tab].columns.map((c) => c.header);
}

/** The Credits tab's header of a field, as staff see it in messages ("Customer ID"). */
export function creditHeader(field: CreditField): string {
  return CREDIT_COLUMNS.find((c) => c.field === field)!.header;
}

export function creditFieldsOwnedBy(...owners: Owner[]): CreditField[] {
  return CREDIT_COLUMNS.filter((c) => owners.includes(c.owner)).map((c) => c.field);
}
