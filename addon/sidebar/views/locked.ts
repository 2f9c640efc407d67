/** The read-only "View" panel for credits the usage process collected (PROCESSING / PROCESSED). */
import type { CreditView } from '../../api';
import { byId, clear, definitionList } from '../dom';

export function showLockedView(credit: CreditView): void {
  const details = byId('view-details');
  clear(details);
  details.appendChild(
    definitionList([
      ['Usage file', credit.usageFileId],
      ['Usage record', credit.usageRecordId],
      ['Processed on', credit.processingDate],
      ['Allocation', credit.allocation],
      ['Distributor keeps', credit.distributorKeeps ? `${credit.distributorKeeps} ${credit.currency}` : ''],
      ['Rule', credit.ruleId],
    ]),
  );
  byId('view-panel').hidden = false;
}

export function hideLockedView(): void {
  byId('view-panel').hidden = true;
}
