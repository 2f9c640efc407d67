/**
 * The add-on menu and what its items do. Items that change many rows ask first: "Apply rules" shows the
 * preview counts in a YES/NO alert (so it works without the sidebar); "Download filtered rows" opens the
 * sidebar, because only the browser can save a file without a Drive scope.
 */
import { formatPercentBp } from '../../core/config';
import type { RuleScope } from '../api';
import { alert, confirm, showSidebar, toast, TITLE } from '../services/ui';
import { checkSheet } from './check-sheet';
import { applyRules, assignSelectedWithDefault, previewRules, validateRules } from './rules';
import { openSpreadsheet, readDefaults } from './live-sheet';

/** Menu captions → the top-level function names addon/main.ts declares. */
export const MENU_ITEMS: readonly (readonly [string, string] | null)[] = [
  ['Open sidebar', 'openSidebar'],
  null,
  ['Assign selected with default configuration', 'menuAssignSelectedWithDefault'],
  ['Apply rules to the selection', 'menuApplyRulesToSelection'],
  ['Apply rules to all pending', 'menuApplyRulesToPending'],
  null,
  ['Download filtered rows', 'menuDownloadFilteredRows'],
  ['Check sheet (repair collected credits)', 'menuCheckSheet'],
  ['Validate rules', 'menuValidateRules'],
  ['Help', 'menuHelp'],
];

type AuthEvent = { authMode?: unknown } | undefined;

export function buildMenu(e: AuthEvent): void {
  const menu = SpreadsheetApp.getUi().createAddonMenu();
  for (const item of MENU_ITEMS) {
    if (item) menu.addItem(item[0], item[1]);
    else menu.addSeparator();
  }
  menu.addToUi();
  // Nothing else: onOpen is a simple trigger (30 s, and in AuthMode.NONE/LIMITED no or little access), and
  // reading a 50,000-row tab there would slow every open. Every action reads what it needs when it runs.
  void e;
}

/** Runs a menu action; a failure becomes an alert with the message instead of a red banner with a stack. */
function reporting(work: () => void): void {
  try {
    work();
  } catch (err) {
    alert(err instanceof Error ? err.message : String(err));
  }
}

function applyWithConfirmation(scope: RuleScope): void {
  reporting(() => {
    const preview = previewRules(scope, false);
    if (preview.credits === 0) {
      alert(
        `No credits to assign${preview.skippedManual ? ` (${preview.skippedManual} set by hand were left alone)` : ''}.`,
      );
      return;
    }
    const byRule = preview.byRule
      .slice(0, 10)
      .map((r) => `  ${r.name || r.ruleId}: ${r.credits}`)
      .join('\n');
    const totals = preview.totals
      .slice(0, 10)
      .map((t) => `  ${t.role} ${t.targetId}: ${t.amount} ${t.currency}`)
      .join('\n');
    const question =
      `Assign ${preview.credits} credit${preview.credits === 1 ? '' : 's'}?\n\nBy rule:\n${byRule}\n\nTotals:\n${totals}` +
      (preview.skippedManual ? `\n\n${preview.skippedManual} set by hand will be left alone.` : '');
    if (!confirm(question)) return;
    toast(applyRules(scope, false, preview.token).message);
  });
}

export const menuActions = {
  openSidebar(): void {
    showSidebar();
  },
  menuAssignSelectedWithDefault(): void {
    reporting(() => {
      const { ss, timeZone } = openSpreadsheet();
      const d = readDefaults(ss, timeZone);
      const result = assignSelectedWithDefault();
      toast(
        `${result.message} (default configuration: customer ${formatPercentBp(d.customerBp)}%, reseller ${formatPercentBp(d.resellerBp)}%)`,
      );
    });
  },
  menuApplyRulesToSelection(): void {
    applyWithConfirmation('selection');
  },
  menuApplyRulesToPending(): void {
    applyWithConfirmation('pending');
  },
  menuDownloadFilteredRows(): void {
    showSidebar();
    toast('Use "Download filtered rows" in the sidebar: your browser saves the file.');
  },
  menuCheckSheet(): void {
    reporting(() => alert(checkSheet().message));
  },
  menuValidateRules(): void {
    reporting(() => {
      const problems = validateRules();
      if (problems.length === 0) {
        alert('The rules are valid: no problems found.');
        return;
      }
      const lines = problems
        .slice(0, 20)
        .map(
          (p) => `Row ${p.row}${p.ruleId ? ` (${p.ruleId})` : ''}, ${p.field}: ${p.severity}: ${p.message}`,
        );
      if (problems.length > 20)
        lines.push(`… and ${problems.length - 20} more. Open the sidebar to see them all.`);
      alert(
        `${problems.length} problem${problems.length === 1 ? '' : 's'} in the Rules tab:\n\n${lines.join('\n')}`,
      );
    });
  },
  menuHelp(): void {
    alert(HELP);
  },
};

export const HELP = [
  `${TITLE} passes AWS credits on to the customers and resellers who earned them.`,
  '',
  '• Select a row on Credits and open the sidebar to see the suggested rule, edit the allocation or delete it.',
  '• Type in the Allocation column directly, e.g. "customer 60%, reseller 40%": the row becomes ASSIGNED.',
  '• Apply rules assigns PENDING_ASSIGN credits by the most appropriate rule (Rules tab), else the default configuration (Config tab). Rows set by hand (Rule = manual) are left alone.',
  '• PROCESSING and PROCESSED rows were collected by the usage process and cannot change.',
  '• After sorting, deleting or pasting rows, Check sheet puts collected credits back as the Ledger records them.',
].join('\n');
