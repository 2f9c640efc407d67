/**
 * The patcher's row editor (workbook-patch.ts editRow) reads a row's cells and their `r` and `s` attributes with
 * indexOf, not with a regular expression per cell (a whole-month collect edits every cell of 45,000 rows). This
 * holds it equal, output and refusals alike, to the regular-expression reading it replaced (`byRegex` below, the
 * earlier code), on rows as Excel, LibreOffice and ExcelJS write them and on stranger ones: attributes in any
 * order, separated by tabs or line breaks, `r=` and `s=` inside other attributes' values and inside the text,
 * cells out of order or twice, and rows that hold more than cells.
 */
import fc from 'fast-check';
import { columnLetter as letterOf, columnNumber } from '../../../../core/sheet-layout';
import { editRow } from '../../../../sync-service/sinks/workbook/workbook-patch';

type Value = string | number | null;
type StyleFor = (style: number | undefined, col: number) => number | undefined;

const writer = {
  cell(ref: string, value: Value | Date | boolean, s: number | undefined): string {
    const st = s === undefined ? '' : ` s="${s}"`;
    if (value === null || value === undefined) return st ? `<c r="${ref}"${st}/>` : '';
    return `<c r="${ref}"${st}><v>${String(value)}</v></c>`;
  },
};

const cannot = (why: string): never => {
  throw new Error(why);
};

/** The earlier editRow, regular expressions and all: the oracle. */
function byRegex(
  rowXml: string,
  r: number,
  changes: { col: number; value: Value }[],
  styleFor: StyleFor,
): string {
  const cellStyle = (cellXml: string | undefined) => {
    if (!cellXml) return undefined;
    const m = /^<c\b[^>]*?\ss="(\d+)"/.exec(cellXml);
    return m ? Number(m[1]) : undefined;
  };
  const open = /^<row\b[^>]*?(\/?)>/.exec(rowXml) ?? cannot(`row ${r} is not a row`);
  const bodyEnd = open[1] ? open[0].length : rowXml.lastIndexOf('</row>');
  const cols: number[] = [];
  const xmls: string[] = [];
  let sorted = true;
  for (let p = open[0].length; p < bodyEnd;) {
    const lt = rowXml.indexOf('<', p);
    const gapEnd = lt === -1 || lt >= bodyEnd ? bodyEnd : lt;
    if (gapEnd > p && rowXml.slice(p, gapEnd).trim()) cannot(`row ${r} holds more than cells`);
    if (gapEnd === bodyEnd) break;
    if (rowXml.charCodeAt(lt + 1) !== 99 || /\w/.test(rowXml[lt + 2] ?? ''))
      cannot(`row ${r} holds more than cells`);
    const gt = rowXml.indexOf('>', lt);
    if (gt === -1 || gt >= bodyEnd) cannot(`row ${r} holds more than cells`);
    let end: number;
    if (rowXml.charCodeAt(gt - 1) === 47) end = gt + 1;
    else {
      const close = rowXml.indexOf('</c>', gt);
      if (close === -1 || close + 4 > bodyEnd) cannot(`row ${r} holds more than cells`);
      end = close + 4;
    }
    const cell = rowXml.slice(lt, end);
    const ref =
      /^<c\b[^>]*?\sr="([A-Z]+)(\d+)"/.exec(cell) ?? cannot(`a cell without a reference in row ${r}`);
    if (Number(ref[2]) !== r) cannot(`cell ${ref[1]}${ref[2]} in row ${r}`);
    const col = columnNumber(ref[1]);
    const seen = cols.indexOf(col);
    if (seen !== -1) xmls[seen] = cell;
    else {
      if (cols.length && col < cols[cols.length - 1]) sorted = false;
      cols.push(col);
      xmls.push(cell);
    }
    p = end;
  }
  for (const c of changes) {
    if (cols.includes(c.col)) continue;
    if (cols.length && c.col < cols[cols.length - 1]) sorted = false;
    cols.push(c.col);
    xmls.push('');
  }
  const out: [number, string][] = [];
  for (let i = 0; i < cols.length; i++) {
    const col = cols[i];
    const old = xmls[i] || undefined;
    const was = cellStyle(old);
    const s = styleFor(was, col);
    let change: { col: number; value: Value } | undefined;
    for (let j = changes.length - 1; j >= 0; j--)
      if (changes[j].col === col) {
        change = changes[j];
        break;
      }
    let xml = old ?? '';
    if (change) xml = writer.cell(`${letterOf(col - 1)}${r}`, change.value, s);
    else if (old !== undefined && s !== was) {
      xml =
        s === undefined
          ? old.replace(/\ss="\d+"/, '')
          : old.replace(/^<c\b[^>]*?(?=\/?>)/, (h) =>
              /\ss="\d+"/.test(h) ? h.replace(/\ss="\d+"/, ` s="${s}"`) : `${h} s="${s}"`,
            );
    }
    out.push([col, xml]);
  }
  if (!sorted) out.sort((a, b) => a[0] - b[0]);
  const head = open[1] ? open[0].replace(/\/>$/, '>') : open[0];
  let row = head;
  for (const [, xml] of out) row += xml;
  return `${row}</row>`;
}

