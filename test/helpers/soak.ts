/**
 * The one switch between `npm test` and `npm run soak` (issue 22 item 6): `npm test` must stay under 6 minutes
 * on two cores, so the randomized trials (racing processes, crashes at random steps, fast-check runs that each
 * build a workbook) run a few times there, on a fixed seed that covers the interesting cases; `npm run soak`
 * sets CREDIT_DESK_SOAK=1 and runs every test file that imports this one with the full counts. The assertions
 * are the same code either way: only how many times they run differs.
 */

/** True under `npm run soak` (CREDIT_DESK_SOAK=1). */
export const SOAK = process.env.CREDIT_DESK_SOAK === '1';

/** How many trials to run: `fast` in `npm test`, `soak` in `npm run soak`. */
export function trialCount(fast: number, soak: number): number {
  return SOAK ? soak : fast;
}

/**
 * fast-check parameters for a property with no seed of its own: in `npm test` `fast` runs on a fixed `seed`
 * (the same cases on every machine, so a red run is reproducible as is); in `npm run soak` `soak` runs on a
 * fresh seed each time (fast-check prints it on a failure), so soaking keeps finding new cases.
 */
export function propertyRuns(fast: number, soak: number, seed: number): { numRuns: number; seed?: number } {
  return SOAK ? { numRuns: soak } : { numRuns: fast, seed };
}
