/**
 * Progress and errors for server calls: while a call runs the status region says "Working…", every
 * button is disabled (so nothing is sent twice) and re-enabled after; a failure shows its message in the
 * red error region. Both regions are live, so screen readers announce them.
 *
 * The error region is at the top of the sidebar; a panel far below it (Edit, Month) passes `errorAt`, its own
 * alert region beside its buttons, so the message appears where the person is looking, scrolled into view
 * (issue 24). A button a panel turned off for its own reason carries `data-off` and stays off after a call.
 */
import { byId } from './dom';

export interface RunOptions {
  /** Where a failure is shown instead of the top error region: an element with role="alert", hidden when empty. */
  errorAt?: HTMLElement;
}

export interface Feedback {
  /** Runs a server call with progress; resolves to its value, or to undefined after showing its error. */
  run<T>(what: string, call: () => Promise<T>, opts?: RunOptions): Promise<T | undefined>;
  status(message: string): void;
  error(message: string, at?: HTMLElement): void;
  clearError(): void;
}

export function createFeedback(root: HTMLElement = document.body): Feedback {
  const statusRegion = byId('status');
  const errorRegion = byId('error');
  let running = 0;

  const status = (message: string) => {
    statusRegion.textContent = message;
  };
  /** The regions that may hold an error now (the top one and every `errorAt` used so far). */
  const regions = new Set<HTMLElement>([errorRegion]);
  const clearError = () => {
    for (const r of regions) {
      r.textContent = '';
      r.hidden = true;
    }
  };
  const error = (message: string, at: HTMLElement = errorRegion) => {
    regions.add(at);
    at.textContent = message;
    at.hidden = false;
    if (at !== errorRegion && typeof at.scrollIntoView === 'function')
      at.scrollIntoView({ block: 'nearest' });
  };

  async function run<T>(what: string, call: () => Promise<T>, opts: RunOptions = {}): Promise<T | undefined> {
    clearError();
    running += 1;
    const disabled = disableButtons(root);
    root.setAttribute('aria-busy', 'true');
    statusRegion.classList.add('working');
    status(`Working… ${what}`);
    try {
      const value = await call();
      status(`Done: ${what}`);
      return value;
    } catch (err) {
      status(`Failed: ${what}`);
      error(err instanceof Error ? err.message : String(err), opts.errorAt);
      return undefined;
    } finally {
      disabled.forEach((b) => (b.disabled = b.hasAttribute('data-off')));
      running -= 1;
      if (running === 0) {
        root.removeAttribute('aria-busy');
        statusRegion.classList.remove('working');
      }
    }
  }

  return { run, status, error, clearError };
}

/** Disables the enabled buttons and returns them, so exactly those are re-enabled (Apply may stay off). */
function disableButtons(root: HTMLElement): HTMLButtonElement[] {
  const buttons = Array.from(root.querySelectorAll('button')).filter((b) => !b.disabled);
  buttons.forEach((b) => (b.disabled = true));
  return buttons;
}
