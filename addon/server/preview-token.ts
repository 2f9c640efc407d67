/**
 * What a preview showed, in a compact string the sidebar (or the menu's confirmation) hands back to Apply, so
 * Apply writes exactly the previewed credits and allocations — not whatever the selection or the sheet holds
 * by then. Pure.
 *
 * Layout: line 1 is JSON: the distinct [ruleId, allocation] choices and what the preview skipped; then one line per credit:
 * `creditId<TAB>choice index<TAB>fingerprint`, where the fingerprint is a hash of the cells the decision read
 * (credit-writes DECISION_INPUT_FIELDS). ~40 bytes per credit: 50,000 credits are ~2 MB through google.script.run.
 */
import type { Credit } from '../../core/credit';
import { CreditDeskError } from '../../core/errors';
import { decisionCells, DECISION_INPUT_FIELDS } from './credit-writes';

export interface PreviewedCredit {
  creditId: string;
  ruleId: string;
  allocation: string;
  fingerprint: string;
}

/** FNV-1a, 32 bits, as 8 hex digits: a change detector, not a security measure. */
function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

export function fingerprint(credit: Credit): string {
  const cells = decisionCells(credit);
  return fnv1a(DECISION_INPUT_FIELDS.map((f) => cells[f] ?? '').join('\u0001'));
}

export interface PreviewHeader {
  /** Credits the preview left alone because staff set them by hand / because they are collected. */
  skippedManual: number;
  skippedLocked: number;
}

export function encodePreview(
  items: { credit: Credit; ruleId: string; allocation: string }[],
  header: PreviewHeader = { skippedManual: 0, skippedLocked: 0 },
): string {
  const choices: [string, string][] = [];
  const at = new Map<string, number>();
  const lines = items.map(({ credit, ruleId, allocation }) => {
    const k = `${ruleId}\u0001${allocation}`;
    let i = at.get(k);
    if (i === undefined) {
      i = choices.length;
      choices.push([ruleId, allocation]);
      at.set(k, i);
    }
    return `${credit.creditId}\t${i}\t${fingerprint(credit)}`;
  });
  return [JSON.stringify({ choices, ...header }), ...lines].join('\n');
}

export function decodePreview(token: unknown): { credits: PreviewedCredit[]; header: PreviewHeader } {
  const bad = () =>
    new CreditDeskError(
      'USAGE',
      'The preview to apply is missing or unreadable.',
      'Press Preview again, then Apply.',
    );
  if (typeof token !== 'string' || token === '') throw bad();
  const [head, ...lines] = token.split('\n');
  let parsed: { choices: [string, string][] } & PreviewHeader;
  try {
    parsed = JSON.parse(head) as typeof parsed;
  } catch {
    throw bad();
  }
  const choices = Array.isArray(parsed.choices) ? parsed.choices : [];
  const header = {
    skippedManual: Number(parsed.skippedManual) || 0,
    skippedLocked: Number(parsed.skippedLocked) || 0,
  };
  const credits = lines.map((line) => {
    const [creditId, i, fp] = line.split('\t');
    const choice = choices[Number(i)];
    if (!creditId || !choice || !fp) throw bad();
    return { creditId, ruleId: choice[0], allocation: choice[1], fingerprint: fp };
  });
  return { credits, header };
}
