/**
 * What the collection-proof properties share (collect-proof.property.test.ts on the Google Sheet,
 * collect-proof-workbook.property.test.ts on the workbook): the hand edits people make, drawn at random, and the
 * check every collection must pass. Each sink applies the edits its own way, as a person's edit reaches it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Credit } from '../../../core/credit';
import { CreditDeskError } from '../../../core/errors';
import { headersOf } from '../../../core/sheet-contract';
import type { UsageFile } from '../../../core/usage';
import { moveColumnByHand, sortByHand } from '../../helpers/hand-edits';
import { ACCOUNT_PARTIES, CUR_ACCOUNT } from './ledger-helpers';

export type Op =
  | { kind: 'assign'; row: number; allocation: string }
  | { kind: 'status'; row: number; value: string }
  | { kind: 'deleteRow'; row: number }
  | { kind: 'sort'; seed: number }
  | { kind: 'renameHeader'; header: string }
  | { kind: 'deleteColumn'; header: string }
  | { kind: 'restoreHeaders' }
  | { kind: 'moveColumn'; header: string; to: number }
  | { kind: 'deleteTab'; name: 'Credits' | 'Ledger' | 'Audit' }
  | { kind: 'deleteUsageFiles' }
  | { kind: 'pasteRow'; from: number; to: number }
  | { kind: 'copyRowBelow'; from: number }
  | { kind: 'copyCell'; header: string; from: number; to: number }
  | { kind: 'typeCell'; header: string; row: number; value: string }
  | { kind: 'typeOver'; header: string; row: number; value: string }
  | { kind: 'editAuditTrace'; from: number; to: number; keyToo: boolean };

const CREDIT_HEADERS = headersOf('credits');
const row = fc.nat(9);
export const op: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('assign' as const),
      row,
      allocation: fc.constantFrom('customer 100%', 'reseller 50%', 'customer 60%, reseller 40%', 'none'),
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('status' as const),
      row,
      value: fc.constantFrom('PENDING_ASSIGN', 'ASSIGNED', 'PROCESSING', 'PROCESSED', ''),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ kind: fc.constant('deleteRow' as const), row }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('sort' as const), seed: fc.integer() }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant('renameHeader' as const),
      header: fc.constantFrom(...CREDIT_HEADERS),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('deleteColumn' as const),
      header: fc.constantFrom('Allocation', 'Status', 'Flags', 'Distributor Keeps', 'Usage File ID', 'Notes'),
    }),
    weight: 1,
  },
  { arbitrary: fc.record({ kind: fc.constant('restoreHeaders' as const) }), weight: 2 },
  {
    arbitrary: fc.record({
      kind: fc.constant('moveColumn' as const),
      header: fc.constantFrom(...CREDIT_HEADERS),
      to: fc.nat(21),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('deleteTab' as const),
      name: fc.constantFrom('Credits' as const, 'Ledger' as const, 'Audit' as const),
    }),
    weight: 1,
  },
  { arbitrary: fc.record({ kind: fc.constant('deleteUsageFiles' as const) }), weight: 1 },
  // a whole row pasted over another, or copied below the table (a duplicate of a credit)
  { arbitrary: fc.record({ kind: fc.constant('pasteRow' as const), from: row, to: row }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('copyRowBelow' as const), from: row }), weight: 1 },
  // one cell copied from another row: another credit's ID, Key, usage IDs, amount or allocation
  {
    arbitrary: fc.record({
      kind: fc.constant('copyCell' as const),
      header: fc.constantFrom(
        'Credit ID',
        'Key',
        'Usage File ID',
        'Usage Record ID',
        'Amount',
        'Allocation',
        'Distributor Keeps',
        'Status',
      ),
      from: row,
      to: row,
    }),
    weight: 2,
  },
  // a value typed over a cell the sync or the usage process owns
  {
    arbitrary: fc.record({
      kind: fc.constant('typeCell' as const),
      header: fc.constantFrom('Amount', 'Key', 'Credit ID', 'Usage File ID', 'Flags', 'Currency', 'Period'),
      row,
      value: fc.constantFrom(
        '',
        '999.99',
        '0',
        'AWSC-202610-0000-0001',
        'UF-2026-12-0000-0000',
        'HOLD',
        'EUR',
        '2026-09',
      ),
    }),
    weight: 1,
  },
  // a plausible other value typed (or pasted) over a cell a usage record is billed by: another account's
  // customer, reseller or account, another currency, period or service
  {
    arbitrary: fc
      .record({
        cell: fc.constantFrom(
          ['Customer ID', 'CUST-2'],
          ['Reseller ID', 'RES-2'],
          ['Customer ID', ''],
          ['AWS Account', '333333333333'],
          ['Currency', 'EUR'],
          ['Period', '2026-09'],
          ['Service', 'AmazonS3'],
        ),
        row,
      })
      .map(({ cell, row }) => ({ kind: 'typeOver' as const, header: cell[0], value: cell[1], row })),
    weight: 2,
  },
  // an Audit `collect` row edited to name another credit: its Credit ID, and perhaps the Key in its record
  {
    arbitrary: fc.record({
      kind: fc.constant('editAuditTrace' as const),
      from: fc.nat(20),
      to: row,
      keyToo: fc.boolean(),
    }),
    weight: 2,
  },
);

/**
 * An Audit `collect` row (the `from`-th) edited by hand to name the Credits tab's `to`-th row not collected (any
 * row, when all are): its Credit ID, and with `keyToo` the Key in its record (the After cell's JSON) too. `audit` and `credits` are the tabs' cells, row 0
 * the headers.
 */