const R = 7;
const space = fc.constantFrom(' ', ' ', ' ', '\t', '\n', '  ');
const decoy = fc.constantFrom(
  '',
  ' x=" r="',
  ' t="s"',
  ' t="inlineStr"',
  ' foo="s=&quot;9&quot;"',
  ' cm="1"',
  ' xr="Z7"',
  ' cs="9"',
);
const style = fc.option(fc.integer({ min: 0, max: 40 }), { nil: undefined });

/** One <c>: its attributes in a random order with random white space, a body or none. */
const cellXml = fc
  .record({
    col: fc.integer({ min: 1, max: 30 }),
    row: fc.constantFrom(R, R, R, R, R, R, 8),
    s: style,
    badStyle: fc.boolean(),
    decoy,
    order: fc.boolean(),
    sep: fc.tuple(space, space),
    body: fc.constantFrom('', '<v>1</v>', '<is><t> r="B7" s="3"</t></is>', '<f>A1</f><v>2</v>'),
    noRef: fc.integer({ min: 0, max: 40 }),
  })
  .map(({ col, row, s, badStyle, decoy: d, order, sep, body, noRef }) => {
    const ref = noRef === 0 ? '' : `${sep[0]}r="${letterOf(col - 1)}${row}"`;
    const st = s === undefined ? (badStyle ? `${sep[1]}s="x1"` : '') : `${sep[1]}s="${s}"`;
    const attrs = order ? `${ref}${st}${d}` : `${d}${st}${ref}`;
    return body ? `<c${attrs}>${body}</c>` : `<c${attrs}/>`;
  });

const rowXml = fc
  .record({
    open: fc.constantFrom(
      `<row r="${R}">`,
      `<row r="${R}" spans="1:9" x14ac:dyDescent="0.25">`,
      `<row r="${R}"/>`,
    ),
    cells: fc.array(cellXml, { maxLength: 8 }),
    gaps: fc.array(fc.constantFrom('', '', '', ' ', '\n', 'x', '<col/>'), { maxLength: 9 }),
  })
  .map(({ open, cells, gaps }) =>
    open.endsWith('/>')
      ? open
      : `${open}${cells.map((c, i) => `${gaps[i] ?? ''}${c}`).join('')}${gaps[cells.length] ?? ''}</row>`,
  );

const changes = fc.array(
  fc.record({
    col: fc.integer({ min: 1, max: 30 }),
    value: fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constant(null), fc.constantFrom('a', 'PROCESSED')),
  }),
  { maxLength: 4 },
);

/** How the row is restyled: kept, taken out, a new one, or one chosen from the style it has. */
const styleFor = fc.constantFrom<StyleFor>(
  (was) => was,
  () => undefined,
  () => 12,
  (was, col) => (col % 3 === 0 ? undefined : col % 3 === 1 ? was : (was ?? 0) + 1),
);

const outcome = (f: () => string): string => {
  try {
    return f();
  } catch (e) {
    return `refused: ${(e as Error).message}`;
  }
};

describe('editRow', () => {
  it('gives what the regular-expression reading gave, output and refusals, on any row', () => {
    fc.assert(
      fc.property(rowXml, changes, styleFor, (row, change, how) => {
        expect(outcome(() => editRow(row, R, change, how, writer))).toBe(
          outcome(() => byRegex(row, R, change, how)),
        );
      }),
      { numRuns: 3000 },
    );
  });

  it('restyles a cell whose style attribute follows a tab, and adds one where there was none', () => {
    const row = `<row r="${R}"><c\tr="A${R}"\ts="3" t="s"><v>0</v></c><c r="B${R}"/></row>`;
    expect(editRow(row, R, [], () => 5, writer)).toBe(
      `<row r="${R}"><c\tr="A${R}" s="5" t="s"><v>0</v></c><c r="B${R}" s="5"/></row>`,
    );
  });
});
