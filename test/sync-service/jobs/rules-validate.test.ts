/**
 * `rules validate` (sync-service/jobs/rules-validate.ts) asks the sink for the Rules and Accounts tabs only, and
 * still runs every check: a broken rule, an ID no account carries (the check that needs Accounts), a rule that
 * can never win, a disabled rule — each with its row.
 */
import { headersOf, type TabId } from '../../../core/sheet-contract';
import { TAB_ORDER } from '../../../core/sheet-layout';
import type { Snapshot } from '../../../core/sheet-changes';
import type { Cell, Grid } from '../../../core/table';
import type { ReadOptions, Sink } from '../../../sync-service/sinks/sink';
import { formatRuleProblems, runValidateRules } from '../../../sync-service/jobs/rules-validate';

/** A grid of a tab from records keyed by header. */
function grid(tab: TabId, rows: Record<string, Cell>[] = []): Grid {
  const headers = headersOf(tab);
  return { headers, rows: rows.map((r) => headers.map((h) => r[h] ?? '')) };
}

const rule = (id: string, extra: Record<string, Cell> = {}): Record<string, Cell> => ({
  'Rule ID': id,
  Name: id,
  'Customer %': '60',
  'Reseller %': '20',
  Created: '2026-01-01',
  ...extra,
});

describe('rules validate', () => {
  it('reads only Rules and Accounts, and reports every kind of problem with its row', async () => {
    const tabs = Object.fromEntries(TAB_ORDER.map((t) => [t, grid(t)])) as Snapshot['tabs'];
    tabs.rules = grid('rules', [
      rule('R-1'), // row 2: blank description, ALL everywhere: admits everything
      rule('R-2', { 'Credit Description': 'MAP', Match: 'contains', 'Customer %': '160' }), // row 3: broken
      rule('R-3', { 'Customer Context': 'ONLY', Customers: 'CUST-1, CUST-404' }), // row 4: one unknown ID
      rule('R-4', { Created: '2025-01-01' }), // row 5: R-1 (newer) admits everything it does
      rule('R-5', { Enabled: 'FALSE' }), // row 6: disabled
    ]);
    tabs.accounts = grid('accounts', [{ 'AWS Account': '111111111111', 'Customer ID': 'CUST-1' }]);
    const reads: (ReadOptions | undefined)[] = [];
    const sink: Sink = {
      label: 'test sheet',
      read: async (opts) => {
        reads.push(opts);
        return { tabs };
      },
      write: async () => {
        throw new Error('validate writes nothing');
      },
      close: async () => {},
    };
    const v = await runValidateRules(sink);
    expect(reads).toEqual([{ only: ['rules', 'accounts'] }]);
    expect(v.ruleCount).toBe(5);
    const lines = formatRuleProblems(v).split('\n');
    expect(lines).toEqual([
      expect.stringMatching(/^Rules row 3 \(R-2\) error: Customer %: /),
      expect.stringMatching(
        /^Rules row 4 \(R-3\) warning: Customers: The customer ID CUST-404 is on no account/,
      ),
      expect.stringMatching(
        /^Rules row 5 \(R-4\) warning: Rule ID: This rule can never win: rule R-1 \(row 2\)/,
      ),
      expect.stringMatching(/^Rules row 6 \(R-5\) info: Enabled: This rule is disabled/),
    ]);
  });
});
