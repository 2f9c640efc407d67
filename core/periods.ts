/**
 * Which billing period a sync takes by default: the most recent CLOSED one, i.e. the newest period in the data
 * that ended before the current UTC month began. (AWS may still add late credits to a closed month; the sync
 * also re-reads the period before it to pick those up.)
 */
import { CreditDeskError } from './errors';

export function currentPeriod(now: Date): string {
  return now.toISOString().slice(0, 7);
}

export function previousPeriod(period: string): string {
  const [y, m] = period.split('-').map(Number);
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

export function chooseClosedPeriod(available: string[], now: Date): string {
  const open = currentPeriod(now);
  const closed = available
    .filter((p) => p < open)
    .sort()
    .reverse();
  if (closed.length === 0) {
    throw new CreditDeskError(
      'NO_DATA',
      available.length
        ? `The CUR data has no closed billing period yet (found ${available.join(', ')}; ${open} is still open).`
        : 'The CUR data holds no billing period at all.',
      available.length
        ? 'Wait for the month to close, or pass --period YYYY-MM to sync an open period.'
        : 'Check --cur (or the Athena table), or run `credit-desk demo-data` for sample data.',
    );
  }
  return closed[0];
}

export function periodsToSync(available: string[], target: string, withPrevious: boolean): string[] {
  if (!available.includes(target)) {
    throw new CreditDeskError(
      'NO_DATA',
      `The CUR data has no billing period ${target}.`,
      available.length
        ? `Periods with data: ${available.slice(0, 12).join(', ')}.`
        : 'The source holds no data; check --cur or the Athena table.',
    );
  }
  const prev = previousPeriod(target);
  return withPrevious && available.includes(prev) ? [prev, target] : [target];
}
