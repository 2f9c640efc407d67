/**
 * A typed promise wrapper over google.script.run: `await callServer('assignCredit', id, text)` is checked
 * against ServerApi (addon/api.ts), the contract the server's top-level functions implement.
 */
import type { ServerApi } from '../api';

/** The part of the client-side google.script.run API we use (no @types package is installed for it). */
export interface ScriptRunner {
  withSuccessHandler(handler: (value: unknown) => void): ScriptRunner;
  withFailureHandler(handler: (error: unknown) => void): ScriptRunner;
  [serverFunction: string]: unknown;
}

declare global {
  interface Window {
    google?: { script?: { run?: ScriptRunner } };
  }
}

export type ServerFunction = keyof ServerApi;

/** Outside Apps Script (a plain browser) there is no google.script.run: say so instead of failing obscurely. */
function runner(): ScriptRunner {
  const run = window.google?.script?.run;
  if (!run)
    throw new Error(
      'google.script.run is not available: open this sidebar from the Credit Desk menu in Google Sheets.',
    );
  return run;
}

/**
 * Google refuses google.script.run from a browser signed in to several Google accounts: the call runs as the
 * default account, which may not be the one that opened the sheet, and fails with PERMISSION_DENIED /
 * "Authorization is required" — "Won't Fix (Intended Behavior)" (Google issue tracker 69270374 and 243636252,
 * /work/shared/reference/apps-script-review.md §7). Said plainly, with what to do.
 */
export function explainFailure(error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  if (/PERMISSION_DENIED|Authorization is required|authori[sz]ation.*required/i.test(message))
    return new Error(
      'Google refused the call: this browser is signed in to more than one Google account. Open the ' +
        'spreadsheet in a window signed in to one account only (a private or incognito window, or a separate ' +
        'browser profile), then open the sidebar again.',
    );
  return error instanceof Error ? error : new Error(message);
}

export function callServer<K extends ServerFunction>(
  fn: K,
  ...args: Parameters<ServerApi[K]>
): Promise<ReturnType<ServerApi[K]>> {
  return new Promise((resolve, reject) => {
    const bound = runner()
      .withSuccessHandler((value) => resolve(value as ReturnType<ServerApi[K]>))
      .withFailureHandler((error) => reject(explainFailure(error)));
    const call = bound[fn];
    if (typeof call !== 'function') {
      reject(
        new Error(`The server has no function ${fn}; the add-on may be out of date. Reload the sidebar.`),
      );
      return;
    }
    (call as (...a: unknown[]) => void).apply(bound, args);
  });
}
