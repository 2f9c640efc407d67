/**
 * The sidebar follows the selection: while it is open it asks the server where the selection is
 * (getSelectionKey, four cheap calls) every few seconds, and reloads the credit when that changed.
 *
 * Light on purpose — Apps Script has no selection-change event for a sidebar, so a poll is the only way, and
 * every call spends the person's daily quota of script run time: no call while the page is hidden
 * (document.visibilityState), never two at once (the next one is scheduled only when the last has answered),
 * and no call while another server call runs (`busy`). A failure stops the poll for good, with a message
 * pointing at Refresh, rather than retrying against a broken or revoked session every few seconds.
 */
export interface FollowOptions {
  /** Where the selection is now (the server's getSelectionKey). */
  poll(): Promise<string>;
  /** Called with the new key when the selection moved; resolves when the sidebar has reloaded. */
  changed(key: string): Promise<void>;
  /** The key the sidebar currently shows (from its last getSelectedCredit). */
  current(): string;
  /** Stopped after an error: tell the person. */
  stopped(error: unknown): void;
  visible(): boolean;
  busy(): boolean;
  intervalMs?: number;
  /** setTimeout, replaceable in tests. */
  schedule?: (fn: () => void, ms: number) => unknown;
}

/** Starts polling; returns a function that stops it. */
export function followSelection(opts: FollowOptions): () => void {
  const interval = opts.intervalMs ?? 3000;
  const schedule = opts.schedule ?? ((fn, ms) => setTimeout(fn, ms));
  let stopped = false;
  const next = () => {
    if (!stopped) schedule(() => void tick(), interval);
  };
  async function tick(): Promise<void> {
    if (stopped) return;
    if (!opts.visible() || opts.busy()) return next();
    try {
      const key = await opts.poll();
      if (!stopped && key !== opts.current()) await opts.changed(key);
    } catch (err) {
      stopped = true;
      opts.stopped(err);
      return;
    }
    next();
  }
  next();
  return () => {
    stopped = true;
  };
}
