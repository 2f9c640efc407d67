/**
 * The Summary every sync and usage command hands its sink: built from the credits as they will be after the
 * run's changes (the snapshot overlaid with the changed credits), so the tab always matches the Credits tab.
 */
import type { Credit } from '../core/credit';
import type { Minor } from '../core/money';
import { buildSummary, type Summary } from '../core/summary';
import { summaryLayout, type SummaryLayout } from '../core/summary-layout';
import { currentPeriod } from '../core/periods';
import type { DeskState } from '../core/sheet-state';

/** The credits after a run: every row of the snapshot, changed ones replaced, new ones added. */
export function creditsAfter(state: DeskState, changed: readonly Credit[]): Credit[] {
  const byKey = new Map(changed.map((c) => [c.key, c]));
  const out = state.credits.map((e) => {
    const c = byKey.get(e.credit.key);
    byKey.delete(e.credit.key);
    return c ?? e.credit;
  });
  return [...out, ...byKey.values()];
}

export function summaryAfter(
  state: DeskState,
  changed: readonly Credit[],
  now: Date,
  cur?: readonly { period: string; currency: string; amount: Minor }[],
): Summary {
  return buildSummary(creditsAfter(state, changed), {
    directory: state.directory,
    currentPeriod: currentPeriod(now),
    cur,
    awsBills: state.awsBills,
  });
}

export function summaryLayoutAfter(
  state: DeskState,
  changed: readonly Credit[],
  now: Date,
  cur?: readonly { period: string; currency: string; amount: Minor }[],
): SummaryLayout {
  return summaryLayout(summaryAfter(state, changed, now, cur));
}
