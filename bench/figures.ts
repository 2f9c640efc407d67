/** A benchmark returns figures; bench/index.ts prints them. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
}

export function seconds(fromMs: number): number {
  return Math.round((performance.now() - fromMs) / 10) / 100;
}

/** A small deterministic PRNG, so every run measures the same data. */
export { seededRandom as prng } from '../sync-service/demo/seeded-random';
