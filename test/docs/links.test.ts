/**
 * Every relative link in the README, the CHANGELOG and docs/ points at a file that exists and, with a `#anchor`,
 * at a heading that file has (issue #22 item 5: the README was split into docs/, and a section that moves must
 * take its links with it). Anchors are GitHub's: the heading lower-cased, punctuation dropped, spaces as `-`,
 * a repeated heading suffixed `-1`, `-2`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const ROOT = join(__dirname, '../..');

function markdownFiles(): string[] {
  const docs = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? docs(join(dir, e.name)) : e.name.endsWith('.md') ? [join(dir, e.name)] : [],
    );
  return [join(ROOT, 'README.md'), join(ROOT, 'CHANGELOG.md'), ...docs(join(ROOT, 'docs'))];
}

/** The text outside fenced code blocks, where a `#` line is a comment, not a heading. */
function prose(text: string): string {
  return text.replace(/^```[\s\S]*?^```/gm, '');
}

function anchors(file: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of prose(readFileSync(file, 'utf8')).matchAll(/^#{1,6} (.+)$/gm)) {
    const base = m[1]
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}_\- ]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

describe('links in the README, the CHANGELOG and docs/', () => {
  const files = markdownFiles();

  it('finds the documents', () => {
    expect(files.map((f) => relative(ROOT, f))).toEqual(
      expect.arrayContaining(['README.md', 'CHANGELOG.md', 'docs/user-guide.md', 'docs/decisions/README.md']),
    );
    // Its last heading is outside any code block: a fence left open would hide the rest from a reader.
    expect(anchors(join(ROOT, 'README.md'))).toContain('where-to-read-next');
  });

  it.each(files.map((f) => [relative(ROOT, f), f]))(
    '%s: every relative link and anchor resolves',
    (_, file) => {
      const broken: string[] = [];
      for (const m of prose(readFileSync(file, 'utf8')).matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1];
        if (/^[a-z]+:/.test(target)) continue; // https:, mailto:
        const [path, anchor] = target.split('#');
        const to = path ? join(dirname(file), path) : file;
        if (!existsSync(to)) broken.push(`${target}: no such file`);
        else if (anchor !== undefined && !anchors(to).has(anchor)) broken.push(`${target}: no such heading`);
      }
      expect(broken).toEqual([]);
    },
  );
});
