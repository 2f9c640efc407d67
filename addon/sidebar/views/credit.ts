/** The selected credit's details (read-only, every field as text) at the top of the sidebar. */
import type { CreditView, SelectedCreditResponse } from '../../api';
import { byId, clear, definitionList, el } from '../dom';

export const STATUS_LABELS: Record<CreditView['status'], string> = {
  PENDING_ASSIGN: 'Pending assignment',
  ASSIGNED: 'Assigned',
  PROCESSING: 'Processing',
  PROCESSED: 'Processed',
};

export function renderCredit(response: SelectedCreditResponse): void {
  const message = byId('credit-message');
  const details = byId('credit-details');
  clear(details);
  const credit = response.credit;
  message.textContent = credit ? '' : response.message || 'Select a row on the Credits tab, then Refresh.';
  message.hidden = credit !== null;
  if (!credit) return;

  const party = (id: string, name: string) => (name && name !== id ? `${name} (${id})` : id);
  const nameOf = (role: 'customer' | 'reseller', id: string) =>
    response.targets.find((t) => t.role === role && t.id === id)?.name ?? '';
  details.appendChild(
    definitionList([
      ['Credit ID', credit.creditId],
      ['Row', String(credit.sheetRow)],
      ['Period', credit.period],
      ['Account', credit.accountId],
      ['Customer', party(credit.customerId, nameOf('customer', credit.customerId))],
      ['Asset', credit.assetId],
      ['Reseller', party(credit.resellerId, nameOf('reseller', credit.resellerId))],
      ['Service', credit.service],
      ['Description', credit.description],
      ['Amount', `${credit.amount} ${credit.currency}`],
    ]),
  );
  details.appendChild(
    el(
      'p',
      { class: 'status-line' },
      'Status: ',
      el(
        'span',
        { class: `badge ${credit.status}`, 'data-status': credit.status },
        STATUS_LABELS[credit.status],
      ),
    ),
  );
  if (response.unproven)
    details.appendChild(
      el(
        'p',
        { class: 'warning', id: 'credit-unproven' },
        `usage collect will leave this credit out: ${response.unproven}`,
      ),
    );
}
