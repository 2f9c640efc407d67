/**
 * Every error the domain raises is a CreditDeskError: a code a program can branch on, a message that says
 * what is wrong and where, and a hint that says what to do next. Both sides (CLI and add-on) show
 * `message` and `hint` as they are.
 */
export type ErrorCode =
  | 'BAD_MONEY'
  | 'BAD_ALLOCATION'
  | 'BAD_TRANSITION'
  | 'BAD_RULE'
  | 'BAD_ACCOUNTS'
  | 'BAD_CONFIG'
  | 'BAD_CUR_ROW'
  | 'BAD_SHEET'
  | 'UNKNOWN_CREDIT'
  | 'UNKNOWN_TARGET'
  | 'LOCKED'
  /** Someone else changed what this command read before it could write (compare-and-set refused). */
  | 'CONFLICT'
  /** Connect's API refused a call or did not answer (sync-service/connect-api/client.ts). */
  | 'CONNECT'
  | 'NO_DATA'
  | 'USAGE';

export class CreditDeskError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;

  constructor(code: ErrorCode, message: string, hint = '') {
    super(hint ? `${message}\n  → ${hint}` : message);
    this.name = 'CreditDeskError';
    this.code = code;
    this.hint = hint;
  }
}

export function isCreditDeskError(err: unknown): err is CreditDeskError {
  return err instanceof Error && (err as CreditDeskError).name === 'CreditDeskError';
}
