/**
 * The part of the sync summary that says what the CUR reading held back: credits held for review (and why) and
 * lines left out (with the CUR's own line identity), plus the exit code that tells a script something needs a
 * person. Kept apart from sync.ts so that file stays about the flow.
 */
import { leftOutText } from '../../core/cur';
import { displayMoney } from '../../core/money';
import { readRecords, text } from '../../core/table';
import type { AuditField } from '../../core/sheet-contract';
import type { Snapshot } from '../../core/sheet-changes';
import type { SyncReport } from './sync-report';

/** Exit code of a command that finished but left something for a person (documented in docs/user-guide.md). */
export const EXIT_ATTENTION = 3;

const LIST = 20;

/** "before|after" of every left-out line the Audit tab already records, so a re-sync does not repeat them. */
export function recordedLeftOut(snapshot: Snapshot): Set<string> {
  const out = new Set<string>();
  for (const { record } of readRecords<AuditField>('audit', snapshot.tabs.audit))
    if (text(record.action) === 'left-out') out.add(`${text(record.before)}|${text(record.after)}`);
  return out;
}

export function formatIntake(r: SyncReport): string[] {
  const lines: string[] = [];
  const ids = new Map<string, string>();
  for (const c of r.merge.adds) ids.set(c.key, c.creditId);
  for (const u of r.merge.updates) ids.set(u.key, u.creditId);
  // Listed: the awkward credits this sync added or changed. One a person already resolved (and the sync left
  // alone) is not listed again; the reconciliation line still counts it among the flagged money.
  const awkward = r.reading.credits.filter((c) => c.review.length > 0);
  const held = awkward.filter((c) => ids.has(c.key));
  if (awkward.length) {
    const byFlag = new Map<string, number>();
    for (const c of held) for (const v of c.review) byFlag.set(v.flag, (byFlag.get(v.flag) ?? 0) + 1);
    lines.push(
      `  ${'held'.padEnd(10)} ${String(held.length).padStart(7)}  ${
        held.length
          ? `new or changed, held for review (never assigned by rules or collected until a person deletes the flag): ${[
              ...byFlag,
            ]
              .map(([f, n]) => `${f} ${n}`)
              .join(', ')}`
          : `(${awkward.length} awkward credit${awkward.length === 1 ? '' : 's'} already in the sheet; see the Flags column)`
      }`,
    );
    for (const c of held.slice(0, LIST))
      lines.push(
        `             ${ids.get(c.key)} ${displayMoney(c.amount, c.currency)}: ${c.review.map((v) => `${v.flag} — ${v.detail}`).join('; ')}`,
      );
    if (held.length > LIST)
      lines.push(`             … and ${held.length - LIST} more (Flags column, Audit tab)`);
  }
  const out = r.reading.leftOut;
  if (out.length) {
    const count = out.reduce((n, l) => n + l.lines, 0);
    lines.push(
      `  ${'left out'.padEnd(10)} ${String(count).padStart(7)}  CUR lines that cannot be read at all (also in the Audit tab):`,
    );
    for (const l of out.slice(0, LIST)) lines.push(`             ${leftOutText(l, displayMoney)}`);
    if (out.length > LIST) lines.push(`             … and ${out.length - LIST} more in the Audit tab`);
    lines.push(
      '             Fix them in the CUR export (or ask AWS), then sync again; every other credit landed.',
    );
  }
  if (r.rules?.notApplied)
    lines.push(
      `  rules NOT applied: ${r.rules.ruleProblems.length} broken rule${r.rules.ruleProblems.length === 1 ? '' : 's'} (below). Fix them (credit-desk rules validate), then run credit-desk apply-rules — or pass --allow-broken-rules to apply the others.`,
      ...r.rules.ruleProblems.map((p) => `             ${p}`),
    );
  else if (r.rules?.ruleProblems.length)
    lines.push(
      `  ignored    ${String(r.rules.ruleProblems.length).padStart(7)}  broken rules (--allow-broken-rules):`,
      ...r.rules.ruleProblems.map((p) => `             ${p}`),
    );
  return lines;
}

/**
 * 0, or EXIT_ATTENTION when lines were left out, rules were not applied because some are broken, or credits of
 * the periods read are no longer in the CUR.
 */
export function syncExitCode(r: SyncReport): number {
  const gone = r.merge.notInCur.length + r.merge.collectedNotInCur.length;
  return r.reading.leftOut.length > 0 || r.rules?.notApplied || gone > 0 ? EXIT_ATTENTION : 0;
}
