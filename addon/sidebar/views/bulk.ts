/**
 * The bulk panel: preview the rules for a scope, then apply them. Apply is enabled only after a preview
 * made with the same options, so staff always see what they are about to write.
 */
import type { RuleScope, RulesPreview } from '../../api';
import type { Feedback } from '../busy';
import { append, byId, clear, el } from '../dom';
import { callServer } from '../run';

interface BulkOptions {
  scope: RuleScope;
  overwriteManual: boolean;
}

export function setupBulkPanel(feedback: Feedback, onChanged: () => Promise<void>): void {
  const applyButton = byId<HTMLButtonElement>('apply-rules');
  const overwrite = byId<HTMLInputElement>('overwrite-manual');
  const result = byId('rules-result');
  let previewed: BulkOptions | null = null;

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
    previewed = chosen;
    syncApply();
  });

  /** Shows what a bulk action did (the server's message, else a count) and refreshes the credit panel. */
  const showOutcome = async (applied: { message: string }, fallback: string) => {
    clear(result);
    append(result, el('p', { class: 'outcome' }, applied.message || fallback));
    await onChanged();
  };

  applyButton.addEventListener('click', async () => {
    const chosen = options();
    if (!same(previewed, chosen)) return;
    const applied = await feedback.run('applying the rules', () =>
      callServer('applyRules', chosen.scope, chosen.overwriteManual),
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
          el('td', {}, t.role === 'distributor' ? 'Distributor keeps' : `${t.role} ${t.targetId}`),
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
  return box;
}
