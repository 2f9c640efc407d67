/**
 * The cell budget a dry run reports: the sheet as it would be after the planned write, not as it is. A dry run
 * writes nothing, so measuring the sheet (sink.gridSize) gave the cells of what is there now — 85 cells for a new
 * workbook that the same sync would fill with 214 credits — under the same "Cells:" words a real run uses for
 * what it wrote. Grows each tab by the rows the change set appends, and takes the tabs it redraws or replaces at
 * their new size, the way the sinks size them (a header row, then one row per record; the Summary its layout).
 */
import type { TabSize } from '../../core/cell-budget';
import type { ChangeSet } from '../../core/sheet-changes';
import { SUMMARY_TAB, TABS, type TabId } from '../../core/sheet-contract';

export function plannedGrid(now: readonly TabSize[], changes: ChangeSet): TabSize[] {
  const tabs = new Map(now.map((t) => [t.name, { ...t }]));
  const grow = (tab: TabId, rows: number) => {
    if (!rows) return;
    const { name, columns } = TABS[tab];
    const t = tabs.get(name);
    // A tab the sheet does not have yet starts with its header row.
    if (t) t.rows += rows;
    else tabs.set(name, { name, rows: 1 + rows, cols: columns.length });
  };
  grow('credits', changes.appends.length);
  grow('audit', changes.audit.length);
  grow('ledger', changes.ledger?.appends.length ?? 0);
  for (const [tab, grid] of Object.entries(changes.replaceTabs ?? {})) {
    const { name } = TABS[tab as TabId];
    const cols = Math.max(grid.headers.length, tabs.get(name)?.cols ?? 0);
    tabs.set(name, { name, rows: 1 + grid.rows.length, cols });
  }
  // The Summary as Google sizes it (sinks/google/sheets-summary.ts): its layout's grid, never shrinking what is there.
  // A workbook stores only the cells written, so its measure after the write can be a little smaller.
  if (changes.summary) {
    const t = tabs.get(SUMMARY_TAB.name);
    tabs.set(SUMMARY_TAB.name, {
      name: SUMMARY_TAB.name,
      rows: Math.max(t?.rows ?? 0, changes.summary.rowCount),
      cols: Math.max(t?.cols ?? 0, changes.summary.colCount),
    });
  }
  return [...tabs.values()];
}
