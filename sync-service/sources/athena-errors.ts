/**
 * The errors the Athena source raises at run time (the query failed, was stopped, or Athena kept refusing a
 * request). Configuration mistakes (bad identifiers, unknown table) are CreditDeskErrors instead, because the
 * person can fix them by changing an option.
 */
export type AthenaFailureKind =
  'FAILED' | 'CANCELLED' | 'TIMEOUT' | 'ABORTED' | 'RETRIES_EXHAUSTED' | 'REQUEST';

export class AthenaQueryError extends Error {
  readonly kind: AthenaFailureKind;
  readonly hint: string;
  readonly queryExecutionId: string | undefined;

  constructor(kind: AthenaFailureKind, message: string, hint: string, queryExecutionId?: string) {
    // Same layout as CreditDeskError, so the CLI can print either one as it is.
    super(hint ? `${message}\n  → ${hint}` : message);
    this.name = 'AthenaQueryError';
    this.kind = kind;
    this.hint = hint;
    this.queryExecutionId = queryExecutionId;
  }
}
