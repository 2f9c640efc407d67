/**
 * The sidebar's entry: loads the selected credit and shows the Edit panel (PENDING_ASSIGN / ASSIGNED) or
 * the read-only View panel (PROCESSING / PROCESSED), and follows the selection while open
 * (follow-selection.ts). Bundled by addon/build.mjs into dist/Sidebar.html.
 */
import type { SelectedCreditResponse } from '../api';
import { createFeedback } from './busy';
import { byId } from './dom';
import { followSelection } from './follow-selection';
import { callServer } from './run';
import { setupBulkPanel } from './views/bulk';
import { renderCredit } from './views/credit';
import { createEditPanel } from './views/edit';
import { hideLockedView, showLockedView } from './views/locked';
import { setupToolsPanel } from './views/tools';
import { setupMonthPanel } from './views/month';

function start(): void {
  const feedback = createFeedback();
  const editPanel = createEditPanel(feedback, refresh);
  /** The selection the shown credit is for. */
  let shown = '';

  function show(response: SelectedCreditResponse): void {
    shown = response.selection;
    renderCredit(response);
    const credit = response.credit;
    if (credit && !credit.locked && (credit.status === 'PENDING_ASSIGN' || credit.status === 'ASSIGNED')) {
      hideLockedView();
      editPanel.show(response, credit);
    } else if (credit) {
      editPanel.hide();
      showLockedView(credit, response);
    } else {
      editPanel.hide();
      hideLockedView();
    }
  }

  async function refresh(): Promise<void> {
    const response = await feedback.run('loading the selected credit', () => callServer('getSelectedCredit'));
    if (response) show(response);
  }

  byId('refresh').addEventListener('click', () => void refresh());
  setupBulkPanel(feedback, refresh);
  setupToolsPanel(feedback);
  setupMonthPanel(feedback);
  void refresh().then(() =>
    followSelection({
      poll: () => callServer('getSelectionKey'),
      changed: async (key) => {
        shown = key; // a failed reload is not retried on every poll; Refresh retries it
        await refresh();
      },
      current: () => shown,
      stopped: (err) => {
        byId('selection-hint').textContent =
          `Stopped following the selection (${err instanceof Error ? err.message : String(err)}). ` +
          'Select a row, then press Refresh.';
      },
      visible: () => document.visibilityState === 'visible',
      busy: () => document.body.getAttribute('aria-busy') === 'true',
    }),
  );
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
