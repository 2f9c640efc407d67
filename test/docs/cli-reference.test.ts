/**
 * The CLI reference in docs/user-guide.md ("The CLI") lists exactly the commands and options the shipped
 * command's `--help` prints (issue #22 item 5), so a new option or a renamed one fails here until the table says
 * so. The table lists each command's own options; the sheet options and the source options are listed once, in
 * the prose above it, and a row takes the source options by writing `[source options]`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli';

const GUIDE = readFileSync(join(__dirname, '../../docs/user-guide.md'), 'utf8');

function longOptions(text: string): Set<string> {
  return new Set(text.match(/--[a-z][a-z-]*/g) ?? []);
}

/** The section "## The CLI" up to the next section of the same level. */
function cliSection(): string {
  const from = GUIDE.indexOf('\n## The CLI\n');
  expect(from).toBeGreaterThanOrEqual(0);
  const to = GUIDE.indexOf('\n## ', from + 1);
  return GUIDE.slice(from, to < 0 ? undefined : to);
}

interface Row {
  command: string;
  options: Set<string>;
  source: boolean;
}

/**
 * The rows of the table under "| Command": each first cell is `name [sub] [options…]`, the name being the words
 * before the first option.
 */
function tableRows(section: string): Row[] {
  const lines = section.slice(section.indexOf('\n| Command') + 1).split('\n');
  const end = lines.findIndex((l) => !l.startsWith('|'));
  return lines.slice(2, end < 0 ? undefined : end).map((l) => {
    const cell = /^\| `(.*?)`\s*\|/.exec(l)![1].replace(/\\\|/g, '|');
    const words: string[] = [];
    for (const w of cell.split(' ')) {
      if (!/^[a-z][a-z-]*$/.test(w)) break;
      words.push(w);
    }
    return {
      command: words.join(' '),
      options: longOptions(cell),
      source: cell.includes('[source options]'),
    };
  });
}

interface Help {
  commands: string[];
  options: Set<string>;
}

/** What `credit-desk [command…] --help` prints: its subcommands and its long options (deprecated ones left out). */
function help(args: string[], cwd: string): Help {
  const run = runCli([...args, '--help'], cwd);
  expect(run.code).toBe(0);
  const section = (name: string): string[] => {
    const lines = run.out.split('\n');
    const at = lines.indexOf(`${name}:`);
    if (at < 0) return [];
    const end = lines.findIndex((l, i) => i > at && !/^\s/.test(l));
    return lines.slice(at + 1, end < 0 ? undefined : end);
  };
  const commands = section('Commands')
    .map((l) => /^ {2}([a-z][a-z-]*)/.exec(l)?.[1])
    .filter((c): c is string => c !== undefined && c !== 'help');
  const options = new Set<string>();
  for (const l of section('Options')) {
    const m = /^\s+(?:-\w, )?(--[a-z][a-z-]*)\S*(?: <[^>]+>)?\s+(.*)$/.exec(l);
    // `--skip-invalid` is kept for old scripts and does nothing: the reference leaves it out.
    if (m && m[1] !== '--help' && !/^deprecated\b/.test(m[2])) options.add(m[1]);
  }
  return { commands, options };
}

describe('the CLI reference in docs/user-guide.md', () => {
  it('lists exactly the commands and options --help prints', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'credit-desk-cli-ref-'));
    try {
      const section = cliSection();
      const tableAt = section.indexOf('\n| Command');
      const sheet = longOptions(
        section.slice(section.indexOf('**sheet options**'), section.indexOf('**source options**')),
      );
      const source = longOptions(section.slice(section.indexOf('**source options**'), tableAt));
      expect([...sheet].sort()).toEqual([
        '--config',
        '--sink',
        '--spreadsheet',
        '--sync-identity',
        '--usage-dir',
        '--workbook',
      ]);
      expect(source.size).toBeGreaterThan(0);

      const printed = new Map<string, Set<string>>();
      for (const top of help([], cwd).commands) {
        const h = help([top], cwd);
        if (h.commands.length === 0) printed.set(top, h.options);
        for (const sub of h.commands) printed.set(`${top} ${sub}`, help([top, sub], cwd).options);
      }
      const rows = tableRows(section);
      expect(rows.map((r) => r.command).sort()).toEqual([...printed.keys()].sort());

      for (const row of rows) {
        const options = printed.get(row.command)!;
        // The prose says every command that opens the sheet takes all of them: none takes only some.
        const takesSheet = [...sheet].filter((o) => options.has(o));
        expect({ command: row.command, sheet: takesSheet.length }).toEqual({
          command: row.command,
          sheet: takesSheet.length === 0 ? 0 : sheet.size,
        });
        const expected = new Set([
          ...row.options,
          ...(row.source ? source : []),
          ...(takesSheet.length ? sheet : []),
        ]);
        expect({ command: row.command, options: [...expected].sort() }).toEqual({
          command: row.command,
          options: [...options].sort(),
        });
      }
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
