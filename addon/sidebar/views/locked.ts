/**
 * The read-only "View" panel for credits the usage process collected (PROCESSING / PROCESSED). Targets and the
 * rule are shown by name, as the Edit panel's preview and the Month view show them (issue 24).
 */
import type { CreditView, SelectedCreditResponse } from '../../api';
import { append, byId, clear, definitionList, el } from '../dom';

export function showLockedView(
  credit: CreditView,
  response: Pick<SelectedCreditResponse, 'passedOn' | 'ruleName'>,
): void {
  const details = byId('view-details');
  clear(details);
  details.appendChild(
    definitionList([
      ['Usage file', credit.usageFileId],
      ['Usage record', credit.usageRecordId],
      ['Processed on', credit.processingDate],
      ['Allocation', credit.allocation],
      ['Distributor keeps', credit.distributorKeeps ? `${credit.distributorKeeps} ${credit.currency}` : ''],
      ['Rule', response.ruleName || credit.ruleId],
    ]),
  );
  const lines = response.passedOn ?? [];
  if (lines.length > 0) {
    const body = el('tbody', { id: 'view-lines' });
    for (const l of lines) {
      const keeps = l.role === 'distributor';
      const who = keeps
        ? 'Distributor keeps'
        : `${l.role === 'customer' ? 'Customer' : 'Reseller'} ${l.name || l.targetId}`;
      append(
        body,
        el(
          'tr',
          { class: keeps ? 'keeps' : undefined, 'data-role': l.role, 'data-target': l.targetId },
          el('td', { title: l.targetId }, who),
          el('td', {}, l.percent === null ? (keeps ? '' : 'fixed') : `${l.percent} %`),
          el('td', { class: 'num' }, `${l.amount} ${credit.currency}`),
        ),
      );
    }
    details.appendChild(
      el(
        'table',
        { class: 'preview' },
        el('caption', {}, 'Passed on'),
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            el('th', { scope: 'col' }, 'Target'),
            el('th', { scope: 'col' }, 'Share'),
            el('th', { scope: 'col', class: 'num' }, 'Amount'),
          ),
        ),
        body,
      ),
    );
  }
  byId('view-panel').hidden = false;
}

export function hideLockedView(): void {
  byId('view-panel').hidden = true;
}
