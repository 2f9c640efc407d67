/**
 * The contract between the sidebar and the server functions it calls through google.script.run.
 * Every value is JSON-safe (no Date, no Map): amounts are decimal strings, dates ISO strings.
 */

export interface CreditView {
  creditId: string;
  /** Sheet row (1-based) when read, as everywhere in Credit Desk. */
  sheetRow: number;
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
  status: 'PENDING_ASSIGN' | 'ASSIGNED' | 'PROCESSING' | 'PROCESSED';
  allocation: string;
  distributorKeeps: string;
  ruleId: string;
  usageFileId: string;
  usageRecordId: string;
  processingDate: string;
  lastChange: string;
  locked: boolean;
  /**
   * Present (true) on a correction credit of an invoiced one (docs/decisions/0006): a negative amount bills its
   * beneficiaries back, so the allocation editor resolves it as the mirror of its positive split.
   */
  correction?: boolean;
}

export interface AllocationLineView {
  role: 'customer' | 'reseller' | 'distributor';
  targetId: string;
  /** "60" or "12.5"; null for fixed amounts and the distributor line. */
  percent: string | null;
  amount: string;
}

export interface SuggestionView {
  /** A Rule ID, or "default" when no rule matches. */
  ruleId: string;
  ruleName: string;
  reason: string;
  matching: { ruleId: string; name: string; why: string }[];
  allocation: string;
  lines: AllocationLineView[];
}

export interface TargetOption {
  role: 'customer' | 'reseller';
  id: string;
  name: string;
}

/** A line of a collected credit's allocation, with the target's name, as the Edit preview shows it. */
export interface PassedOnLine extends AllocationLineView {
  /** From the Accounts tab ('Distributor keeps' on the distributor line; '' when the ID is not there). */
  name: string;
}

export interface SelectedCreditResponse {
  credit: CreditView | null;
  /** Why no credit is shown (e.g. "Select a row on the Credits tab"). */
  message: string;
  suggestion: SuggestionView | null;
  targets: TargetOption[];
  /** The selection this answer is for (getSelectionKey's value then): the sidebar polls for a change of it. */
  selection: string;
  /** A locked credit's allocation line by line, with names (the View panel); absent otherwise. */
  passedOn?: PassedOnLine[];
  /** A locked credit's rule as the other views name it ("R1 MAP split", "Set by hand"); absent otherwise. */
  ruleName?: string;
  /**
   * Why `usage collect` would leave this credit out as its row stands — cells that are not what the sync wrote, a
   * party typed over (core/row-proof.ts, decision 0029) — with what to do; absent when its row holds what the sync
   * wrote, for a locked credit, and for a correction (proven against the Ledger, which this does not read).
   */
  unproven?: string;
}

export type RuleScope = 'selection' | 'pending';

export interface RulesPreview {
  scope: RuleScope;
  credits: number;
  /** Credits left alone because staff adjusted them by hand (unless overwriteManual). */
  skippedManual: number;
  byRule: { ruleId: string; name: string; credits: number }[];
  /** `name`: the target's name from the Accounts tab ('' when the ID is not there). */
  totals: { role: string; targetId: string; name: string; currency: string; amount: string }[];
  /** What was previewed, for applyRules: Apply writes exactly these credits and allocations. */
  token: string;
  /** Rules left out because they are broken, with why (core validateRules' errors). */
  ignoredRules: RuleProblemView[];
}

export interface ApplyResult {
  applied: number;
  skipped: number;
  message: string;
  /** Credits not applied because they changed since the preview (or were read), with why. */
  changed?: { creditId: string; why: string }[];
  ignoredRules?: RuleProblemView[];
}

export interface RuleProblemView {
  row: number;
  ruleId: string;
  field: string;
  severity: 'error' | 'warning';
  message: string;
}

/** One part of a download: the sheet rows (runs of [first, last]) and a hash of their Keys. */
export interface DownloadChunk {
  index: number;
  runs: [number, number][];
  rows: number;
  keysHash: string;
  /** The plan's width of Credits and the spreadsheet's time zone, so each chunk need not ask again. */
  columns: number;
  timeZone: string;
  /**
   * Set when the Sheets API is on: the chunk is then ONE values.batchGet. Taken from the client as is: the
   * call runs with the person's own authorization, so another id reads only what they could read anyway.
   */
  spreadsheetId?: string;
}

export interface DownloadPlan {
  filename: string;
  mimeType: string;
  rows: number;
  chunks: DownloadChunk[];
  /** What the person should know (filter views or slicers present, hidden rows). */
  notices: string[];
  /** The file when no row is visible: the header line only. */
  emptyFile: string;
}

export interface DownloadFile {
  filename: string;
  mimeType: string;
  /** The CSV text (formula-safe, see core/csv.ts). */
  content: string;
  rows: number;
}

/** A customer or reseller a statement can be downloaded for (the Month view's "Statement for…"). */
export interface StatementPartyView {
  role: 'customer' | 'reseller';
  id: string;
  /** From the Accounts tab; '' when the ID is not there. */
  name?: string;
}

/** The Month view: the Summary tab's figures for one billing period (see addon/server/month.ts). */
export interface MonthView {
  asOf: string;
  /** Periods present, newest first. */
  periods: string[];
  period: string;
  totals: {
    currency: string;
    credits: number;
    amount: string;
    byStatus: { status: string; credits: number; amount: string }[];
  }[];
  parties: {
    role: string;
    targetId: string;
    name: string;
    currency: string;
    credits: number;
    amount: string;
  }[];
  usageFiles: { usageFileId: string; status: string; currency: string; credits: number; amount: string }[];
  stale: { period: string; currency: string; credits: number; amount: string }[];
  flags: { flag: string; currency: string; credits: number; amount: string }[];
  /** Who "Statement for…" offers: every customer and reseller with a share in the period, or whose accounts got one. */
  statementParties: StatementPartyView[];
  /** Amount by status of the last periods, in minor units of one currency, for the inline SVG chart. */
  chart: { currency: string; bars: { period: string; segments: { status: string; minor: number }[] }[] };
}

/** The server functions, by name; addon/main.ts declares each as a top-level function. */
export interface ServerApi {
  getSelectedCredit(): SelectedCreditResponse;
  /** Where the selection is ("Credits!5"), cheaply: the sidebar polls it and reloads the credit on a change. */
  getSelectionKey(): string;
  assignCredit(creditId: string, allocation: string): CreditView;
  unassignCredit(creditId: string): CreditView;
  assignSelectedWithDefault(): ApplyResult;
  previewRules(scope: RuleScope, overwriteManual: boolean): RulesPreview;
  applyRules(scope: RuleScope, overwriteManual: boolean, previewToken: string): ApplyResult;
  validateRules(): RuleProblemView[];
  prepareDownload(format: 'csv', includeHiddenByHand: boolean): DownloadPlan;
  /** One chunk's CSV (BOM and header line included; the sidebar drops them from every chunk but the first). */
  downloadChunk(chunk: DownloadChunk): string;
  getMonthSummary(period: string | null): MonthView;
  /** One party's credit statement for a period: the CSV `credit-desk statement` writes, byte for byte. */
  downloadStatement(period: string, party: StatementPartyView): DownloadFile;
}
