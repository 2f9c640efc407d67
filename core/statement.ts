/**
 * Credit statements: what each customer and reseller got, one statement per party, for a reseller or customer
 * asking "which credits did I get in October, and on which invoice lines?". Pure: the lines and totals; the CLI
 * writes them as .xlsx and .csv (sync-service/jobs/statement.ts).
 *
 * A party's share of a credit is its line of the credit's resolved allocation (core/credit-allocation.ts), the
 * same lines the usage file bills; so, per currency, every party's lines plus what the distributor keeps add up
 * to the credits exactly. A credit with no usable allocation (PENDING_ASSIGN, or an allocation that no longer
 * resolves) is in no statement.
 *
 * Once a credit is closed its line carries the external billing reference, read from the Ledger the caller passes
 * (core/external-billing.ts): both the CLI and the sidebar pass it, so their CSVs stay byte-equal.
 */
import type { AccountDirectory } from './accounts';
import type { Role } from './allocation';
import type { Credit } from './credit';
import { resolveCreditAllocation } from './credit-allocation';
import { addMinor, formatMinor, type Minor } from './money';
import { formatPercentBp } from './config';
import { csvDecimal, toCsv } from './csv';
import { externalBillingOf, type ClosedCredits } from './external-billing';
import { pushAll } from './arrays';

export interface StatementParty {
  role: Role;
  id: string;
}

export interface StatementLine {
  creditId: string;
  period: string;
  accountId: string;
  service: string;
  description: string;
  /** The party's share: a percentage ("60") or null for a fixed amount. */
  percent: string | null;
  amount: Minor;
  currency: string;
  status: Credit['status'];
  usageFileId: string;
  usageRecordId: string;
  /** PROCESSED only: the external billing id(s) from the Ledger, or "closed by hand UF-…"; '' otherwise. */
  externalBilling: string;
  /**
   * For a reseller's statement, the lines of credits of its customers' accounts: the customer that received the
   * share (the line's own party is then that customer, `forCustomer`), so the reseller can pass it on.
   */
  forCustomer?: string;
}

export interface StatementTotal {
  currency: string;
  amount: Minor;
  /** Of which PROCESSED (invoiced). */
  invoiced: Minor;
  /** Of which ASSIGNED or PROCESSING: passed on, not invoiced yet. */
  notInvoiced: Minor;
  credits: number;
}

export interface Statement {
  party: StatementParty;
  /** The party's own shares, in period, then Credit ID order. */
  lines: StatementLine[];
  /** Reseller statements only: what each customer of the reseller received on the reseller's accounts. */
  customerLines: StatementLine[];
  /** Of `lines` only, per currency. */
  totals: StatementTotal[];
}

export interface StatementFilter {
  period?: string;
  usageFileId?: string;
  party?: StatementParty;
}

/** Whether a credit falls in the statement's scope (period, usage file). */
function inScope(c: Credit, f: StatementFilter): boolean {
  return (!f.period || c.period === f.period) && (!f.usageFileId || c.usageFileId === f.usageFileId);
}

function lineOf(c: Credit, percentBp: number | null, amount: Minor, closed: ClosedCredits): StatementLine {
  return {
    creditId: c.creditId,
    period: c.period,
    accountId: c.accountId,
    service: c.service,
    description: c.description,
    percent: percentBp === null ? null : formatPercentBp(percentBp),
    amount,
    currency: c.currency,
    status: c.status,
    usageFileId: c.usageFileId,
    usageRecordId: c.usageRecordId,
    externalBilling: externalBillingOf(c, closed),
  };
}

const byCredit = (a: StatementLine, b: StatementLine) =>
  a.period.localeCompare(b.period) || a.creditId.localeCompare(b.creditId);

function totalsOf(lines: readonly StatementLine[]): StatementTotal[] {
  const out = new Map<string, StatementTotal>();
  for (const l of lines) {
    const t = out.get(l.currency) ?? {
      currency: l.currency,
      amount: 0,
      invoiced: 0,
      notInvoiced: 0,
      credits: 0,
    };
    t.amount = addMinor(t.amount, l.amount);
    if (l.status === 'PROCESSED') t.invoiced = addMinor(t.invoiced, l.amount);
    else t.notInvoiced = addMinor(t.notInvoiced, l.amount);
    t.credits++;
    out.set(l.currency, t);
  }
  return [...out.values()].sort((a, b) => a.currency.localeCompare(b.currency));
}

/**
 * The statements of every party with a share in scope (or of `filter.party` alone, even when it has none), in
 * role then ID order; plus what the distributor keeps per currency, for reconciling them with the credits.
 * `closed`: the Ledger's PROCESSED entries (core/external-billing.ts closedCredits), for the External billing column.
 */
