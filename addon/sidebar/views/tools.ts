/** "Validate rules" (problems with their row numbers) and "Download filtered rows" (CSV, saved client-side). */
import type { Feedback } from '../busy';
import { append, byId, clear, el } from '../dom';
import { saveDownload } from '../download';
import { callServer } from '../run';

export function setupToolsPanel(feedback: Feedback): void {
  const result = byId('tools-result');

  byId('validate-rules').addEventListener('click', async () => {
    const problems = await feedback.run('validating the rules', () => callServer('validateRules'));
    if (!problems) return;
    clear(result);
    if (problems.length === 0) {
      append(result, el('p', { class: 'outcome' }, 'The rules have no problems.'));
      return;
    }
    const list = el('ul', { 'aria-label': 'Rule problems' });
    for (const p of problems) {
      append(
        list,
        el(
          'li',
          { class: p.severity === 'error' ? 'error' : 'warning' },
          `Row ${p.row}${p.ruleId ? ` (${p.ruleId})` : ''}, ${p.field}: ${p.message}`,
        ),
      );
    }
    append(
      result,
      el('p', {}, `${problems.length} problem${problems.length === 1 ? '' : 's'} in the Rules tab:`),
      list,
    );
  });

  byId('download-rows').addEventListener('click', async () => {
    const file = await feedback.run('preparing the download', () =>
      callServer('downloadFilteredRows', 'csv'),
    );
    if (!file) return;
    saveDownload(file);
    clear(result);
    append(
      result,
      el(
        'p',
        { class: 'outcome' },
        `Saved ${file.filename} (${file.rows} row${file.rows === 1 ? '' : 's'}).`,
      ),
    );
  });
}
