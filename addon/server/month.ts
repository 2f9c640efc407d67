/**
 * getMonthSummary: the sidebar's Month view — the Summary tab's figures for one billing period, from the same
 * core/summary.ts over the same Credits and Accounts tabs (each read once), plus the amounts by status of the
 * last six periods for the view's small chart. Amounts are decimal strings; the chart gets minor units.
 */
import type { Flag } from '../../core/flags';
import { buildSummary, mainCurrency } from '../../core/summary';
import { formatMinor } from '../../core/money';
import { STATUSES } from '../../core/status';
import type { Credit } from '../../core/credit';
import type { AccountDirectory } from '../../core/accounts';
import type { MonthView, StatementPartyView } from '../api';
import { openSpreadsheet, readCredits, readDirectory } from './live-sheet';
import { targetOptions } from './views';

const CHART_PERIODS = 6;
const TOP_PARTIES = 8;

export function getMonthSummary(period: string | null, now: Date = new Date()): MonthView {
  const { ss, timeZone } = openSpreadsheet();
  const credits = readCredits(ss, timeZone).credits.map((c) => c.credit);
  const directory = readDirectory(ss, timeZone);
  const s = buildSummary(credits, {
    directory,
    currentPeriod: now.toISOString().slice(0, 7),
  });
  const periods = [...new Set(s.periods.map((p) => p.period))].sort().reverse();
  const shown = period && periods.includes(period) ? period : (periods[0] ?? '');
  const money = (minor: number, currency: string) => formatMinor(minor, currency);
  const currency = mainCurrency(s);
  const chartPeriods = periods.slice(0, CHART_PERIODS).reverse();
  return {
    asOf: s.asOf,
    periods,
    period: shown,
    totals: s.periods
      .filter((p) => p.period === shown)
      .map((p) => ({
        currency: p.currency,
        credits: p.credits,
        amount: money(p.amount, p.currency),
        byStatus: STATUSES.map((st) => ({
          status: st,
          credits: p.byStatus[st].credits,
          amount: money(p.byStatus[st].amount, p.currency),
        })),
      })),
    parties: (['customer', 'reseller', 'distributor'] as const).flatMap((role) =>
      s.parties
        .filter((p) => p.period === shown && p.role === role)
        .slice(0, TOP_PARTIES)
        .map((p) => ({
          role,
          targetId: p.targetId,
          name: p.name,
          currency: p.currency,
          credits: p.credits,
          amount: money(p.amount, p.currency),
        })),
    ),
    usageFiles: s.usageFiles
      .filter((f) => f.periods.includes(shown))
      .map((f) => ({
        usageFileId: f.usageFileId,
        status: f.status,
        currency: f.currency,
        credits: f.credits,
        amount: money(f.amount, f.currency),
      })),
    stale: s.staleUnassigned.map((t) => ({
      period: t.period,
      currency: t.currency,
      credits: t.credits,
      amount: money(t.amount, t.currency),
    })),
    flags: s.flags
      // Stale unassigned credits are listed by period (`stale`), not again as a flag.
      .filter((f) => f.period === shown && f.flag !== ('UNASSIGNED_OVER_ONE_PERIOD' satisfies Flag))
      .map((f) => ({
        flag: f.flag,
        currency: f.currency,
        credits: f.credits,
        amount: money(f.amount, f.currency),
      })),
    statementParties: statementParties(
      credits,
      directory,
      s.parties.filter((p) => p.period === shown),
      shown,
    ),
    chart: {
      currency,
      bars: chartPeriods.map((p) => {
        const t = s.periods.find((x) => x.period === p && x.currency === currency);
        return {
          period: p,
          segments: STATUSES.map((st) => ({ status: st, minor: t ? t.byStatus[st].amount : 0 })),
        };
      }),
    },
  };
}

/**
 * Who has a statement for the period: every customer and reseller with a share (the Summary's parties, all of
 * them, not only the top ones shown), and every reseller whose accounts' credits were passed on (its statement
 * lists what its customers received). Named from the Accounts tab, as everywhere else in the sidebar.
 */
function statementParties(
  credits: readonly Credit[],
  directory: AccountDirectory,
  parties: readonly { role: string; targetId: string }[],
  period: string,
): StatementPartyView[] {
  const names = new Map(targetOptions(directory).map((t) => [`${t.role}|${t.id}`, t.name]));
  const out = new Map<string, StatementPartyView>();
  const add = (role: StatementPartyView['role'], id: string) => {
    if (id && !out.has(`${role}|${id}`))
      out.set(`${role}|${id}`, { role, id, name: names.get(`${role}|${id}`) ?? '' });
  };
  for (const p of parties) if (p.role === 'customer' || p.role === 'reseller') add(p.role, p.targetId);
  for (const c of credits)
    if (c.period === period && c.status !== 'PENDING_ASSIGN' && c.allocation && c.resellerId)
      add('reseller', c.resellerId);
  return [...out.values()].sort((a, b) => a.role.localeCompare(b.role) || a.id.localeCompare(b.id));
}
