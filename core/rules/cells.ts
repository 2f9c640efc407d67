/**
 * Readers for the cells of one Rules-tab row. Each returns the value, or a Refusal that says what is wrong
 * and what to write instead; parse.ts turns refusals into RuleProblems that name the row.
 */
import { text, type Cell } from '../table';
import type { ContextMode, MatchType } from './types';

export interface Refusal {
  refused: string;
}

export type Read<T> = T | Refusal;

export function isRefusal<T>(value: Read<T>): value is Refusal {
  return typeof value === 'object' && value !== null && 'refused' in value;
}

const refuse = (refused: string): Refusal => ({ refused });

/** Shows a cell in a message, cut short so a pasted essay does not flood the report. */
export function quote(cell: Cell | string): string {
  const t = typeof cell === 'string' ? cell.trim() : text(cell);
  return JSON.stringify(t.length > 60 ? `${t.slice(0, 57)}...` : t);
}

/** Blank Match means exact: the description as written. "regexp" and "re" are accepted for regex. */
export function readMatch(cell: Cell): Read<MatchType> {
  const t = text(cell).toLowerCase();
  if (t === '' || t === 'exact') return 'exact';
  if (t === 'contains') return 'contains';
  if (t === 'regex' || t === 'regexp' || t === 're') return 'regex';
  return refuse(`Match is ${quote(cell)}, not a match type. Write exact, contains or regex.`);
}

const CONTEXT_WORDS: Record<string, ContextMode> = {
  all: 'ALL',
  only: 'ONLY',
  'only selected': 'ONLY',
  selected: 'ONLY',
  exclude: 'EXCLUDE',
  excluded: 'EXCLUDE',
  'exclude selected': 'EXCLUDE',
  // CloudBlue's customer-context wording for "everyone except the listed ones".
  'only excluded': 'EXCLUDE',
};

/**
 * ALL / ONLY / EXCLUDE, also CloudBlue's wording ("Only selected", "Exclude selected", "Only excluded"),
 * any case. Blank means ALL when the list is blank too; a blank context with IDs is refused, because
 * guessing between ONLY and EXCLUDE would silently do the opposite of what was meant half the time.
 */
export function readContextMode(cell: Cell, label: string, hasIds: boolean): Read<ContextMode> {
  const t = text(cell).toLowerCase().replace(/\s+/g, ' ');
  if (t === '') {
    return hasIds
      ? refuse(
          `${label} Context is blank but IDs are listed. Write ONLY (just these) or EXCLUDE (all but these).`,
        )
      : 'ALL';
  }
  const mode = CONTEXT_WORDS[t];
  if (!mode) return refuse(`${label} Context is ${quote(cell)}, not a context. Write ALL, ONLY or EXCLUDE.`);
  return mode;
}

/** IDs separated by commas, semicolons or line breaks; blanks and repeats dropped, order kept. */
export function readIdList(cell: Cell): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const part of text(cell).split(/[,;\r\n]+/)) {
    const id = part.trim();
    if (id && !seen.has(id)) {
      seen.add(id);
      out.push(id);
    }
  }
  return out;
}

/**
 * YYYY-MM. Sheets likes to turn "2026-03" into a date, which the adapters hand over as ISO text
 * ("2026-03-01" or "2026-03-01T00:00:00.000Z"), so those are read as their month. Blank = open (null).
 */
export function readPeriod(cell: Cell, label: string): Read<string | null> {
  const t = text(cell);
  if (t === '') return null;
  const m = /^(\d{4})-(\d{1,2})(?:-\d{2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?)?$/.exec(t);
  const month = m ? Number(m[2]) : 0;
  if (!m || month < 1 || month > 12) {
    return refuse(
      `${label} is ${quote(cell)}, not a month. Write the month as YYYY-MM (e.g. 2026-03), or leave it blank for no limit.`,
    );
  }
  return `${m[1]}-${String(month).padStart(2, '0')}`;
}

const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * The Created cell: an ISO date ("2026-03-01") or timestamp ("2026-03-01T09:30:00Z"). Returns the text as
 * written (trimmed) and its instant in milliseconds. A date or a timestamp without a zone is read as UTC,
 * so Node and Apps Script (whatever their time zones) rank rules the same way.
 */
export function readCreated(cell: Cell): Read<{ text: string; ms: number }> {
  const t = text(cell);
  const ms = createdMillis(t);
  if (ms === null) {
    return refuse(
      `Created is ${quote(cell)}, not a date. Write an ISO date such as 2026-03-01 (or a full timestamp such as 2026-03-01T09:30:00Z).`,
    );
  }
  return { text: t, ms };
}

/** Milliseconds for an ISO date or timestamp (UTC when no zone is given); null when it is not a real date. */
export function createdMillis(t: string): number | null {
  const m = ISO_DATE.exec(t.trim());
  if (!m) return null;
  const [, y, mo, d, h = '00', mi = '00', s = '00', zone] = m;
  const day = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  // Date.UTC rolls 2026-02-30 over to March; a real date survives the round trip.
  if (
    day.getUTCFullYear() !== Number(y) ||
    day.getUTCMonth() !== Number(mo) - 1 ||
    day.getUTCDate() !== Number(d)
  )
    return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${s}${m[0].match(/\.\d+/)?.[0] ?? ''}${zone ? normaliseZone(zone) : 'Z'}`;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

function normaliseZone(zone: string): string {
  return zone === 'Z' ? zone : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
}

const TRUE_WORDS = new Set(['', 'true', 'yes', 'y', '1', 'on', 'enabled']);
const FALSE_WORDS = new Set(['false', 'no', 'n', '0', 'off', 'disabled']);

/** TRUE/FALSE (a checkbox), yes/no, 1/0; blank = enabled, so a new row works without ticking anything. */
export function readEnabled(cell: Cell): Read<boolean> {
  if (typeof cell === 'boolean') return cell;
  const t = text(cell).toLowerCase();
  if (TRUE_WORDS.has(t)) return true;
  if (FALSE_WORDS.has(t)) return false;
  return refuse(
    `Enabled is ${quote(cell)}. Write TRUE or FALSE (or tick the checkbox); blank means enabled.`,
  );
}
