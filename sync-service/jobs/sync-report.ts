/**
 * What a sync did, as `runSync` returns it and the parts of its summary print it. Apart from sync.ts so that
 * sync-intake.ts and sync-totals.ts, which sync.ts calls to word the summary, read the report without importing
 * the flow that imports them.
 */
import type { AwsBill } from '../../core/aws-bill';
import type { CellBudget } from '../../core/cell-budget';
import type { CurReading } from '../../core/cur';
import type { MergeResult } from '../../core/merge';
import type { ChangeSet } from '../../core/sheet-changes';
import type { Summary } from '../../core/summary';
import type { RulesOutcome } from './apply-rules';

export interface SyncReport {
  periods: string[];
  /** Per period read, whether AWS has finalised it (core/aws-bill.ts), as now recorded in the Config tab. */
  bills: { period: string; bill: AwsBill }[];
  merge: MergeResult;
  /** What the CUR reading found: held credits, left-out lines, CUR total = imported + flagged + left out. */
  reading: CurReading;
  rules: RulesOutcome | null;
  changes: ChangeSet;
  written: boolean;
  sourceLabel: string;
  sinkLabel: string;
  /** What reconciliation against the usage record found and repaired (empty when nothing). */
  restored: string[];
  /**
   * The sheet after the run as the Summary tab shows it, with the CUR totals of the periods read: their check
   * (core/summary.ts curDifference) compares the whole period in the sheet with the whole period in the CUR.
   */
  summary: Summary;
  /** Cells in use against Google's limit, after the write (null when the sink cannot tell). */
  budget: CellBudget | null;
  currentPeriod: string;
  /** The options a printed command needs to reach this sheet (` --workbook x.xlsx`, or '' for the default). */
  sheetArgs: string;
}
