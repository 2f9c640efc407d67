/**
 * The user guide's table of flags (docs/user-guide.md, "The Flags cell") is core/flags.ts's table, row for row:
 * the same words in the same order, what each holds, who sets and clears it, and its meaning in the same words.
 * A flag added to the code without its row (or a row left for a flag that went) fails here, naming the row.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FLAGS, type Flag } from '../../core/flags';

const GUIDE = readFileSync(join(__dirname, '../../docs/user-guide.md'), 'utf8');
const HOLDS = { review: 'rules and collection', collection: 'collection', none: 'no' } as const;

/** The rows of the first table after the section's heading, as trimmed cells (header and rule left out). */
function tableOf(heading: string): string[][] {
  const at = GUIDE.indexOf(`\n${heading}\n`);
  if (at < 0) throw new Error(`docs/user-guide.md has no "${heading}" section`);
  const lines = GUIDE.slice(at).split('\n');
  const first = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (const l of lines.slice(first + 2)) {
    if (!l.startsWith('|')) break;
    rows.push(
      l
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim().replace(/\\\|/g, '|')),
    );
  }
  return rows;
}

describe('the user guide lists every flag as core/flags.ts does', () => {
  const rows = tableOf('### The Flags cell');
  const words = Object.keys(FLAGS) as Flag[];

  it('has a row per flag, in the same order', () => {
    expect(rows.map((r) => r[0])).toEqual(words.map((f) => `\`${f}\``));
  });

  it.each(words)('%s: what it holds, who sets and clears it, what it means', (f) => {
    const row = rows.find((r) => r[0] === `\`${f}\``);
    const spec = FLAGS[f];
    expect(row).toEqual([`\`${f}\``, HOLDS[spec.hold ?? 'none'], spec.setBy, spec.clearedBy, spec.meaning]);
  });

  it('names, after the table, the flags never written into a cell: the last rows', () => {
    const summaryOnly = words.filter((f) => !FLAGS[f].inCell);
    expect(words.slice(-summaryOnly.length)).toEqual(summaryOnly);
    expect(GUIDE).toContain(
      `The last ${['', 'one', 'two', 'three'][summaryOnly.length]} ${summaryOnly.length === 1 ? 'is' : 'are'} never written into a Flags cell`,
    );
  });
});