export function editAuditTrace<T>(
  o: Extract<Op, { kind: 'editAuditTrace' }>,
  audit: (T | string | null)[][],
  credits: (T | string | null)[][],
): void {
  const [id, action, after] = ['Credit ID', 'Action', 'After'].map((h) => audit[0]?.indexOf(h) ?? -1);
  const [creditId, key, status] = ['Credit ID', 'Key', 'Status'].map((h) => credits[0]?.indexOf(h) ?? -1);
  if ([id, action, after, creditId, key].includes(-1) || credits.length < 2) return;
  const rows = audit.slice(1).filter((r) => r[action] === 'collect');
  if (!rows.length) return;
  const edited = rows[o.from % rows.length];
  // Most often a credit not collected (the edit that could lock it away), else any.
  const open = credits.slice(1).filter((r) => !['PROCESSING', 'PROCESSED'].includes(String(r[status])));
  const among = open.length ? open : credits.slice(1);
  const target = among[o.to % among.length];
  edited[id] = target[creditId];
  if (o.keyToo && typeof edited[after] === 'string' && typeof target[key] === 'string')
    edited[after] = edited[after].replace(/"key":"[^"]*"/, `"key":"${target[key]}"`);
}

/**
 * Nothing is locked that no usage file bills: every PROCESSING or PROCESSED row's credit is in a usage record
 * (`collected`: every file so far, kept here even when the folder is deleted). A row locked outside one is a
 * credit dropped: never billed, and no command would take it again.
 */
export function expectNothingLockedUnbilled(sheet: Credit[], collected: Collected, ops: unknown): void {
  for (const c of sheet)
    if ((c.status === 'PROCESSING' || c.status === 'PROCESSED') && !collected.has(c.key))
      throw new Error(`${c.creditId} is ${c.status} in no usage record (ops ${JSON.stringify(ops)})`);
}

/**
 * The Ledger tab, the Audit tab and the usage files are the three copies of what was collected; each is enough
 * alone. A sequence that destroys all three leaves nothing that could prove a collection (issue 21 asks that
 * losing all of them stops `collect` while the locked rows are still there, which the example test covers), so
 * the generator keeps at least one.
 */
export function keepsOneRecord(ops: Op[]): boolean {
  const lost = new Set(
    ops.map((o) =>
      o.kind === 'deleteUsageFiles'
        ? 'files'
        : o.kind === 'deleteTab' && o.name !== 'Credits'
          ? o.name
          : o.kind === 'deleteColumn' && o.header !== 'Notes'
            ? 'column'
            : '',
    ),
  );
  return !(lost.has('files') && lost.has('Ledger') && lost.has('Audit'));
}

/** The usage journals of a folder (none when it is gone), read as they are on disk. */
export function usageFilesIn(dir: string): UsageFile[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => /^UF-.*\.json$/.test(n))
    .map((n) => JSON.parse(readFileSync(join(dir, n), 'utf8')) as UsageFile);
}

/** A refusal is a CreditDeskError (null); anything else is a failure of the test. */
export async function orRefusal<T>(run: () => Promise<T>): Promise<T | null> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof CreditDeskError) return null;
    throw e;
  }
}

/** Every collection so far: key → the usage file and the allocation it was collected with. */
export type Collected = Map<string, { file: string; allocation: string }>;

export function collectedIn(usageDir: string): Collected {
  const collected: Collected = new Map();
  for (const f of usageFilesIn(usageDir))
    for (const r of f.records) collected.set(r.key, { file: f.usageFileId, allocation: r.allocation });
  return collected;
}

/**
 * A new usage file against what was collected before: no key twice; each credit locked in the sheet exactly as
 * collected; each record's lines add up to the credit. Records the file's credits in `collected`.
 */
export function expectCollectedOnce(
  file: UsageFile,
  sheet: Credit[],
  collected: Collected,
  ops: unknown,
): void {
  for (const r of file.records) {
    const before = collected.get(r.key);
    if (before)
      throw new Error(
        `${r.creditId} collected twice: ${before.file} and ${file.usageFileId} (ops ${JSON.stringify(ops)})`,
      );
    collected.set(r.key, { file: file.usageFileId, allocation: r.allocation });
    expect(sheet.find((c) => c.key === r.key)).toMatchObject({
      status: 'PROCESSING',
      usageFileId: file.usageFileId,
      usageRecordId: r.usageRecordId,
      allocation: r.allocation,
      distributorKeeps: r.distributorKeeps,
    });
    expect(r.lines.reduce((s, l) => s + l.amount, 0)).toBe(r.amount);
  }
  expectBilledAsSynced(file, ops);
}

