/**
 * What `apply-rules` says about the credits it left alone. A month where thousands of credits sit on accounts
 * missing from the Accounts tab printed one warning per credit (6,685 lines, every run: issue 25), which
 * buries the one line that matters. By default the warnings are one line per reason with its count, most
 * frequent first; `--details` prints every credit with its reason, as before, and the summary names the
 * command that does so.
 */
import { explainHold } from '../../core/flags';
import type { RulePlan } from '../../core/assignment';

/** What the warnings are made from: the rules' plan and the credits it could not assign. */
type LeftAlone = { plan: RulePlan; failed: RulePlan['failed'] };

/** Reasons listed one per line; any further ones are counted in one more line (their texts vary per credit). */
const REASONS_SHOWN = 10;

export interface ReasonCount {
  reason: string;
  credits: number;
}

/** Distinct reasons with how many credits each, most credits first (ties: the order they were first met). */
export function countReasons(reasons: readonly string[]): ReasonCount[] {
  const counts = new Map<string, number>();
  for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  // Array.prototype.sort is stable: equal counts keep the Map's first-met order.
  return [...counts].map(([reason, credits]) => ({ reason, credits })).sort((a, b) => b.credits - a.credits);
}

/** The reason a credit could not be assigned, without its Credit ID: the allocation's message may start "credit AWSC-…:". */
export function failedReason(creditId: string, message: string): string {
  const first = message.split('\n')[0];
  const own = `credit ${creditId}: `;
  return first.startsWith(own) ? first.slice(own.length) : first;
}

/** A credit rules could not assign, named once. */
export function failedText(creditId: string, message: string): string {
  return `${creditId}: ${failedReason(creditId, message)}`;
}

/** "1 credit", "9,562 credits": a count as the apply-rules lines print it. */
export const count = (n: number, noun: string) => `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;

const credits = (n: number) => count(n, 'credit');

/**
 * The warning lines about credits left unassigned or held: with `details`, one per credit (as the sheet has them);
 * without, one per reason with its count.
 */
export function creditWarnings(o: LeftAlone, details: boolean): string[] {
  if (details)
    return [
      ...o.failed.map((f) => failedText(f.credit.creditId, f.message)),
      ...o.plan.skippedHeld.map(
        (c) => `${c.creditId}: held for review (${explainHold(c.flags)}); not assigned by rules.`,
      ),
    ];
  const failed = countReasons(o.failed.map((f) => failedReason(f.credit.creditId, f.message)));
  const held = countReasons(o.plan.skippedHeld.map((c) => explainHold(c.flags)));
  const lines = [
    ...failed.map((g) => ({
      n: g.credits,
      line: `${credits(g.credits)} could not be assigned: ${g.reason}`,
    })),
    ...held.map((g) => ({
      n: g.credits,
      line: `${credits(g.credits)} held for review (${g.reason}); not assigned by rules.`,
    })),
  ].sort((a, b) => b.n - a.n);
  if (lines.length <= REASONS_SHOWN) return lines.map((l) => l.line);
  const rest = lines.slice(REASONS_SHOWN - 1);
  const restCredits = rest.reduce((n, l) => n + l.n, 0);
  return [
    ...lines.slice(0, REASONS_SHOWN - 1).map((l) => l.line),
    `${credits(restCredits)} left alone for ${rest.length} other reasons (listed with --details).`,
  ];
}

/** True when the default warnings left out per-credit lines that --details would print. */
export function hasDetails(o: LeftAlone): boolean {
  return o.failed.length + o.plan.skippedHeld.length > 0;
}
