/**
 * The bulk panel: preview the rules for a scope, then apply them. Apply is enabled only after a preview
 * made with the same options, and it sends the preview back: the server applies exactly the previewed credits
 * and allocations, and lists those that changed in between instead of applying them.
 */
import type { ApplyResult, RuleProblemView, RuleScope, RulesPreview } from '../../api';
import type { Feedback } from '../busy';
import { append, byId, clear, el } from '../dom';
import { callServer } from '../run';

interface BulkOptions {
  scope: RuleScope;
  overwriteManual: boolean;
}

interface Previewed extends BulkOptions {
  token: string;
}

export function setupBulkPanel(feedback: Feedback, onChanged: () => Promise<void>): void {
  const applyButton = byId<HTMLButtonElement>('apply-rules');
  const overwrite = byId<HTMLInputElement>('overwrite-manual');
  const result = byId('rules-result');
  let previewed: Previewed | null = null;

  const options = (): BulkOptions => {
    const checked = document.querySelector<HTMLInputElement>('input[name="scope"]:checked');
    return { scope: (checked?.value ?? 'selection') as RuleScope, overwriteManual: overwrite.checked };
  };
  const same = (a: BulkOptions | null, b: BulkOptions) =>
    a !== null && a.scope === b.scope && a.overwriteManual === b.overwriteManual;
  const syncApply = () => {
    applyButton.disabled = !same(previewed, options());
  };

  document
    .querySelectorAll<HTMLInputElement>('input[name="scope"]')
    .forEach((r) => r.addEventListener('change', syncApply));
  overwrite.addEventListener('change', syncApply);

  byId('preview-rules').addEventListener('click', async () => {
    const chosen = options();
    previewed = null;
    syncApply();
    const preview = await feedback.run('previewing the rules', () =>
      callServer('previewRules', chosen.scope, chosen.overwriteManual),
    );
    if (!preview) return;
    clear(result);
    result.appendChild(previewElement(preview));
    previewed = { ...chosen, token: preview.token };
    syncApply();
  });

  /** Shows what a bulk action did (the server's message, else a count) and refreshes the credit panel. */
  const showOutcome = async (applied: ApplyResult, fallback: string) => {
    clear(result);
    append(result, el('p', { class: 'outcome' }, applied.message || fallback));
    if (applied.changed && applied.changed.length) {
      const list = el('ul', {
        class: 'changed-credits',
        'aria-label': 'Not applied: changed since the preview',
      });
      for (const c of applied.changed.slice(0, 50)) append(list, el('li', {}, `${c.creditId}: ${c.why}`));
      if (applied.changed.length > 50)
        append(list, el('li', {}, `… and ${applied.changed.length - 50} more`));
      append(result, list);
    }
    await onChanged();
  };

  applyButton.addEventListener('click', async () => {
    const chosen = options();
    if (!previewed || !same(previewed, chosen)) return;
    const token = previewed.token;
    const applied = await feedback.run('applying the rules', () =>
      callServer('applyRules', chosen.scope, chosen.overwriteManual, token),
    );
    previewed = null;
    syncApply();
    if (!applied) return;
    await showOutcome(applied, `Applied to ${applied.applied}, skipped ${applied.skipped}.`);
  });

  byId('assign-default').addEventListener('click', async () => {
    const applied = await feedback.run('assigning the selection with the default configuration', () =>
      callServer('assignSelectedWithDefault'),
    );
    if (!applied) return;
    await showOutcome(applied, `Assigned ${applied.applied}, skipped ${applied.skipped}.`);
  });
}

function previewElement(preview: RulesPreview): HTMLElement {
  const scope = preview.scope === 'selection' ? 'the selected rows' : 'all pending credits';
  const box = el(
    'div',
    { class: 'preview-result', 'data-credits': String(preview.credits) },
    el(
      'p',
      {},
      `${preview.credits} credit${preview.credits === 1 ? '' : 's'} in ${scope}; ${preview.skippedManual} adjusted by hand left alone.`,
    ),
  );
  if (preview.byRule.length > 0) {
    const list = el('ul', { 'aria-label': 'Credits per rule' });
    for (const r of preview.byRule) {
      const name = r.ruleId === 'default' ? 'Default configuration' : `${r.ruleId} ${r.name}`;
      append(list, el('li', {}, `${name}: ${r.credits}`));
    }
    append(box, list);
  }
  if (preview.totals.length > 0) {
    const body = el('tbody', {});
    for (const t of preview.totals) {
      append(
        body,
        el(
          'tr',
          {},
          el(
            'td',
            { title: t.targetId },
            t.role === 'distributor'
              ? 'Distributor keeps'
              : `${t.role === 'customer' ? 'Customer' : 'Reseller'} ${t.name || t.targetId}`,
          ),
          el('td', { class: 'num' }, `${t.amount} ${t.currency}`),
        ),
      );
    }
    append(
      box,
      el(
        'table',
        { class: 'result-table' },
        el('caption', {}, 'Totals per target'),
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            el('th', { scope: 'col' }, 'Target'),
            el('th', { scope: 'col', class: 'num' }, 'Amount'),
          ),
        ),
        body,
      ),
    );
  }
  if (preview.ignoredRules.length > 0) append(box, ignoredElement(preview.ignoredRules));
  return box;
}

/** Broken rules the preview (and Apply) leave out, with why: fix them in the Rules tab. */
function ignoredElement(problems: RuleProblemView[]): HTMLElement {
  const list = el('ul', { class: 'ignored-rules', 'aria-label': 'Rules ignored because they are broken' });
  for (const p of problems.slice(0, 20))
    append(list, el('li', {}, `Row ${p.row}${p.ruleId ? ` (${p.ruleId})` : ''}, ${p.field}: ${p.message}`));
  if (problems.length > 20)
    append(list, el('li', {}, `… and ${problems.length - 20} more (Validate rules lists them all)`));
  return el(
    'div',
    { class: 'warning' },
    el('p', {}, `${problems.length} broken rule${problems.length === 1 ? ' is' : 's are'} ignored:`),
    list,
  );
}
