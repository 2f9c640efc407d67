/**
 * The layer rules in eslint.config.mjs fire: each test lints a planted file at a real path in the tree (nothing
 * is written) and expects the import to be refused — or, for the allowed imports, accepted, so a rule that
 * refused everything would fail here too. Lint sees one import at a time: circles of imports are
 * import-circles.test.ts's.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');

// ESLint loads eslint.config.mjs with a dynamic import, which jest's VM cannot do: the planted files are linted
// in one child Node process with ESLint's own API, exactly as `npm run lint` would see them.
const LINT_ALL = `
const { ESLint } = require('eslint');
const cases = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
const eslint = new ESLint({ cwd: process.cwd() });
(async () => {
  const out = [];
  for (const [file, code] of cases) {
    const [result] = await eslint.lintText(code, { filePath: require('node:path').join(process.cwd(), file) });
    out.push(result.messages);
  }
  process.stdout.write(JSON.stringify(out));
})();
`;

const LAYER_RULES = ['no-restricted-imports', 'no-restricted-syntax', 'no-restricted-globals'];

function lintAll(cases: [string, string][]): string[][] {
  const r = spawnSync(process.execPath, ['-e', LINT_ALL], {
    cwd: ROOT,
    input: JSON.stringify(cases),
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`eslint failed: ${r.stderr}`);
  const messages = JSON.parse(r.stdout) as { ruleId: string | null; message: string }[][];
  return messages.map((ms) => ms.filter((m) => LAYER_RULES.includes(m.ruleId ?? '')).map((m) => m.message));
}

const REFUSED: [string, string][] = [
  ['core/rules/planted.ts', "import { x } from '../../addon/api';\nexport const y = x;\n"],
  [
    'core/rules/planted.ts',
    "import type { Settings } from '../../sync-service/settings';\nexport type Y = Settings;\n",
  ],
  ['core/deep/er/planted.ts', "import { x } from '../../../test/helpers/domain';\nexport const y = x;\n"],
  ['core/planted.ts', "import { readFileSync } from 'node:fs';\nexport const y = readFileSync;\n"],
  [
    'sync-service/sinks/planted.ts',
    "import { x } from '../../addon/server/live-sheet';\nexport const y = x;\n",
  ],
  ['sync-service/cli/commands/planted.ts', "export const y = require('../../../addon/api');\n"],
  ['addon/server/planted.ts', "import { x } from '../../sync-service/settings';\nexport const y = x;\n"],
  ['addon/planted.ts', "import { x } from '../test/fakes/spreadsheet';\nexport const y = x;\n"],
  ['sync-service/planted.ts', "import { x } from '../bench/figures';\nexport const y = x;\n"],
  // Within sync-service/, by what each part talks to: the sinks never import each other, usage/ and archive/
  // never a sink's insides, xlsx/ and files/ no sink or user of theirs; the base rules still hold there.
  [
    'sync-service/sinks/workbook/planted.ts',
    "import { x } from '../google/sheets-a1';\nexport const y = x;\n",
  ],
  ['sync-service/sinks/google/planted.ts', "export const y = require('../workbook/workbook-layout');\n"],
  [
    'sync-service/usage/planted.ts',
    "import { x } from '../sinks/workbook/workbook-read';\nexport const y = x;\n",
  ],
  [
    'sync-service/archive/planted.ts',
    "import { x } from '../sinks/google/sheets-a1';\nexport const y = x;\n",
  ],
  ['sync-service/xlsx/planted.ts', "import type { Sink } from '../sinks/sink';\nexport type Y = Sink;\n"],
  ['sync-service/files/planted.ts', "import { x } from '../usage/usage-files';\nexport const y = x;\n"],
  [
    'sync-service/sinks/google/planted.ts',
    "import { x } from '../../../test/fakes/spreadsheet';\nexport const y = x;\n",
  ],
];

/** What the message of each refusal names: the folder rule it broke. */
const REFUSED_BY = [
  ...Array<RegExp>(9).fill(/core\/|production code never imports tests/),
  /sinks\/workbook\/ never imports sinks\/google\//,
  /sinks\/google\/ never imports sinks\/workbook\//,
  /never a sink's insides/,
  /never a sink's insides/,
  /xlsx\/ and files\/ .* import none of them/,
  /xlsx\/ and files\/ .* import none of them/,
  /production code never imports tests/,
];

const ALLOWED: [string, string][] = [
  ['core/rules/planted.ts', "import { x } from '../allocation';\nexport const y = x;\n"],
  [
    'sync-service/sinks/planted.ts',
    "import { x } from '../../core/money';\nimport { y } from './sink';\nexport const z = [x, y];\n",
  ],
  [
    'addon/server/planted.ts',
    "import { x } from '../../core/status';\nimport { y } from '../services/tabs';\nexport const z = [x, y];\n",
  ],
  [
    'sync-service/archive/planted.ts',
    "import { x } from '../xlsx/worksheet-grid';\nimport { y } from '../files/atomic-file';\nexport const z = [x, y];\n",
  ],
  [
    'sync-service/sinks/google/planted.ts',
    "import { x } from '../sink';\nimport { y } from '../../files/owner-process';\nexport const z = [x, y];\n",
  ],
  [
    'sync-service/sinks/workbook/planted.ts',
    "import { x } from '../grid-size';\nimport { y } from '../../xlsx/workbook-zip';\nexport const z = [x, y];\n",
  ],
  [
    'sync-service/xlsx/planted.ts',
    "import { x } from '../../core/table';\nimport { y } from '../files/atomic-file';\nexport const z = [x, y];\n",
  ],
  [
    'test/core/planted.test.ts',
    "import { x } from '../../sync-service/settings';\nimport { y } from '../../addon/api';\nexport const z = [x, y];\n",
  ],
];

/** "core/rules/planted.ts → ../../addon/api": the file and the paths it imports. */
function label(file: string, code: string): string {
  return `${file} → ${[...code.matchAll(/['"]([^'"]+)['"]/g)].map((m) => m[1]).join(', ')}`;
}

describe('layer rules', () => {
  let results: string[][];
  beforeAll(() => {
    results = lintAll([...REFUSED, ...ALLOWED]);
  });

  it.each(REFUSED.map(([file, code], i) => [label(file, code), i] as const))('refuses %s', (_label, i) => {
    expect(results[i]).toHaveLength(1);
    expect(results[i][0]).toMatch(REFUSED_BY[i]);
  });

  it.each(ALLOWED.map(([file, code], i) => [label(file, code), REFUSED.length + i] as const))(
    'allows %s',
    (_label, i) => {
      expect(results[i]).toEqual([]);
    },
  );
});
