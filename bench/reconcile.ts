/**
 * What reconciliation against the usage record costs a re-sync: 50,000 credits in a workbook, 20,000 of them
 * collected (Ledger tab and Credits rows agreeing), re-synced with the same CUR data. The reconcile step's own
 * work (Ledger read, reconcile, no repairs) is timed on the same snapshot and set against the whole re-sync;
 * then the same with 1 % of the collected rows deleted by hand (what restoring them costs).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { entryFromRecord, ledgerCells, readLedger } from '../core/ledger';
import { reconcile } from '../core/reconcile';
import { planCollect } from '../core/usage';
import { runSync } from '../sync-service/jobs/sync';
import { silentReporter } from '../sync-service/progress';
import { resolveSettings } from '../sync-service/settings';
import { buildChangeSet, readState } from '../core/sheet-state';
import { createWorkbookSink } from '../sync-service/sinks/workbook/workbook';
import type { CreditSource, RawCreditRow } from '../sync-service/sources/source';
import { prng, seconds, type Figure } from './figures';

const CREDITS = 50_000;
const COLLECTED = 20_000;

function rows(): RawCreditRow[] {
  const rnd = prng(11);
  return Array.from({ length: CREDITS }, (_, i) => ({
    billing_period: '2026-10',
    payer_account_id: '999999999999',
    usage_account_id: String(100000000000 + (i % 5000)),
    product_code: ['AmazonEC2', 'AmazonS3', 'AWSLambda', 'AmazonRDS'][i % 4],
    description: `AWS Promotional Credit #${i}`,
    currency_code: 'USD',
    amount: `-${(1 + Math.floor(rnd() * 1_000_000)) / 100}`,
    line_count: 1,
    bad_cost_lines: 0,
  }));
}

export async function benchReconcile(): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'credit-desk-bench-reconcile-'));
  try {
    const data = rows();
    const source: CreditSource = {
      listPeriods: async () => ['2026-10'],
      fetchCredits: async () => ({ rows: data, label: 'bench' }),
      close: async () => {},
    };
    const path = join(dir, 'credits.xlsx');
    const settings = resolveSettings({ workbook: path, period: '2026-10', usageDir: join(dir, 'usage') }, {});
    const now = new Date('2026-11-26T00:00:00Z');
    await runSync(
      settings,
      { previous: false },
      { source, sink: createWorkbookSink({ path }), reporter: silentReporter, now },
    );

    // Collect 20,000 credits the way `usage collect` writes them: Credits rows and Ledger rows in one write.
    const sink = createWorkbookSink({ path });
    const state = readState(await sink.read());
    const chosen = state.credits.slice(0, COLLECTED).map((e) => ({
      ...e.credit,
      status: 'ASSIGNED' as const,
      allocation: 'none',
      distributorKeeps: e.credit.amount,
      ruleId: 'manual',
    }));
    const file = planCollect(chosen, {
      now: now.toISOString(),
      takenFileIds: new Set(),
      deskId: 'CD-BENCH',
      directory: state.directory,
    })!;
    const changes = buildChangeSet(
      file.records.map((r, i) => ({
        before: state.credits[i],
        after: {
          ...chosen[i],
          status: 'PROCESSING' as const,
          usageFileId: file.usageFileId,
          usageRecordId: r.usageRecordId,
          processingDate: file.processingDate,
        },
      })),
      [],
    );
    changes.ledger = {
      appends: file.records.map((r) => ledgerCells(entryFromRecord(file, r, 'PROCESSING'))),
      updates: [],
    };
    await sink.write(changes);

    const t0 = performance.now();
    const again = await runSync(
      settings,
      { previous: false },
      {
        source,
        sink: createWorkbookSink({ path }),
        reporter: silentReporter,
        now: new Date('2026-12-02T00:00:00Z'),
      },
    );
    const resync = seconds(t0);

    const snapshot = await createWorkbookSink({ path }).read();
    const t1 = performance.now();
    const ledger = readLedger(snapshot.tabs.ledger);
    // As the reconcile step passes them: every Credit ID the Audit tab names (the IDs ever issued).
    const auditIdAt = snapshot.tabs.audit.headers.indexOf('Credit ID');
    const issuedIds = new Set(snapshot.tabs.audit.rows.map((r) => String(r[auditIdAt] ?? '')));
    const clean = reconcile({
      credits: snapshot.tabs.credits,
      ledger,
      issuedIds,
      now: '2026-12-02T00:00:00Z',
    });
    const step = seconds(t1);
    if (clean.restored.length) throw new Error(`a consistent sheet needed ${clean.restored.length} repairs`);

    // 1 % of the collected rows deleted by hand.
    const collectedKeys = new Set(ledger.slice(0, COLLECTED / 100).map((e) => e.key));
    const keyAt = snapshot.tabs.credits.headers.indexOf('Key');
    const edited = {
      ...snapshot.tabs.credits,
      rows: snapshot.tabs.credits.rows.filter((r) => !collectedKeys.has(String(r[keyAt]))),
    };
    const t2 = performance.now();
    const repaired = reconcile({
      credits: edited,
      ledger: readLedger(snapshot.tabs.ledger),
      issuedIds,
      now: '2026-12-02T00:00:00Z',
    });
    const repair = seconds(t2);

    const pct = (part: number) => Math.round((part / resync) * 1000) / 10;
    return [
      {
        name: `re-sync of ${(again.merge.unchanged + again.merge.locked).toLocaleString('en')} credits, ${COLLECTED.toLocaleString('en')} collected`,
        value: resync,
        unit: 's',
      },
      {
        name: '  of which reconciliation (Ledger read + reconcile, nothing to repair)',
        value: step,
        unit: 's',
      },
      { name: '  reconciliation share of the re-sync (target < 10 %)', value: pct(step), unit: '%' },
      {
        name: `  reconcile with ${repaired.repairs.appends.length} collected rows deleted (share of re-sync)`,
        value: pct(repair),
        unit: '%',
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
