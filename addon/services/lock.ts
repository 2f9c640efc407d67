/**
 * One writer per spreadsheet at a time. The DOCUMENT lock, not the script lock: one add-on project serves
 * every spreadsheet it is installed in, and a script lock would make all of them wait for each other.
 */
import { CreditDeskError } from '../../core/errors';

const WAIT_MS = 30_000;

export function withDocumentLock<T>(work: () => T): T {
  const lock = LockService.getDocumentLock();
  if (!lock.tryLock(WAIT_MS)) {
    throw new CreditDeskError(
      'LOCKED',
      'Someone else is changing this spreadsheet through Credit Desk right now (waited 30 seconds).',
      'Try again in a minute.',
    );
  }
  try {
    return work();
  } finally {
    lock.releaseLock();
  }
}
