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

  // The download comes in chunks (one google.script.run call each, a few MB at most), with progress.
  byId('download-rows').addEventListener('click', async () => {
    const includeHidden = byId<HTMLInputElement>('include-hidden').checked;
    const done = await feedback.run('preparing the download', async () => {
      const plan = await callServer('prepareDownload', 'csv', includeHidden);
      const parts: string[] = [];
      for (const chunk of plan.chunks) {
        feedback.status(`Working… downloading rows: part ${chunk.index + 1} of ${plan.chunks.length}`);
        parts.push(await callServer('downloadChunk', chunk));
      }
      return { plan, parts };
    });
    if (!done) return;
    const { plan, parts } = done;
    saveDownload({
      filename: plan.filename,
      mimeType: plan.mimeType,
      content: parts.length ? joinCsvChunks(parts) : plan.emptyFile,
      rows: plan.rows,
    });
    clear(result);
    append(
      result,
      el(
        'p',
        { class: 'outcome' },
        `Saved ${plan.filename} (${plan.rows} row${plan.rows === 1 ? '' : 's'}).`,
      ),
    );
    for (const n of plan.notices) append(result, el('p', { class: 'warning filter-notice' }, n));
  });
}

/** The chunks as one CSV: the first keeps its BOM and header line; the others drop theirs (up to the first CRLF). */
export function joinCsvChunks(parts: string[]): string {
  return parts.map((p, i) => (i === 0 ? p : p.slice(p.indexOf('\r\n') + 2))).join('');
}
