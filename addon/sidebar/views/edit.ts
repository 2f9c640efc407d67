/**
 * The "Edit" panel for PENDING_ASSIGN / ASSIGNED credits: the suggestion, the allocation editor with a live
 * exact preview, and Assign / Use suggestion / Delete assignment. The draft logic is pure
 * (../allocation-draft.ts); this module only moves values between it and the DOM.
 */
import type { CreditView, SelectedCreditResponse, SuggestionView, TargetOption } from '../../api';
import type { Role } from '../../../core/allocation';
import {
  draftFromAllocation,
  emptyDraft,
  evaluateDraft,
  type AllocationDraft,
  type DraftField,
  type DraftOutcome,
  type ExtraShareRow,
} from '../allocation-draft';
import type { Feedback } from '../busy';
import { append, byId, clear, el } from '../dom';
import { callServer } from '../run';

export interface EditPanel {
  show(response: SelectedCreditResponse, credit: CreditView): void;
  hide(): void;
}

export function createEditPanel(feedback: Feedback, onChanged: () => Promise<void>): EditPanel {
  const panel = byId('edit-panel');
  const customerInput = byId<HTMLInputElement>('customer-percent');
  const resellerInput = byId<HTMLInputElement>('reseller-percent');
  const extraRows = byId('extra-rows');
  const assignButton = byId<HTMLButtonElement>('assign');
  const suggestionButton = byId<HTMLButtonElement>('use-suggestion');
  const unassignButton = byId<HTMLButtonElement>('unassign');
  const confirmBox = byId('confirm-unassign');
  /** The Edit panel's own alert region, beside its buttons: the top one is out of view down here. */
  const editError = byId('edit-error');

  let credit: CreditView | null = null;
  let suggestion: SuggestionView | null = null;
  let targets: TargetOption[] = [];
  let draft: AllocationDraft = emptyDraft();
  let outcome: DraftOutcome | null = null;

  function loadDraft(text: string): void {
    if (!credit) return;
    const { draft: loaded, warning } = draftFromAllocation(text, credit);
    draft = loaded;
    const note = byId('draft-warning');
    note.textContent = warning
      ? `The current allocation could not be read, so the editor starts empty:\n${warning}`
      : '';
    note.hidden = !warning;
    customerInput.value = draft.customerPercent;
    resellerInput.value = draft.resellerPercent;
    renderExtraRows();
    update();
  }

  /** Re-reads nothing: the inputs write into `draft` as they change; this recomputes text and preview. */
  function update(): void {
    if (!credit) return;
    outcome = evaluateDraft(draft, credit, targets);
    showErrors(outcome.errors);
    // Assign is off while a field is invalid (at 120 % it would only be refused), and says why beside it.
    const invalid = outcome.text === null;
    assignButton.toggleAttribute('data-off', invalid);
    assignButton.disabled = invalid || document.body.getAttribute('aria-busy') === 'true';
    byId('assign-hint').hidden = !invalid;
    byId('allocation-text').textContent = outcome.text ?? '(fix the fields marked in red)';
    renderPreview(outcome, credit.currency);
  }

  function renderExtraRows(): void {
    clear(extraRows);
    draft.extras.forEach((row, i) => extraRows.appendChild(extraRowElement(row, i)));
  }

  function extraRowElement(row: ExtraShareRow, i: number): HTMLElement {
    const n = i + 1;
    const id = (what: string) => `extra-${i}-${what}`;
    const roleSelect = el(
      'select',
      { id: id('role') },
      el('option', { value: 'customer' }, 'Customer'),
      el('option', { value: 'reseller' }, 'Reseller'),
    );
    roleSelect.value = row.role;
    const targetSelect = el('select', { id: id('target'), 'aria-describedby': id('target-error') });
    fillTargets(targetSelect, row.role, row.targetId);
    const modeSelect = el(
      'select',
      { id: id('mode') },
      el('option', { value: 'percent' }, 'Percent'),
      el('option', { value: 'amount' }, `Amount (${credit?.currency ?? ''})`),
    );
    modeSelect.value = row.mode;
    const valueInput = el('input', {
      id: id('value'),
      type: 'text',
      inputmode: 'decimal',
      autocomplete: 'off',
      'aria-describedby': id('value-error'),
    });
    valueInput.value = row.value;

    roleSelect.addEventListener('change', () => {
      row.role = roleSelect.value as Role;
      row.targetId = '';
      fillTargets(targetSelect, row.role, '');
      update();
    });
    targetSelect.addEventListener('change', () => {
      row.targetId = targetSelect.value;
      update();
    });
    modeSelect.addEventListener('change', () => {
      row.mode = modeSelect.value as ExtraShareRow['mode'];
      update();
    });
    valueInput.addEventListener('input', () => {
      row.value = valueInput.value;
      update();
    });
    const remove = el(
      'button',
      { type: 'button', class: 'gray', 'aria-label': `Remove extra share ${n}` },
      'Remove',
    );
    remove.addEventListener('click', () => {
      draft.extras.splice(i, 1);
      renderExtraRows();
      update();
      byId('add-target').focus();
    });

    const field = (control: HTMLElement, label: string, errorId?: string) =>
      el(
        'div',
        { class: 'form-group' },
        el('label', { for: control.id }, label),
        control,
        errorId ? el('div', { id: errorId, class: 'error field-error' }) : null,
      );
    return el(
      'div',
      { class: 'extra-row', role: 'group', 'aria-label': `Extra share ${n}` },
      el('div', { class: 'pair' }, field(roleSelect, `Role ${n}`), field(modeSelect, `Share type ${n}`)),
      field(targetSelect, `Target ${n}`, id('target-error')),
      field(valueInput, `Value ${n}`, id('value-error')),
      remove,
    );
  }

  function fillTargets(select: HTMLSelectElement, role: Role, selected: string): void {
    clear(select);
    append(select, el('option', { value: '' }, `Choose a ${role}…`));
    const options = targets.filter((t) => t.role === role);
    // An ID typed by hand in the sheet but missing from Accounts still shows, so nothing is lost silently.
    if (selected && !options.some((t) => t.id === selected)) options.push({ role, id: selected, name: '' });
    for (const t of options) {
      append(select, el('option', { value: t.id }, t.name && t.name !== t.id ? `${t.name} (${t.id})` : t.id));
    }
    select.value = selected;
  }

  function showErrors(errors: DraftOutcome['errors']): void {
    const set = (errorId: string, controlId: string | null, message: string | undefined) => {
      const target = document.getElementById(errorId);
      if (target) target.textContent = message ?? '';
      const control = controlId ? document.getElementById(controlId) : null;
      if (control) control.setAttribute('aria-invalid', message ? 'true' : 'false');
    };
    set('customer-percent-error', 'customer-percent', errors.customerPercent);
    set('reseller-percent-error', 'reseller-percent', errors.resellerPercent);
    draft.extras.forEach((_row, i) => {
      set(`extra-${i}-target-error`, `extra-${i}-target`, errors[`extra.${i}.targetId` as DraftField]);
      set(`extra-${i}-value-error`, `extra-${i}-value`, errors[`extra.${i}.value` as DraftField]);
    });
    set('total-error', null, errors.total);
  }

  function renderPreview(result: DraftOutcome, currency: string): void {
    const body = byId('preview-rows');
    clear(body);
    for (const line of result.lines) {
      const isKeeps = line.role === 'distributor';
      const who = isKeeps
        ? 'Distributor keeps'
        : `${line.role === 'customer' ? 'Customer' : 'Reseller'} ${line.name || line.targetId}`;
      body.appendChild(
        el(
          'tr',
          { class: isKeeps ? 'keeps' : undefined, 'data-role': line.role, 'data-target': line.targetId },
          el('td', { title: line.targetId }, who),
          el('td', {}, line.percent === null ? (isKeeps ? '' : 'fixed') : `${line.percent} %`),
          el('td', { class: 'num' }, `${line.amount} ${currency}`),
        ),
      );
    }
  }

  function renderSuggestion(): void {
    const box = byId('suggestion');
    clear(box);
    suggestionButton.hidden = suggestion === null;
    if (!suggestion) {
      append(box, el('p', { class: 'muted' }, 'No suggestion for this credit.'));
      return;
    }
    const title =
      suggestion.ruleId === 'default'
        ? 'Default configuration'
        : `Rule ${suggestion.ruleId}: ${suggestion.ruleName}`;
    append(
      box,
      el('p', {}, el('strong', {}, 'Suggested: '), title),
      el('p', { class: 'muted' }, suggestion.reason),
      el('p', {}, 'Allocation: ', el('code', {}, suggestion.allocation)),
    );
    const others = suggestion.matching.filter((m) => m.ruleId !== suggestion?.ruleId);
    if (others.length > 0) {
      const list = el('ul', {});
      for (const m of others)
        append(list, el('li', {}, el('strong', {}, `${m.ruleId} ${m.name}`), `: ${m.why}`));
      append(box, el('details', {}, el('summary', {}, `Other matching rules (${others.length})`), list));
    }
  }

  customerInput.addEventListener('input', () => {
    draft.customerPercent = customerInput.value;
    update();
  });
  resellerInput.addEventListener('input', () => {
    draft.resellerPercent = resellerInput.value;
    update();
  });
  byId('add-target').addEventListener('click', () => {
    draft.extras.push({ role: 'customer', targetId: '', mode: 'percent', value: '' });
    renderExtraRows();
    update();
    document.getElementById(`extra-${draft.extras.length - 1}-role`)?.focus();
  });
  suggestionButton.addEventListener('click', () => {
    if (suggestion) loadDraft(suggestion.allocation);
    feedback.status('The suggestion is in the editor; press Assign to save it.');
  });
  assignButton.addEventListener('click', async () => {
    if (!credit || !outcome) return;
    if (outcome.text === null) {
      feedback.status('Fix the fields marked in red, then Assign.');
      panel.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      return;
    }
    const { creditId } = credit;
    const text = outcome.text;
    const saved = await feedback.run(
      `assigning ${creditId}`,
      () => callServer('assignCredit', creditId, text),
      {
        errorAt: editError,
      },
    );
    if (!saved) return;
    await onChanged();
    feedback.status(
      `Assigned ${saved.creditId}: ${saved.allocation}. Distributor keeps ${saved.distributorKeeps} ${saved.currency}.`,
    );
  });
  unassignButton.addEventListener('click', () => {
    if (!credit) return;
    byId('confirm-unassign-text').textContent =
      `Delete the assignment of ${credit.creditId}? It goes back to pending.`;
    confirmBox.hidden = false;
    byId('confirm-unassign-yes').focus();
  });
  byId('confirm-unassign-no').addEventListener('click', () => {
    confirmBox.hidden = true;
    unassignButton.focus();
  });
  byId('confirm-unassign-yes').addEventListener('click', async () => {
    if (!credit) return;
    confirmBox.hidden = true;
    const { creditId } = credit;
    const saved = await feedback.run(
      `deleting the assignment of ${creditId}`,
      () => callServer('unassignCredit', creditId),
      { errorAt: editError },
    );
    if (!saved) return;
    await onChanged();
    feedback.status(`Deleted the assignment of ${saved.creditId}; it is pending again.`);
  });

  return {
    show(response, shown) {
      credit = shown;
      suggestion = response.suggestion;
      targets = response.targets;
      unassignButton.hidden = shown.status !== 'ASSIGNED';
      confirmBox.hidden = true;
      renderSuggestion();
      const hasOwn = shown.status === 'ASSIGNED' && shown.allocation.trim() !== '';
      loadDraft(hasOwn ? shown.allocation : (suggestion?.allocation ?? ''));
      panel.hidden = false;
    },
    hide() {
      credit = null;
      panel.hidden = true;
      confirmBox.hidden = true;
    },
  };
}
