/**
 * The month-end picture: the figures of the Summary tab, `credit-desk report` and the sidebar's Month view,
 * computed once here from the credits as the Credits tab holds them. Pure: no I/O, no clock (the current
 * period is passed in), so the three places show the same numbers.
 *
 * Money stays in integer minor units and is only ever added, so every total is exact to the cent and the
 * amounts by status of a period add up to that period's total, and the allocation lines add up to the
 * allocated credits (largest-remainder splits, see allocation.ts).
 */
import type { AccountDirectory } from './accounts';
import type { Credit } from './credit';
import {
  parseAllocation,
  resolveAllocation,
  type AllocationSpec,
  type ResolvedAllocation,
} from './allocation';
import { allocationContext } from './credit-allocation';
import { addMinor, formatMinor, type Minor } from './money';
import { awsBillLabel } from './aws-bill';
import { parseFlags } from './flags';
import { STATUSES, type Status } from './status';

export interface Tally {
  credits: number;
  amount: Minor;
}

export interface PeriodTotal extends Tally {
  period: string;
  currency: string;
  byStatus: Record<Status, Tally>;
  /** What the CUR query returned for this period and currency in the run that built the summary; null when it did not read the CUR. */
  cur: Minor | null;
  /**
   * Whether AWS has finalised the period, as the Config tab records it (core/aws-bill.ts awsBillLabel: `final`,
   * `estimated`, `unknown`, `not recorded`); null when the summary was built without the records.
   */
  awsBill: string | null;
}

/**
 * The check of a period and currency: the whole period in the sheet (every row, whatever its status or flags)
 * less the whole period in the CUR, in minor units; 0 is "reconciled"; null when the run did not read the CUR.
 * The Summary tab, `report --format json` and the sync's own totals all use this one comparison.
 */
export function curDifference(p: Pick<PeriodTotal, 'amount' | 'cur'>): Minor | null {
  return p.cur === null ? null : addMinor(p.amount, -p.cur);
}

export type PartyRole = 'customer' | 'reseller' | 'distributor';

export interface PartyTotal extends Tally {
  period: string;
  currency: string;
  role: PartyRole;
  /** Customer or Reseller ID; '' for the distributor. */
  targetId: string;
  name: string;
}

export interface UsageFileTotal extends Tally {
  usageFileId: string;
  currency: string;
  /** PROCESSING while the file is open, PROCESSED once closed; MIXED if a hand edit split it. */
  status: 'PROCESSING' | 'PROCESSED' | 'MIXED';
  customer: Minor;
  reseller: Minor;
  distributor: Minor;
  periods: string[];
}

export interface FlagTotal extends Tally {
  flag: string;
  period: string;
  currency: string;
}

export interface Summary {
  /** The period the summary was built in (the calendar month of the run), YYYY-MM. */
  asOf: string;
  periods: PeriodTotal[];
  parties: PartyTotal[];
  usageFiles: UsageFileTotal[];
  /** PENDING_ASSIGN credits of periods before the most recent closed one, per period and currency. */
  staleUnassigned: (Tally & { period: string; currency: string })[];
  flags: FlagTotal[];
}

export interface SummaryOptions {
  directory: AccountDirectory;
  /** The calendar month of the run, YYYY-MM. The most recent closed period is the month before. */
  currentPeriod: string;
  /**
   * CUR totals read by this run (sync): period + currency → amount, for every currency of a period read that
   * the CUR or the sheet has (core/merge.ts CurTotal), so a period's check covers all its rows.
   */
  cur?: readonly { period: string; currency: string; amount: Minor }[];
  /** Only this billing period. */
  period?: string;
  /** Per period, what the Config tab records of AWS's finalisation (DeskState.awsBills); absent: not shown. */
  awsBills?: ReadonlyMap<string, string>;
}