/**
 * Every record of the file is billed as the sync wrote its credit: the CUR's account and period
 * (ledger-helpers.ts sourceOf: one account, 2026-10), and the parties the Accounts tab gives that account
 * (ACCOUNT_PARTIES, which no sequence changes, so a correction's original had them too), each share going to
 * them: the allocations these sequences assign name no party ("customer 60%"), so a share is the credit's own
 * customer's or reseller's, never one typed over the row.
 */
export function expectBilledAsSynced(file: UsageFile, ops: unknown): void {
  for (const r of file.records) {
    if (r.accountId !== CUR_ACCOUNT || r.period !== '2026-10')
      throw new Error(
        `${r.creditId} billed as account ${r.accountId}, period ${r.period}: the CUR says ${CUR_ACCOUNT}, 2026-10 (ops ${JSON.stringify(ops)})`,
      );
    const own = ACCOUNT_PARTIES.get(r.accountId);
    for (const l of r.lines) {
      if (l.role === 'distributor') continue;
      const theirs = l.role === 'customer' ? own?.customerId : own?.resellerId;
      if (l.targetId !== theirs)
        throw new Error(
          `${r.creditId} billed its ${l.role} share to ${l.targetId}, the Accounts tab gives account ${r.accountId} ${theirs ?? 'no ' + l.role} (ops ${JSON.stringify(ops)})`,
        );
    }
    expect({ customerId: r.customerId, resellerId: r.resellerId }).toEqual(own);
  }
}

/** Headers renamed by the sequence so far: the new name → the contract's. */
export type Renamed = Map<string, string>;

/**
 * An edit of the Credits tab's cells (row 0 the headers), as a person makes it; tab- and folder-level edits
 * (deleteTab, deleteUsageFiles) are the sink's own.
 */
export function editCells<T>(o: Op, cells: (T | string | null)[][], renamed: Renamed): void {
  const at = (h: string) => cells[0].indexOf(h);
  const rowAt = (n: number) => (cells.length > 1 ? 1 + (n % (cells.length - 1)) : -1);
  switch (o.kind) {
    case 'assign': {
      const r = rowAt(o.row);
      if (r < 0 || at('Status') < 0 || at('Allocation') < 0) return;
      cells[r][at('Status')] = 'ASSIGNED';
      cells[r][at('Allocation')] = o.allocation;
      return;
    }
    case 'status': {
      const r = rowAt(o.row);
      if (r >= 0 && at('Status') >= 0) cells[r][at('Status')] = o.value;
      return;
    }
    case 'deleteRow': {
      const r = rowAt(o.row);
      if (r >= 0) cells.splice(r, 1);
      return;
    }
    case 'sort':
      sortByHand(cells, o.seed);
      return;
    case 'renameHeader': {
      const c = at(o.header);
      if (c < 0) return;
      cells[0][c] = `${o.header} (old)`;
      renamed.set(`${o.header} (old)`, o.header);
      return;
    }
    case 'deleteColumn': {
      const c = at(o.header);
      if (c >= 0) for (const r of cells) r.splice(c, 1);
      return;
    }
    case 'restoreHeaders': {
      // the person puts the names back; a deleted column comes back as an empty column at the end
      for (const [from, to] of renamed) {
        const c = at(from);
        if (c >= 0) cells[0][c] = to;
      }
      renamed.clear();
      for (const h of CREDIT_HEADERS) if (at(h) < 0) cells[0].push(h);
      return;
    }
    case 'moveColumn':
      moveColumnByHand(cells, o.header, o.to);
      return;
    case 'pasteRow': {
      const [from, to] = [rowAt(o.from), rowAt(o.to)];
      if (from >= 0) cells[to] = [...cells[from]];
      return;
    }
    case 'copyRowBelow': {
      const from = rowAt(o.from);
      if (from >= 0) cells.push([...cells[from]]);
      return;
    }
    case 'copyCell': {
      const [from, to, c] = [rowAt(o.from), rowAt(o.to), at(o.header)];
      if (from >= 0 && c >= 0) cells[to][c] = cells[from][c] ?? null;
      return;
    }
    case 'typeCell':
    case 'typeOver': {
      const [r, c] = [rowAt(o.row), at(o.header)];
      if (r >= 0 && c >= 0) cells[r][c] = o.value;
      return;
    }
    default:
      throw new Error(`${o.kind} is not an edit of cells`);
  }
}

/**
 * After a sync, no two credits hold the same Credit ID (staff name a credit by it: `assign <ID>`), but for a row
 * flagged UNMATCHED: another credit's ID, with none of its own to put back (core/reconcile.ts).
 */
export function expectIdsUnique(sheet: Credit[], ops: unknown): void {
  const seen = new Map<string, string>();
  for (const c of sheet) {
    if (!c.creditId || c.flags.includes('UNMATCHED')) continue;
    const other = seen.get(c.creditId);
    if (other !== undefined && other !== c.key)
      throw new Error(`${c.creditId} on two credits after a sync (ops ${JSON.stringify(ops)})`);
    seen.set(c.creditId, c.key);
  }
}
