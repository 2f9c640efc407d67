/** A benchmark returns figures; bench/index.ts prints them. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
}

export function seconds(fromMs: number): number {
  return Math.round((performance.now() - fromMs) / 10) / 100;
}

/** A small deterministic PRNG (mulberry32), so every run measures the same data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
