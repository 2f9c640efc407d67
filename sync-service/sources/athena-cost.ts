/**
 * What an Athena query cost: $5 per TB scanned, billed by the megabyte rounded up, at least 10 MB per query
 * (shared/reference/credits-domain.md §4). Decimal units (1 MB = 10^6 bytes, 1 TB = 10^6 MB) so the figure
 * is an upper bound rather than an underestimate. Integer micro-dollars: $5 per 10^6 MB is exactly 5 µ$/MB.
 */
const BYTES_PER_MB = 1_000_000;
const MINIMUM_BILLED_MB = 10;
const MICRO_USD_PER_MB = 5;

export interface ScanCost {
  billedMegabytes: number;
  microUsd: number;
}

export function athenaScanCost(bytesScanned: number): ScanCost {
  const mb = Math.ceil(Math.max(0, bytesScanned) / BYTES_PER_MB);
  const billedMegabytes = Math.max(MINIMUM_BILLED_MB, mb);
  return { billedMegabytes, microUsd: billedMegabytes * MICRO_USD_PER_MB };
}

/** 50 → "$0.00005", 5_000_000 → "$5" */
export function formatMicroUsd(microUsd: number): string {
  const whole = Math.floor(microUsd / 1_000_000);
  const fraction = String(microUsd % 1_000_000)
    .padStart(6, '0')
    .replace(/0+$/, '');
  return `$${whole}${fraction ? `.${fraction}` : ''}`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function describeScan(bytesScanned: number): string {
  const cost = athenaScanCost(bytesScanned);
  return `scanned ${formatBytes(bytesScanned)}, about ${formatMicroUsd(cost.microUsd)} (billed ${cost.billedMegabytes} MB at $5 per TB)`;
}