export function previousPeriodOf(period: string): string {
  const [y, m] = period.split('-').map(Number);
  const d = new Date(Date.UTC(y, m - 2, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

const zero = (): Tally => ({ credits: 0, amount: 0 });
const add = (t: Tally, amount: Minor) => {
  t.credits += 1;
  t.amount = addMinor(t.amount, amount);
};

function getOr<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let v = map.get(key);
  if (v === undefined) map.set(key, (v = make()));
  return v;
}

/** Customer and reseller names from the Accounts tab, by ID (the first name seen wins). */
function partyNames(directory: AccountDirectory): Map<string, string> {
  const names = new Map<string, string>();
  for (const a of directory.byAccount.values()) {
    if (a.customerId && a.customerName && !names.has(`customer|${a.customerId}`))
      names.set(`customer|${a.customerId}`, a.customerName);
    if (a.resellerId && a.resellerName && !names.has(`reseller|${a.resellerId}`))
      names.set(`reseller|${a.resellerId}`, a.resellerName);
  }
  return names;
}

const ROLE_ORDER: Record<PartyRole, number> = { customer: 0, reseller: 1, distributor: 2 };

export function buildSummary(credits: readonly Credit[], opts: SummaryOptions): Summary {
  const closed = previousPeriodOf(opts.currentPeriod);
  const names = partyNames(opts.directory);
  const periods = new Map<string, PeriodTotal>();
  const parties = new Map<string, PartyTotal>();
  const files = new Map<string, UsageFileTotal & { statuses: Set<Status>; periodSet: Set<string> }>();
  const stale = new Map<string, Tally & { period: string; currency: string }>();
  const flags = new Map<string, FlagTotal>();
  const billOf = (period: string): string | null =>
    opts.awsBills ? awsBillLabel(opts.awsBills.get(period)) : null;

  const flag = (name: string, c: Credit) =>
    add(
      getOr(flags, `${name}|${c.period}|${c.currency}`, () => ({
        flag: name,
        period: c.period,
        currency: c.currency,
        ...zero(),
      })),
      c.amount,
    );

  for (const c of credits) {
    if (opts.period && c.period !== opts.period) continue;
    const pc = `${c.period}|${c.currency}`;
    const total = getOr(periods, pc, () => ({
      period: c.period,
      currency: c.currency,
      ...zero(),
      byStatus: Object.fromEntries(STATUSES.map((s) => [s, zero()])) as Record<Status, Tally>,
      cur: null,
      awsBill: billOf(c.period),
    }));
    add(total, c.amount);
    add(total.byStatus[c.status], c.amount);

    for (const f of parseFlags(c.flags)) flag(f, c);
    if (c.status === 'PENDING_ASSIGN' && c.period < closed) {
      add(
        getOr(stale, pc, () => ({ period: c.period, currency: c.currency, ...zero() })),
        c.amount,
      );
      flag('UNASSIGNED_OVER_ONE_PERIOD', c);
    }
    if (c.status === 'PENDING_ASSIGN' || !c.allocation) continue;

    // parseAllocation hands out each text's spec once parsed (many credits share one: a rule's).
    let spec: AllocationSpec | null;
    try {
      spec = parseAllocation(c.allocation, c.currency);
    } catch {
      spec = null;
    }
    let lines: ResolvedAllocation | null = null;
    if (spec) {
      try {
        lines = resolveAllocation(spec, allocationContext(c, opts.directory));
      } catch {
        lines = null;
      }
    }
    if (!lines) {
      flag('ALLOCATION_INVALID', c);
      continue;
    }
    let customer = 0;
    let reseller = 0;
    let distributor = 0;
    for (const l of lines.lines) {
      const role: PartyRole = l.role;
      const id = role === 'distributor' ? '' : l.targetId;
      const p = getOr(parties, `${pc}|${role}|${id}`, () => ({
        period: c.period,
        currency: c.currency,
        role,
        targetId: id,
        name: role === 'distributor' ? 'Distributor keeps' : (names.get(`${role}|${id}`) ?? ''),
        ...zero(),
      }));
      add(p, l.amount);
      if (role === 'customer') customer = addMinor(customer, l.amount);
      else if (role === 'reseller') reseller = addMinor(reseller, l.amount);
      else distributor = addMinor(distributor, l.amount);
    }
    if (c.usageFileId && (c.status === 'PROCESSING' || c.status === 'PROCESSED')) {
      const f = getOr(files, `${c.usageFileId}|${c.currency}`, () => ({
        usageFileId: c.usageFileId,
        currency: c.currency,
        status: 'PROCESSING' as const,
        ...zero(),
        customer: 0,
        reseller: 0,
        distributor: 0,
        periods: [],
        statuses: new Set<Status>(),
        periodSet: new Set<string>(),
      }));
      add(f, c.amount);
      f.customer = addMinor(f.customer, customer);
      f.reseller = addMinor(f.reseller, reseller);
      f.distributor = addMinor(f.distributor, distributor);
      f.statuses.add(c.status);
      f.periodSet.add(c.period);
    }
  }

  for (const t of opts.cur ?? []) {
    if (opts.period && t.period !== opts.period) continue;
    const total = getOr(periods, `${t.period}|${t.currency}`, () => ({
      period: t.period,
      currency: t.currency,
      ...zero(),
      byStatus: Object.fromEntries(STATUSES.map((s) => [s, zero()])) as Record<Status, Tally>,
      cur: null,
      awsBill: billOf(t.period),
    }));
    total.cur = addMinor(total.cur ?? 0, t.amount);
  }

  const byPeriodDesc = <T extends { period: string; currency: string }>(a: T, b: T) =>
    b.period.localeCompare(a.period) || a.currency.localeCompare(b.currency);
  return {
    asOf: opts.currentPeriod,
    periods: [...periods.values()].sort(byPeriodDesc),
    parties: [...parties.values()].sort(
      (a, b) =>
        byPeriodDesc(a, b) ||
        ROLE_ORDER[a.role] - ROLE_ORDER[b.role] ||
        b.amount - a.amount ||
        a.targetId.localeCompare(b.targetId),
    ),
    usageFiles: [...files.values()]
      .map(({ statuses, periodSet, ...f }): UsageFileTotal => ({
        ...f,
        status:
          statuses.size > 1 ? ('MIXED' as const) : statuses.has('PROCESSED') ? 'PROCESSED' : 'PROCESSING',
        periods: [...periodSet].sort(),
      }))
      .sort((a, b) => b.usageFileId.localeCompare(a.usageFileId) || a.currency.localeCompare(b.currency)),
    staleUnassigned: [...stale.values()].sort(byPeriodDesc),
    flags: [...flags.values()].sort((a, b) => a.flag.localeCompare(b.flag) || byPeriodDesc(a, b)),
  };
}

/** Top resellers by amount passed on, over the whole summary, for one currency. */
export function topResellers(
  s: Summary,
  currency: string,
  limit = 10,
): { id: string; name: string; amount: Minor }[] {
  const by = new Map<string, { id: string; name: string; amount: Minor }>();
  for (const p of s.parties) {
    if (p.role !== 'reseller' || p.currency !== currency) continue;
    const r = getOr(by, p.targetId, () => ({ id: p.targetId, name: p.name, amount: 0 }));
    r.amount = addMinor(r.amount, p.amount);
  }
  return [...by.values()].sort((a, b) => b.amount - a.amount || a.id.localeCompare(b.id)).slice(0, limit);
}

/** The currency the charts show: the one with the most credits (ties: alphabetical). */
export function mainCurrency(s: Summary): string {
  const n = new Map<string, number>();
  for (const p of s.periods) n.set(p.currency, (n.get(p.currency) ?? 0) + p.credits);
  return [...n.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? 'USD';
}

/** Amounts as decimal strings, for `report --format json` and the sidebar (never a binary float). */
export function summaryJson(s: Summary): unknown {
  const m = (amount: Minor | null, currency: string) =>
    amount === null ? null : formatMinor(amount, currency);
  return {
    asOf: s.asOf,
    periods: s.periods.map((p) => ({
      period: p.period,
      currency: p.currency,
      credits: p.credits,
      amount: m(p.amount, p.currency),
      cur: m(p.cur, p.currency),
      reconciled: p.cur === null ? null : curDifference(p) === 0,
      awsBill: p.awsBill,
      byStatus: Object.fromEntries(
        STATUSES.map((st) => [
          st,
          { credits: p.byStatus[st].credits, amount: m(p.byStatus[st].amount, p.currency) },
        ]),
      ),
    })),
    parties: s.parties.map((p) => ({ ...p, amount: m(p.amount, p.currency) })),
    usageFiles: s.usageFiles.map((f) => ({
      ...f,
      amount: m(f.amount, f.currency),
      customer: m(f.customer, f.currency),
      reseller: m(f.reseller, f.currency),
      distributor: m(f.distributor, f.currency),
    })),
    staleUnassigned: s.staleUnassigned.map((t) => ({ ...t, amount: m(t.amount, t.currency) })),
    flags: s.flags.map((f) => ({ ...f, amount: m(f.amount, f.currency) })),
  };
}
