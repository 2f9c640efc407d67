/**
 * The write contract's suite (core/write-contract.ts), one for every writer of the Credits tab: each writer has a
 * small test file here that wraps it as a WriterUnderTest and calls describeWriterContract. A new sink is one
 * folder whose wrapper passes this suite.
 *
 * Every case is a command's life: the sheet is seeded, the command reads, a person works in the sheet (sorts,
 * deletes, types, the usage process collects), then the command writes what it planned from its read.
 */
import type { AuditField, CreditField } from '../../core/sheet-contract';
import {
  GUARDED_FIELDS,
  type ChangeSet,
  type CellUpdate,
  type GuardedField,
  type SkipKind,
} from '../../core/sheet-changes';
import { text, type Cell } from '../../core/table';
import { credit } from '../sync-service/sinks/workbook/workbook-helpers';

export type Row = Record<CreditField, Cell>;
export type AuditRow = Record<AuditField, Cell>;

/** What a writer reports, in the contract's terms. */
export interface ContractReport {
  /** Credits rows updated or appended. */
  written: number;
  skipped: { key: string; why: SkipKind }[];
}

export interface WriterUnderTest {
  /** The Credits tab holds these rows, in this order; the Audit tab none. */
  seed(rows: Row[]): Promise<void>;
  /** The command's read (a sink takes its lock here). */
  read(): Promise<void>;
  /** A person changes the Credits tab between the read and the write: its rows now → its rows after. */
  byHand(edit: (rows: Row[]) => Row[]): Promise<void>;
  write(changes: ChangeSet): Promise<ContractReport>;
  /** The Credits rows with a Key, in sheet order. */
  credits(): Promise<Row[]>;
  audit(): Promise<AuditRow[]>;
  /** Frees what the writer holds (lock, server, fake globals). */
  close(): Promise<void>;
}

const ASSIGNED = { status: 'ASSIGNED', allocation: 'customer 100%', ruleId: 'manual' };

/** An assignment planned from a pending credit read as `read`, with its Audit row: what `assign` hands a writer. */
function assign(n: number, read: Partial<Record<GuardedField, Cell>> = {}): CellUpdate {
  return {
    key: `key-${n}`,
    creditId: `CR-${n}`,
    fields: { ...ASSIGNED },
    expect: { status: 'PENDING_ASSIGN', allocation: '', ...read },
  };
}

function auditOf(n: number): AuditRow {
  return {
    when: '2024-06-02T08:00:00.000Z',
    who: 'ana@distributor.example',
    action: 'assign',
    creditId: `CR-${n}`,
    field: 'allocation',
    before: '',
    after: 'customer 100%',
  };
}

const assignments = (...ns: number[]): ChangeSet => ({
  updates: ns.map((n) => assign(n)),
  appends: [],
  audit: ns.map(auditOf),
});

/** The cells the cases look at, as text (each medium has its own cell types). */
const view = (rows: Row[]) =>
  rows.map((r) => ({
    key: text(r.key),
    status: text(r.status),
    allocation: text(r.allocation),
    ruleId: text(r.ruleId),
    notes: text(r.notes),
  }));
const auditView = (rows: AuditRow[]) =>
  rows.map((r) => `${text(r.creditId)} ${text(r.action)} ${text(r.after)}`);
const pending = (key: string, over: Partial<ReturnType<typeof view>[number]> = {}) => ({
  key,
  status: 'PENDING_ASSIGN',
  allocation: '',
  ruleId: '',
  notes: '',
  ...over,
});
const assigned = (key: string) => pending(key, { ...ASSIGNED });

/** What a person leaves in each guarded cell (a new guarded field must say what a person's edit of it is). */
const PERSON_TYPES: Record<GuardedField, Partial<Row>> = {
  status: { status: 'ASSIGNED', allocation: '' },
  allocation: { allocation: 'reseller 100%' },
};

export interface WriterKind {
  /** Whether it adds Credits rows: the add-on never does (new credits come from the sync), the sinks do. */
  appends: boolean;
}

