/**
 * Progress and errors for server calls: while a call runs the status region says "Working…", every
 * button is disabled (so nothing is sent twice) and re-enabled after; a failure shows its message in the
 * red error region. Both regions are live, so screen readers announce them.
 */
import { byId } from './dom';

export interface Feedback {
  /** Runs a server call with progress; resolves to its value, or to undefined after showing its error. */
  run<T>(what: string, call: () => Promise<T>): Promise<T | undefined>;
  status(message: string): void;
  error(message: string): void;
  clearError(): void;
}

export function createFeedback(root: HTMLElement = document.body): Feedback {
  const statusRegion = byId('status');
  const errorRegion = byId('error');
  let running = 0;

  const status = (message: string) => {
    statusRegion.textContent = message;
  };
  const clearError = () => {
    errorRegion.textContent = '';
    errorRegion.hidden = true;
  };
  const error = (message: string) => {
    errorRegion.textContent = message;
    errorRegion.hidden = false;
  };

  async function run<T>(what: string, call: () => Promise<T>): Promise<T | undefined> {
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
      error(err instanceof Error ? err.message : String(err));
      return undefined;
    } finally {
      disabled.forEach((b) => (b.disabled = false));
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
