/**
 * The Month view: the Summary tab's figures for one billing period (by status, passed on, usage files, flags)
 * and a small stacked-bar chart of the last periods, drawn as inline SVG — nothing is loaded from elsewhere.
 * Every text from the sheet (names, IDs) reaches the page as a text node. "Statement for…" downloads one
 * customer's or reseller's statement for the shown period (the CLI's CSV), saved by the browser.
 */
import type { MonthView, StatementPartyView } from '../../api';
import type { Feedback } from '../busy';
import { append, byId, clear, el } from '../dom';
import { saveDownload } from '../download';
import { callServer } from '../run';

const SVG = 'http://www.w3.org/2000/svg';
const COLORS: Record<string, string> = {
  PENDING_ASSIGN: '#f4b400',
  ASSIGNED: '#4285f4',
  PROCESSING: '#9e69af',
  PROCESSED: '#0f9d58',
};
const LABELS: Record<string, string> = {
  PENDING_ASSIGN: 'Pending',
  ASSIGNED: 'Assigned',
  PROCESSING: 'Processing',
  PROCESSED: 'Processed',
};

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
  ...children: (Node | string)[]
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  for (const c of children) node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  return node;
}

/** "1234567.8" → "1,234,567.8": display only; the server's decimal strings stay exact. */
function grouped(amount: string): string {
  const [i, f] = amount.split('.');
  return i.replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (f !== undefined ? `.${f}` : '');
}

/** Stacked bars, one per period, heights proportional to the amounts (minor units). */
export function monthChart(chart: MonthView['chart']): SVGSVGElement {
  const width = 280;
  const height = 120;
  const base = height - 16;
  const totals = chart.bars.map((b) => b.segments.reduce((n, s) => n + s.minor, 0));
  const max = Math.max(1, ...totals);
  const slot = width / Math.max(chart.bars.length, 1);
  const barWidth = Math.min(34, slot * 0.6);
  const root = svg('svg', {
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-label': `Amount by period and status (${chart.currency})`,
    class: 'month-chart',
  });
  chart.bars.forEach((bar, i) => {
    const x = i * slot + (slot - barWidth) / 2;
    let y = base;
    for (const seg of bar.segments) {
      if (seg.minor <= 0) continue;
      const h = Math.max(1, (seg.minor / max) * (base - 4));
      y -= h;
      root.appendChild(
        svg(
          'rect',
          { x, y, width: barWidth, height: h, fill: COLORS[seg.status] ?? '#999', 'data-status': seg.status },
          svg('title', {}, `${bar.period} ${LABELS[seg.status] ?? seg.status}`),
        ),
      );
    }
    root.appendChild(
      svg(
        'text',
        { x: x + barWidth / 2, y: height - 3, 'text-anchor': 'middle', 'font-size': 10 },
        bar.period.slice(2),
      ),
    );
  });
  return root;
}

function table(caption: string, headers: string[], rows: string[][], numeric: number[]): HTMLTableElement {
  const t = el('table', { class: 'preview month-table' }, el('caption', {}, caption));
  const head = el('tr', {});
  headers.forEach((h, j) =>
    append(head, el('th', { scope: 'col', class: numeric.includes(j) ? 'num' : undefined }, h)),
  );
  const body = el('tbody', {});
  for (const r of rows) {
    const tr = el('tr', {});
    r.forEach((c, j) => append(tr, el('td', { class: numeric.includes(j) ? 'num' : undefined }, c)));
    append(body, tr);
  }
  if (rows.length === 0)
    append(body, el('tr', {}, el('td', { colspan: String(headers.length), class: 'muted' }, 'None')));
  append(t, el('thead', {}, head), body);
  return t;
}

