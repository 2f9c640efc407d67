/**
 * The built project as Apps Script sees it: dist/Code.js loaded into a fresh vm context whose only globals
 * are the fakes; every entry point must be a real top-level function declaration.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'acorn';
import type { ServerApi } from '../../addon/api';
import { MENU_ITEMS } from '../../addon/server/menu';
import { createFakeAppsScript, loadBundle } from '../fakes/apps-script';
import { buildSpreadsheet } from '../fakes/sheet-builder';
import { makeCredits, ACCOUNTS, RULES } from './fixtures';

// Compile-time completeness: adding a function to ServerApi without listing it here fails the type check.
const SERVER_API: Record<keyof ServerApi, true> = {
  getSelectedCredit: true,
  getSelectionKey: true,
  assignCredit: true,
  unassignCredit: true,
  assignSelectedWithDefault: true,
  previewRules: true,
  applyRules: true,
  validateRules: true,
  prepareDownload: true,
  downloadChunk: true,
  getMonthSummary: true,
  downloadStatement: true,
};
const TRIGGERS = ['onOpen', 'onInstall', 'onEdit'];
const MENU_FUNCTIONS = MENU_ITEMS.flatMap((i) => (i ? [i[1]] : []));
const ENTRY_POINTS = [...TRIGGERS, ...MENU_FUNCTIONS, ...Object.keys(SERVER_API)];

let out: string;
let code: string;

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'credit-desk-build-'));
  execFileSync(process.execPath, ['addon/build.mjs', '--out', out], {
    cwd: join(__dirname, '../..'),
    stdio: 'pipe',
  });
  code = readFileSync(join(out, 'Code.js'), 'utf8');
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

test('every entry point is a top-level function declaration of the script', () => {
  const program = parse(code, { ecmaVersion: 2020, sourceType: 'script' });
  const declared = program.body.flatMap((n) => (n.type === 'FunctionDeclaration' && n.id ? [n.id.name] : []));
  expect(declared.sort()).toEqual([...new Set(ENTRY_POINTS)].sort());
});

test('the bundle has no import/export and runs with only the Apps Script globals', () => {
  expect(code).not.toMatch(/^\s*(import|export)\s/m);
  const fake = createFakeAppsScript(
    buildSpreadsheet({ credits: makeCredits(3), accounts: ACCOUNTS, rules: RULES }),
  );
  const ctx = loadBundle(join(out, 'Code.js'), fake);
  for (const name of ENTRY_POINTS) expect(typeof ctx[name]).toBe('function');

  // The stubs reach the real code: onOpen builds the menu, a ServerApi call answers in JSON-safe values.
  (ctx.onOpen as (e: unknown) => void)({ authMode: 'LIMITED' });
  expect(fake.ui.menus[0].entries.filter((e) => 'caption' in e)).toHaveLength(MENU_FUNCTIONS.length);
  fake.spreadsheet._select('Credits', 'A2');
  const selected = (ctx.getSelectedCredit as () => { credit: { creditId: string } })();
  expect(selected.credit.creditId).toBe('AWSC-202610-0000-0000');
  const view = (ctx.assignCredit as (id: string, a: string) => { status: string })(
    'AWSC-202610-0000-0000',
    'customer 100%',
  );
  expect(view.status).toBe('ASSIGNED');
});

test('Sidebar.html is one self-contained file', () => {
  const html = readFileSync(join(out, 'Sidebar.html'), 'utf8');
  expect(html).not.toMatch(/<script[^>]*\ssrc=/i);
  expect(html).not.toMatch(/<link[^>]*\shref=/i);
  expect(html).not.toContain('<!-- inline:');
  // HtmlService strips "//" inside template literals of inline scripts: none may remain.
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]).join('\n');
  expect(scripts).not.toContain('`');
});

test('the manifest asks for the least scopes and is copied', () => {
  const manifest = JSON.parse(readFileSync(join(out, 'appsscript.json'), 'utf8'));
  expect(manifest).toMatchObject({
    timeZone: 'Etc/UTC',
    runtimeVersion: 'V8',
    exceptionLogging: 'STACKDRIVER',
  });
  // spreadsheets (not .currentonly): the Sheets advanced service — one atomic values.batchUpdate per action,
  // whatever the interleaving of locked rows — accepts only the full scope (docs/addon.md, "Why the Sheets API").
  expect(manifest.oauthScopes.sort()).toEqual([
    'https://www.googleapis.com/auth/script.container.ui',
    'https://www.googleapis.com/auth/spreadsheets',
    'https://www.googleapis.com/auth/userinfo.email',
  ]);
  expect(manifest.dependencies.enabledAdvancedServices).toEqual([
    { userSymbol: 'Sheets', serviceId: 'sheets', version: 'v4' },
  ]);
});
