/**
 * Counts every call a caller makes on a fake Apps Script object, per "Class.method", so tests and the bench
 * can assert that an action's spreadsheet calls do not grow with the number of rows.
 *
 * Fakes hand callers Proxies made by `wrap`; a fake's own code works on the raw objects, so calls between
 * fakes are not counted — only what the add-on's code does is.
 */
/** Thrown into the script when its execution is killed (see CallLog.killExecutionAt). */
export class ExecutionKilled extends Error {
  constructor(at: string) {
    super(`Exceeded maximum execution time (killed at ${at})`);
  }
}

export class CallLog {
  private readonly counts = new Map<string, number>();
  private killAt: ((name: string) => boolean) | null = null;
  private killed = false;
  /**
   * Runs every counted call (`invoke`) for a front that needs to see it: the in-memory spreadsheet uses it to
   * keep SpreadsheetApp's bundled operations out of the Sheets API's view until they land (spreadsheet-app.ts).
   */
  around: ((name: string, invoke: () => unknown) => unknown) | null = null;

  /**
   * Kills the running execution at the first call `when` matches, as Apps Script does at its runtime limit
   * ("Script runtime 6 min / execution", https://developers.google.com/apps-script/guides/services/quotas; a
   * simple trigger "can't run for longer than 30 seconds", https://developers.google.com/apps-script/guides/triggers).
   * A killed execution runs nothing more — no catch, no `finally`. JavaScript always runs `finally` on a
   * throw, so the emulator gets the same effect by making that call and every later one of the execution
   * throw without doing anything. Google's pages don't say whether the call in flight at the limit takes
   * effect; modelled the stricter way for a marker's owner: it does not, and nothing after it does.
   */
  killExecutionAt(when: (name: string) => boolean): void {
    this.killAt = when;
    this.killed = false;
  }

  private readonly ends: (() => void)[] = [];
  /** `fn` runs whenever a test says an execution is over (nextExecution, reset). */
  onExecutionEnd(fn: () => void): void {
    this.ends.push(fn);
  }

  /** The killed execution is over; the next one (another trigger, another sidebar call) runs normally. */
  nextExecution(): void {
    this.killAt = null;
    this.killed = false;
    for (const fn of this.ends) fn();
  }

  hit(name: string): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
  }

  /** Calls of one "Class.method", or of every method whose name matches the predicate. */
  count(nameOrFilter: string | ((name: string) => boolean)): number {
    const match = typeof nameOrFilter === 'string' ? (n: string) => n === nameOrFilter : nameOrFilter;
    let total = 0;
    for (const [name, n] of this.counts) if (match(name)) total += n;
    return total;
  }

  /** Every call on the spreadsheet service (SpreadsheetApp and the objects it hands out). */
  spreadsheetCalls(): number {
    return this.count((n) => SPREADSHEET_CLASSES.has(n.slice(0, n.lastIndexOf('.'))));
  }

  /** Calls that move cell contents (values, notes, formulas) between the script and the sheet. */
  dataCalls(): number {
    return this.count((n) => DATA_METHODS.has(n.slice(n.lastIndexOf('.') + 1)));
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b)));
  }

  /** Counting starts again: a test does this before the execution it measures, so the one before is over. */
  reset(): void {
    this.counts.clear();
    for (const fn of this.ends) fn();
  }

  /** A Proxy over `target` that counts each method call as `className.method`. Names starting with `_` are internal. */
  wrap<T extends object>(target: T, className: string): T {
    const proxy: T = new Proxy(target, {
      get: (obj, prop, receiver) => {
        const value = Reflect.get(obj, prop, receiver);
        if (
          typeof value !== 'function' ||
          typeof prop !== 'string' ||
          prop.startsWith('_') ||
          prop === 'constructor'
        ) {
          return value;
        }
        return (...args: unknown[]) => {
          const name = `${className}.${prop}`;
          if (this.killed || this.killAt?.(name)) {
            this.killed = true;
            throw new ExecutionKilled(name);
          }
          this.hit(name);
          const invoke = () => (value as (...a: unknown[]) => unknown).apply(obj, args);
          const out = this.around ? this.around(name, invoke) : invoke();
          // A chaining method (withKey, setDescription, …) returns its own object: hand back the counted
          // proxy, so the next call in the chain (withKey(k).find()) is counted too.
          return out === obj ? proxy : out;
        };
      },
    });
    return proxy;
  }
}

const SPREADSHEET_CLASSES = new Set([
  'SpreadsheetApp',
  'Spreadsheet',
  'Sheet',
  'Range',
  'RangeList',
  'Filter',
  'FilterCriteria',
  'FilterCriteriaBuilder',
  'Protection',
  'DeveloperMetadata',
  'DeveloperMetadataFinder',
  'Sheets.Spreadsheets',
  'Sheets.Spreadsheets.Values',
]);

const DATA_METHODS = new Set([
  'getValues',
  'getDisplayValues',
  'setValues',
  'getValue',
  'setValue',
  'getNotes',
  'setNotes',
  'getNote',
  'setNote',
  'clearNote',
  'getFormulas',
  'appendRow',
  'clearContent',
  'clear',
  'isRowHiddenByFilter',
  'batchUpdate',
  'batchGet',
  'get',
]);