export function renderMonth(view: MonthView, target: HTMLElement): void {
  clear(target);
  if (!view.period) {
    append(target, el('p', { class: 'muted' }, 'No credits yet.'));
    return;
  }
  const legend = el('ul', { class: 'legend' });
  for (const s of Object.keys(COLORS))
    append(
      legend,
      el('li', {}, el('span', { class: 'swatch', style: `background:${COLORS[s]}` }), LABELS[s]),
    );
  append(
    target,
    el('h3', {}, `Billing period ${view.period}`),
    ...view.totals.map((t) =>
      table(
        `${t.currency}: ${t.credits} credits, ${grouped(t.amount)}`,
        ['Status', 'Credits', 'Amount'],
        t.byStatus.map((s) => [LABELS[s.status] ?? s.status, String(s.credits), grouped(s.amount)]),
        [1, 2],
      ),
    ),
    table(
      'Passed on',
      ['To', 'Credits', 'Amount'],
      view.parties.map((p) => [
        p.role === 'distributor' ? 'Distributor keeps' : `${p.role} ${p.name || p.targetId}`,
        String(p.credits),
        `${grouped(p.amount)} ${p.currency}`,
      ]),
      [1, 2],
    ),
    table(
      'Usage files',
      ['File', 'Credits', 'Amount'],
      view.usageFiles.map((f) => [
        `${f.usageFileId} (${f.status})`,
        String(f.credits),
        `${grouped(f.amount)} ${f.currency}`,
      ]),
      [1, 2],
    ),
    table(
      'To review',
      ['Flag', 'Credits', 'Amount'],
      [
        ...view.flags.map((f) => [f.flag, String(f.credits), `${grouped(f.amount)} ${f.currency}`]),
        ...view.stale.map((t) => [
          `Unassigned since ${t.period}`,
          String(t.credits),
          `${grouped(t.amount)} ${t.currency}`,
        ]),
      ],
      [1, 2],
    ),
    el('h3', {}, `Amount by period and status (${view.chart.currency})`),
    monthChart(view.chart),
    legend,
  );
}

/** "Customer Acme Corp (CUST-1)": names where the sheet has them, as the other views show parties. */
export function partyLabel(p: StatementPartyView): string {
  const role = p.role === 'customer' ? 'Customer' : 'Reseller';
  return p.name && p.name !== p.id ? `${role} ${p.name} (${p.id})` : `${role} ${p.id}`;
}

export function setupMonthPanel(feedback: Feedback): void {
  const select = byId<HTMLSelectElement>('month-period');
  const result = byId('month-result');
  const partySelect = byId<HTMLSelectElement>('statement-party');
  const download = byId<HTMLButtonElement>('statement-download');
  const statementResult = byId('statement-result');
  /** The view shown: the statement is for its period and one of its parties. */
  let shown: MonthView | null = null;
  /** Loads started; a late answer to an older one is dropped. */
  let loads = 0;

  function show(view: MonthView): void {
    shown = view;
    clear(select);
    for (const p of view.periods) append(select, el('option', { value: p, selected: p === view.period }, p));
    select.disabled = view.periods.length === 0;
    renderMonth(view, result);
    clear(partySelect);
    clear(statementResult);
    view.statementParties.forEach((p, i) =>
      append(partySelect, el('option', { value: String(i) }, partyLabel(p))),
    );
    if (view.statementParties.length === 0)
      append(partySelect, el('option', { value: '' }, 'No shares passed on in this period'));
    partySelect.disabled = view.statementParties.length === 0;
    download.toggleAttribute('data-off', view.statementParties.length === 0);
    download.disabled = view.statementParties.length === 0;
  }

  async function load(period: string | null): Promise<void> {
    const mine = ++loads;
    const view = await feedback.run('loading the month', () => callServer('getMonthSummary', period));
    if (view && mine === loads) show(view);
  }

  byId('month-load').addEventListener('click', () => void load(select.value || null));
  select.addEventListener('change', () => void load(select.value || null));

  download.addEventListener('click', async () => {
    const view = shown;
    const party = view?.statementParties[Number(partySelect.value)];
    if (!view || !party) return;
    const file = await feedback.run(
      `preparing the statement for ${party.id}`,
      () => callServer('downloadStatement', view.period, { role: party.role, id: party.id }),
      { errorAt: byId('statement-error') },
    );
    if (!file) return;
    saveDownload(file);
    clear(statementResult);
    append(
      statementResult,
      el(
        'p',
        { class: 'outcome' },
        `Saved ${file.filename} (${file.rows} line${file.rows === 1 ? '' : 's'} for ${party.id}).`,
      ),
    );
  });

  // The periods (and the latest month) are there when the sidebar opens, not only after "Show month". Quietly:
  // this first load disables no button and takes no status line; a failure is said here, and Show month retries.
  const first = ++loads;
  callServer('getMonthSummary', null).then(
    (view) => {
      if (first === loads) show(view);
    },
    (err: unknown) => {
      if (first !== loads) return;
      clear(result);
      const why = err instanceof Error ? err.message : String(err);
      append(
        result,
        el('p', { class: 'muted' }, `The months could not be loaded (${why}). Press Show month.`),
      );
    },
  );
}
