/**
 * Protected ranges for locked Credits rows (PROCESSING / PROCESSED), recomputed every run from the Status
 * column: protected ranges are cell ranges, so they do not follow a credit when staff sort, insert or delete
 * rows. Contiguous locked rows become one range over all columns, editable only by the sync's identity.
 *
 * Only ranges tagged with LOCK_TAG are ours; staff's own protections are never touched. The plan is
 * idempotent: ranges already right are left alone, wrong ones are updated in place, extras deleted, missing
 * ones added — so repeated runs never pile up ranges, and a run with nothing to fix sends nothing.
 */
import type { sheets_v4 } from '@googleapis/sheets';

export const LOCK_TAG = 'credit-desk:locked';

export interface RowRun {
  /** 0-based sheet row indexes, end-exclusive (row 0 is the header). */
  startRowIndex: number;
  endRowIndex: number;
}

/** Merges locked data rows into runs; locked[i] is data row i (sheet row index i + 1). */
export function lockedRuns(locked: readonly boolean[]): RowRun[] {
  const runs: RowRun[] = [];
  for (let i = 0; i < locked.length; i++) {
    if (!locked[i]) continue;
    const last = runs[runs.length - 1];
    if (last && last.endRowIndex === i + 1) last.endRowIndex = i + 2;
    else runs.push({ startRowIndex: i + 1, endRowIndex: i + 2 });
  }
  return runs;
}

function isOurs(p: sheets_v4.Schema$ProtectedRange): boolean {
  return p.description === LOCK_TAG;
}

function desiredRange(sheetId: number, run: RowRun, editor: string): sheets_v4.Schema$ProtectedRange {
  return {
    range: { sheetId, startRowIndex: run.startRowIndex, endRowIndex: run.endRowIndex },
    description: LOCK_TAG,
    warningOnly: false,
    editors: { users: [editor] },
  };
}

function sameRows(p: sheets_v4.Schema$ProtectedRange, sheetId: number, run: RowRun): boolean {
  const r = p.range ?? {};
  return (
    (r.sheetId ?? 0) === sheetId &&
    r.startRowIndex === run.startRowIndex &&
    r.endRowIndex === run.endRowIndex &&
    r.startColumnIndex == null &&
    r.endColumnIndex == null
  );
}

/**
 * Whether a protection of ours is editable by the sync's identity alone. Google makes the calling account an
 * editor of every range it protects (the reply echoes what was sent; spreadsheets.get lists the caller too:
 * recorded in ../shared/reference/sheets-recordings/WorksheetTest.test_add_protected_range_normal.json), so when
 * --sync-identity names another account than the one calling, the range reads back with the caller added.
 * Requiring exactly [editor] then rewrote every protection on every run, and each rewrite came back with the
 * caller again. So the caller (when known: the credentials' client_email) is accepted next to the identity;
 * anyone else — a person who widened the range — is still put back.
 */
export function editableBy(p: sheets_v4.Schema$ProtectedRange, editor: string, caller?: string): boolean {
  const e = p.editors ?? {};
  const allowed = new Set([editor.toLowerCase(), ...(caller ? [caller.toLowerCase()] : [])]);
  const users = (e.users ?? []).map((u) => u.toLowerCase());
  return (
    !p.warningOnly &&
    users.includes(editor.toLowerCase()) &&
    users.every((u) => allowed.has(u)) &&
    !(e.groups ?? []).length &&
    !e.domainUsersCanEdit
  );
}

/**
 * The requests that make our protected ranges on `sheetId` equal the runs of `locked`.
 * `existing` is every protected range of the sheet (ours are picked by tag).
 */
export function planProtection(args: {
  sheetId: number;
  locked: readonly boolean[];
  existing: readonly sheets_v4.Schema$ProtectedRange[];
  editor: string;
  /** The account calling the API, which Google adds to the editors (editableBy); undefined when unknown. */
  caller?: string;
  /**
   * Ids for new ranges, chosen here rather than by the server: a request retried after the server applied it
   * then fails with "already exists" instead of silently adding a second copy of each range.
   */
  newId: () => number;
}): sheets_v4.Schema$Request[] {
  const { sheetId, editor } = args;
  const ours = args.existing.filter(isOurs);
  const wanted = lockedRuns(args.locked);

  // 1. Leave alone what is already right.
  const unmatched = [...ours];
  const todo: RowRun[] = [];
  for (const run of wanted) {
    const i = unmatched.findIndex((p) => sameRows(p, sheetId, run) && editableBy(p, editor, args.caller));
    if (i >= 0) unmatched.splice(i, 1);
    else todo.push(run);
  }
  // 2. Reuse the rest in place (keeps ids stable), 3. delete extras, 4. add what is still missing.
  const requests: sheets_v4.Schema$Request[] = [];
  for (const run of todo) {
    const reuse = unmatched.shift();
    const want = desiredRange(sheetId, run, editor);
    if (reuse) {
      requests.push({
        updateProtectedRange: {
          protectedRange: { ...want, protectedRangeId: reuse.protectedRangeId },
          fields: 'range,description,warningOnly,editors',
        },
      });
    } else {
      requests.push({ addProtectedRange: { protectedRange: { ...want, protectedRangeId: args.newId() } } });
    }
  }
  for (const extra of unmatched)
    requests.push({ deleteProtectedRange: { protectedRangeId: extra.protectedRangeId } });
  return requests;
}
