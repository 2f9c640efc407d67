/**
 * No array spread into a call's arguments where the array grows with the data (core/arrays.ts): V8 throws
 * "Maximum call stack size exceeded" past about 120,000 arguments, and it has: a 150,000-credit collect
 * (`credits.push(...change.credits)`), the local Sheets server's `Math.max(...rows)` on a year's sheet. In core/
 * and sync-service/, `x.push(...)`, `x.unshift(...)`, `Math.max(...)`, `Math.min(...)` and
 * `String.fromCharCode(...)` with a spread are refused: core/arrays.ts pushAll and maxOf work at any size.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '../..');
const SPREAD_CALL = /(?:\.(?:push|unshift)|\bMath\.(?:max|min)|\bString\.fromCharCode)\(\s*\.\.\./;

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** file:line of each spread call, comments left out. */
function spreadCalls(files: readonly string[]): string[] {
  const found: string[] = [];
  for (const file of files) {
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        const code = line.replace(/\/\/.*$/, '');
        if (/^\s*\*/.test(code)) return; // a doc comment's line
        if (SPREAD_CALL.test(code)) found.push(`${relative(ROOT, file)}:${i + 1}: ${line.trim()}`);
      });
  }
  return found;
}

describe('spread arguments', () => {
  it('core/ and sync-service/ pass no array as spread arguments (core/arrays.ts pushAll, maxOf)', () => {
    const files = [...tsFiles(join(ROOT, 'core')), ...tsFiles(join(ROOT, 'sync-service'))];
    expect(files.length).toBeGreaterThan(100);
    expect(spreadCalls(files)).toEqual([]);
  });

  it('finds one where there is one', () => {
    const dir = join(__dirname, 'fixtures-spread');
    expect(spreadCalls([join(dir, 'spread.ts.txt')]).map((l) => l.replace(/^.*?:(\d+):.*$/, '$1'))).toEqual([
      '2',
      '3',
    ]);
  });
});