export function describeWriterContract(
  name: string,
  make: () => Promise<WriterUnderTest>,
  kind: WriterKind,
): void {
  describe(`the write contract: ${name}`, () => {
    let w: WriterUnderTest;
    beforeEach(async () => {
      w = await make();
    });
    afterEach(() => w.close());

    const seed = (n: number, over: (i: number) => Partial<Row> = () => ({})) =>
      w.seed(Array.from({ length: n }, (_, i) => credit(i + 1, over(i + 1))));

    test('finds each row by its Key after rows were sorted and one deleted by hand; the deleted one is skipped', async () => {
      await seed(4);
      await w.read();
      // Sorted descending, key-2 deleted: key-1 is now the last row, where key-4 was read.
      await w.byHand((rows) => rows.reverse().filter((r) => r.key !== 'key-2'));
      const report = await w.write(assignments(1, 2, 3));
      expect(report).toEqual({ written: 2, skipped: [{ key: 'key-2', why: 'gone' }] });
      expect(view(await w.credits())).toEqual([pending('key-4'), assigned('key-3'), assigned('key-1')]);
      expect(auditView(await w.audit())).toEqual(['CR-1 assign customer 100%', 'CR-3 assign customer 100%']);
    });

    test.each(GUARDED_FIELDS.map((f) => [f]))(
      'compare-and-set: a credit whose %s a person changed since the read is skipped, their edit kept',
      async (field) => {
        await seed(3);
        await w.read();
        await w.byHand((rows) => rows.map((r) => (r.key === 'key-2' ? { ...r, ...PERSON_TYPES[field] } : r)));
        const report = await w.write(assignments(1, 2, 3));
        expect(report).toEqual({ written: 2, skipped: [{ key: 'key-2', why: 'changed' }] });
        const theirs = Object.fromEntries(Object.entries(PERSON_TYPES[field]).map(([f, v]) => [f, text(v)]));
        expect(view(await w.credits())).toEqual([
          assigned('key-1'),
          pending('key-2', theirs),
          assigned('key-3'),
        ]);
        // No Audit row claims a change that did not happen.
        expect(auditView(await w.audit())).toEqual([
          'CR-1 assign customer 100%',
          'CR-3 assign customer 100%',
        ]);
      },
    );

    test('a blank Status is PENDING_ASSIGN, as the domain reads it: the credit is written, not refused', async () => {
      await seed(2, () => ({ status: '' }));
      await w.read();
      const report = await w.write(assignments(1, 2));
      expect(report).toEqual({ written: 2, skipped: [] });
      expect(view(await w.credits())).toEqual([assigned('key-1'), assigned('key-2')]);
    });

    test.each([['PROCESSING'], ['PROCESSED']])(
      'a row collected (%s) since the read is never changed by a plan made before',
      async (status) => {
        await seed(3);
        await w.read();
        await w.byHand((rows) =>
          rows.map((r) => (r.key === 'key-2' ? { ...r, status, allocation: 'reseller 100%' } : r)),
        );
        const report = await w.write(assignments(1, 2, 3));
        expect(report).toEqual({ written: 2, skipped: [{ key: 'key-2', why: 'locked' }] });
        expect(view(await w.credits())[1]).toEqual(pending('key-2', { status, allocation: 'reseller 100%' }));
        expect(auditView(await w.audit()).some((a) => a.startsWith('CR-2 '))).toBe(false);
      },
    );

    test('Audit rows are appended with the change, as given', async () => {
      await seed(2);
      await w.read();
      await w.write(assignments(2));
      expect(
        (await w.audit()).map((r) => Object.fromEntries(Object.entries(r).map(([f, v]) => [f, text(v)]))),
      ).toEqual([auditOf(2)]);
    });

    test('replaying a change set already written changes nothing: no row, cell or Audit row twice', async () => {
      await seed(3);
      await w.read();
      const changes = assignments(1, 3);
      if (kind.appends) {
        changes.appends.push(credit(4));
        changes.audit.push({ ...auditOf(4), action: 'add', after: '' });
      }
      await w.write(changes);
      const credits = view(await w.credits());
      const audit = auditView(await w.audit());
      await w.read();
      const again = await w.write(changes);
      expect(again.written).toBe(0);
      expect(again.skipped.map((s) => s.key).sort()).toEqual(
        [...changes.updates.map((u) => u.key), ...changes.appends.map((a) => text(a.key))].sort(),
      );
      expect(view(await w.credits())).toEqual(credits);
      expect(auditView(await w.audit())).toEqual(audit);
    });

    // Only for writers that add rows: the add-on has none to write.
    if (kind.appends)
      test('appends only Keys still absent: one someone added meanwhile is kept, never doubled', async () => {
        await seed(2);
        await w.read();
        await w.byHand((rows) => [...rows, credit(3, { notes: 'theirs' })]);
        const report = await w.write({
          updates: [],
          appends: [credit(3), credit(4)],
          audit: [3, 4].map((n) => ({ ...auditOf(n), action: 'add', after: '' })),
        });
        expect(report).toEqual({ written: 1, skipped: [{ key: 'key-3', why: 'added' }] });
        expect(view(await w.credits())).toEqual([
          pending('key-1'),
          pending('key-2'),
          pending('key-3', { notes: 'theirs' }),
          pending('key-4'),
        ]);
        expect(auditView(await w.audit())).toEqual(['CR-4 add ']);
      });
  });
}
