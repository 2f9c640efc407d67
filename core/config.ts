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

/**
 * A spreadsheet stores "70%" typed into a percent-formatted cell as the number 0.7. A numeric cell in (0, 1] is
 * therefore ambiguous (70 % or 0.7 %?) and is refused rather than guessed; a misread share is a money error.
 */
export function isAmbiguousPercentCell(value: Cell): boolean {
  return typeof value === 'number' && value > 0 && value <= 1;
}

export function ambiguousPercentMessage(label: string, value: Cell): string {
  return `${label} is the number ${String(value)}, which is how a cell formatted as a percentage stores ${Math.round(Number(value) * 10000) / 100}%.`;
}

export const AMBIGUOUS_PERCENT_HINT =
  'Format the column as a plain number and write the percentage from 0 to 100 (e.g. 70); for a share of 1% or less, write it as text such as "0.5%".';

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
    if (isAmbiguousPercentCell(s.value)) {
      throw new CreditDeskError(
        'BAD_CONFIG',
        `Config row ${s.row}: ${ambiguousPercentMessage(`"${name}"`, s.value)}`,
        AMBIGUOUS_PERCENT_HINT,
      );
    }
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
