/**
 * The Config tab: the default configuration used when no rule matches.
 */
import { CreditDeskError } from './errors';
import { text, type Cell } from './table';
import type { ConfigField } from './sheet-contract';
import type { DefaultConfiguration } from './rules/types';

/** "60", "60%", "12.5" → basis points. Null when the text is not a percentage in 0..100 with at most 2 decimals. */
export function parsePercentBp(value: Cell): number | null {
  const t = text(value).replace(/%$/, '').trim();
  if (!/^\d+(\.\d{1,2})?$/.test(t)) return null;
  const [i, f = ''] = t.split('.');
  const bp = Number(i) * 100 + Number(f.padEnd(2, '0'));
  return bp <= 10000 ? bp : null;
}

export function formatPercentBp(bp: number): string {
  const i = Math.floor(bp / 100);
  const f = bp % 100;
  return f === 0 ? String(i) : `${i}.${String(f).padStart(2, '0').replace(/0$/, '')}`;
}

export function parseConfig(
  records: { row: number; record: Record<ConfigField, Cell> }[],
): DefaultConfiguration {
  const settings = new Map<string, { row: number; value: Cell }>();
  for (const { row, record } of records)
    settings.set(text(record.setting).toLowerCase(), { row, value: record.value });
  const read = (name: string, fallback: number): number => {
    const s = settings.get(name.toLowerCase());
    if (!s || text(s.value) === '') return fallback;
    const bp = parsePercentBp(s.value);
    if (bp === null) {
      throw new CreditDeskError(
        'BAD_CONFIG',
        `Config row ${s.row}: "${name}" is "${text(s.value)}", not a percentage from 0 to 100.`,
        'Write a number such as 100 or 12.5.',
      );
    }
    return bp;
  };
  const customerBp = read('Default customer %', 10000);
  const resellerBp = read('Default reseller %', 0);
  if (customerBp + resellerBp > 10000) {
    throw new CreditDeskError(
      'BAD_CONFIG',
      `Config: the default customer % and reseller % add up to ${formatPercentBp(customerBp + resellerBp)}%, over 100%.`,
      'Lower one of them so the two add up to 100 or less.',
    );
  }
  return { customerBp, resellerBp };
}