export function buildStatements(
  credits: readonly Credit[],
  directory: AccountDirectory,
  closed: ClosedCredits,
  filter: StatementFilter = {},
): { statements: Statement[]; distributorKeeps: Map<string, Minor>; skipped: string[] } {
  const parties = new Map<string, Statement>();
  const statementOf = (role: Role, id: string): Statement => {
    const k = `${role}\u0000${id}`;
    let s = parties.get(k);
    if (!s) parties.set(k, (s = { party: { role, id }, lines: [], customerLines: [], totals: [] }));
    return s;
  };
  const keeps = new Map<string, Minor>();
  const skipped: string[] = [];
  for (const c of credits) {
    if (!inScope(c, filter) || c.status === 'PENDING_ASSIGN' || !c.allocation) continue;
    let lines;
    try {
      lines = resolveCreditAllocation(c, directory).lines;
    } catch {
      skipped.push(c.creditId); // an allocation that no longer resolves passes nothing on: it is named, not guessed
      continue;
    }
    for (const l of lines) {
      if (l.role === 'distributor') {
        keeps.set(c.currency, addMinor(keeps.get(c.currency) ?? 0, l.amount));
        continue;
      }
      if (l.amount === 0) continue;
      const line = lineOf(c, l.percentBp, l.amount, closed);
      statementOf(l.role, l.targetId).lines.push(line);
      // A reseller passes its customers' credits on: its statement lists what each of them received.
      if (l.role === 'customer' && c.resellerId)
        statementOf('reseller', c.resellerId).customerLines.push({ ...line, forCustomer: l.targetId });
    }
  }
  const wanted = filter.party;
  if (wanted) statementOf(wanted.role, wanted.id);
  const statements = [...parties.values()]
    .filter((s) => !wanted || (s.party.role === wanted.role && s.party.id === wanted.id))
    // a reseller with customer lines but no share of its own still gets its statement only when asked for
    .filter((s) => wanted || s.lines.length > 0)
    .sort((a, b) => a.party.role.localeCompare(b.party.role) || a.party.id.localeCompare(b.party.id));
  for (const s of statements) {
    s.lines.sort(byCredit);
    s.customerLines.sort(
      (a, b) => (a.forCustomer ?? '').localeCompare(b.forCustomer ?? '') || byCredit(a, b),
    );
    s.totals = totalsOf(s.lines);
  }
  return { statements, distributorKeeps: keeps, skipped };
}

/** `statement-2026-10-customer-CUST-000117`: period (or usage file) first, so a folder of them sorts well. */
export function statementName(party: StatementParty, scope: StatementFilter): string {
  const when = scope.usageFileId ?? scope.period ?? 'all-periods';
  const safe = party.id.replace(/[^A-Za-z0-9._-]+/g, '_');
  return `statement-${when}-${party.role}-${safe}`;
}

/** The statement as a table: a header row, the lines, then the totals rows and the not-invoiced note. */
export function statementTable(s: Statement): {
  headers: string[];
  rows: (string | null)[][];
  totalRows: number;
} {
  const headers = [
    'Credit ID',
    'Period',
    'AWS Account',
    'Service',
    'Description',
    'Share %',
    'Amount',
    'Currency',
    'Status',
    'Usage File ID',
    'Usage Record ID',
    'External billing',
    'Received by',
  ];
  const row = (l: StatementLine, who: string) => [
    l.creditId,
    l.period,
    l.accountId,
    l.service,
    l.description,
    l.percent,
    formatMinor(l.amount, l.currency),
    l.currency,
    l.status,
    l.usageFileId,
    l.usageRecordId,
    l.externalBilling,
    who,
  ];
  const rows: (string | null)[][] = s.lines.map((l) => row(l, s.party.id));
  const totals = s.totals.map((t) => [
    `Total ${t.currency}`,
    null,
    null,
    null,
    `${t.credits} credit${t.credits === 1 ? '' : 's'}${t.notInvoiced ? `; ${formatMinor(t.notInvoiced, t.currency)} not invoiced yet (ASSIGNED or PROCESSING: no external billing reference yet)` : '; all invoiced'}`,
    null,
    formatMinor(t.amount, t.currency),
    t.currency,
    null,
    null,
    null,
    null,
    null,
  ]);
  pushAll(rows, totals);
  if (s.customerLines.length) {
    rows.push([]);
    rows.push([`What ${s.party.id}'s customers received`]);
    pushAll(
      rows,
      s.customerLines.map((l) => row(l, l.forCustomer ?? '')),
    );
  }
  return { headers, rows, totalRows: totals.length };
}

/**
 * The statement as the CSV file `credit-desk statement` writes and the sidebar downloads: one function, so
 * the two are byte for byte the same (formula-safe, BOM and CRLF: core/csv.ts).
 */
export function statementCsv(s: Statement): string {
  const table = statementTable(s);
  // Money as a CSV number in the currency's decimals (core/csv.ts csvDecimal): a bill-back's -5.00 is a number,
  // not text that starts like a formula and gets defused into '-5.00.
  const amount = table.headers.indexOf('Amount');
  return toCsv(
    table.headers,
    table.rows.map((r) => r.map((c, i) => (i === amount && c ? csvDecimal(c) : c))),
  );
}
