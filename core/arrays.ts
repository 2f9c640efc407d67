/**
 * Array helpers that work at any size. `target.push(...items)` and `Math.max(...items)` pass every item as an
 * argument, and past about 120,000 (a month's credits at a big distributor) V8 throws "Maximum call stack size
 * exceeded": a collect of 150,000 credits failed that way. test/lint/spread-arguments.test.ts keeps these the
 * only way core/ and sync-service/ do it.
 */

/** Appends `items` to `target` in place; returns `target`. */
export function pushAll<T>(target: T[], items: Iterable<T>): T[] {
  for (const item of items) target.push(item);
  return target;
}

/** The largest of `values`, or `empty` when there is none. */
export function maxOf(values: Iterable<number>, empty = -Infinity): number {
  let max = empty;
  let seen = false;
  for (const v of values) {
    max = seen ? Math.max(max, v) : v;
    seen = true;
  }
  return seen ? max : empty;
}
