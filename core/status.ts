/**
 * The credit lifecycle. PENDING_ASSIGN → ASSIGNED → PROCESSING → PROCESSED, with ASSIGNED editable and
 * deletable until the usage process collects it. Who may move a credit matters as much as where it goes:
 * staff can assign, edit and unassign; only the usage process collects and closes.
 */
import { CreditDeskError } from './errors';

export const STATUSES = ['PENDING_ASSIGN', 'ASSIGNED', 'PROCESSING', 'PROCESSED'] as const;
export type Status = (typeof STATUSES)[number];

export type Action = 'assign' | 'edit' | 'unassign' | 'collect' | 'close';

interface Transition {
  from: Status;
  to: Status;
  actor: 'staff' | 'usage';
}

const TRANSITIONS: Record<Action, Transition> = {
  assign: { from: 'PENDING_ASSIGN', to: 'ASSIGNED', actor: 'staff' },
  edit: { from: 'ASSIGNED', to: 'ASSIGNED', actor: 'staff' },
  unassign: { from: 'ASSIGNED', to: 'PENDING_ASSIGN', actor: 'staff' },
  collect: { from: 'ASSIGNED', to: 'PROCESSING', actor: 'usage' },
  close: { from: 'PROCESSING', to: 'PROCESSED', actor: 'usage' },
};

export function isStatus(value: unknown): value is Status {
  return typeof value === 'string' && (STATUSES as readonly string[]).includes(value);
}

/** PROCESSING and PROCESSED credits are read-only for everyone but the usage process. */
export function isLocked(status: Status): boolean {
  return status === 'PROCESSING' || status === 'PROCESSED';
}

/** The actions staff may take on a credit in this status. */
export function allowedActions(status: Status): Action[] {
  return (Object.keys(TRANSITIONS) as Action[]).filter((a) => TRANSITIONS[a].from === status);
}

/**
 * The status after `action`, or a CreditDeskError naming the credit, its status and what is allowed.
 * `assign` on an ASSIGNED credit is treated as `edit`: re-assigning is how staff edit.
 */
export function transition(creditId: string, status: Status, action: Action): Status {
  const effective: Action = action === 'assign' && status === 'ASSIGNED' ? 'edit' : action;
  const t = TRANSITIONS[effective];
  if (t.from === status) return t.to;
  const allowed = allowedActions(status);
  const allowedText = allowed.length ? `allowed: ${allowed.join(', ')}` : 'it is read-only';
  const hint = isLocked(status)
    ? `${creditId} was collected by the usage process; it can no longer change.`
    : `Allowed for ${status}: ${allowed.join(', ')}.`;
  throw new CreditDeskError(
    'BAD_TRANSITION',
    `Cannot ${action} credit ${creditId}: it is ${status} (${allowedText}).`,
    hint,
  );
}
