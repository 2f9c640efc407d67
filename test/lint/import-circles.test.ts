/**
 * No import circles (issue 22): a file never imports, however indirectly, a file that imports it. Lint sees one
 * import at a time, so this reads every relative import of the production code (core/, sync-service/, addon/,
 * emulators/, bench/; type-only imports too, since they tie the files as tightly for a reader) and looks for
 * strongly connected components. A circle is broken by moving what both files share into a file both can
 * import, never by merging them. Within sync-service/, the folders the sinks, the .xlsx format, file I/O, usage/
 * and archive/ live in have no circle between them either. Reading text, not compiling: about a second.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const ROOT = join(__dirname, '../..');
const PRODUCTION = ['core', 'sync-service', 'addon', 'emulators', 'bench'];
/** Well under the imports the tree has (1,334 in 282 files when this was written): a reader that lost most of them fails. */
const EDGES_AT_LEAST = 1000;

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** The files of `files` that one file imports (import/export … from, import '…', require, import()). */
function importsOf(file: string, files: Set<string>): string[] {
  const code = readFileSync(file, 'utf8');
  const specs = [...code.matchAll(/(?:from|import|require\(|import\()\s*['"](\.[^'"]+)['"]/g)].map(
    (m) => m[1],
  );
  return specs
    .map((spec) =>
      [join(dirname(file), spec) + '.ts', join(dirname(file), spec, 'index.ts')].find(existsSync),
    )
    .filter((f): f is string => f !== undefined && files.has(f));
}

/** Every circle of the graph (Tarjan's strongly connected components of two or more, or a file importing itself). */
function circles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do scc.push((w = stack.pop()!));
      while (w !== v);
      if (scc.length > 1 || graph.get(v)?.includes(v)) out.push(scc.map((f) => relative(ROOT, f)).sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

function graphOf(dirs: string[]): Map<string, string[]> {
  const files = new Set(dirs.flatMap((d) => tsFiles(join(ROOT, d))));
  return new Map([...files].map((f) => [f, importsOf(f, files)]));
}

describe('the circle finder', () => {
  it('finds a circle of three, a file importing itself, and nothing in a chain', () => {
    const at = (f: string) => join(ROOT, f);
    const graph = new Map([
      [at('a.ts'), [at('b.ts')]],
      [at('b.ts'), [at('c.ts')]],
      [at('c.ts'), [at('a.ts'), at('d.ts')]],
      [at('d.ts'), [at('e.ts')]],
      [at('e.ts'), [at('e.ts')]],
    ]);
    expect(circles(graph)).toEqual(expect.arrayContaining([['a.ts', 'b.ts', 'c.ts'], ['e.ts']]));
    expect(circles(graph)).toHaveLength(2);
  });
});

describe('no import circles in the production code', () => {
  const graph = graphOf(PRODUCTION);

  it('reads the imports (a reader that found none would pass below)', () => {
    const edges = [...graph.values()].reduce((n, to) => n + to.length, 0);
    expect(graph.size).toBeGreaterThan(250);
    expect(edges).toBeGreaterThan(EDGES_AT_LEAST);
  });

  it('has no circle between files', () => {
    expect(circles(graph)).toEqual([]);
  });
});

describe('no import circles between the sinks, xlsx/, files/, usage/ and archive/', () => {
  const SYNC = join(ROOT, 'sync-service');
  const graph = graphOf(['sinks', 'xlsx', 'files', 'usage', 'archive'].map((d) => `sync-service/${d}`));

  it('reads the imports', () => {
    const edges = [...graph.values()].reduce((n, to) => n + to.length, 0);
    expect(edges).toBeGreaterThan(40);
  });

  it('has no circle between folders', () => {
    const folder = (f: string) => dirname(relative(SYNC, f));
    const folders = new Map<string, string[]>();
    for (const [f, to] of graph) {
      const from = folder(f);
      folders.set(from, [
        ...new Set([...(folders.get(from) ?? []), ...to.map(folder).filter((t) => t !== from)]),
      ]);
    }
    expect(circles(folders)).toEqual([]);
  });
});
