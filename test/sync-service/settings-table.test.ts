/**
 * The settings table (sync-service/settings-table.ts) is the one declaration of every setting (issue #22 item 4):
 * each setting it lists is read through every route the table gives it (its option, its environment variable, its
 * config key), a wrong value is named with the route it came from, its option is on the commands its group says
 * with the table's help line, and what no option reaches says why.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { makeProgram } from '../../sync-service/cli/program';
import { resolveSettings, settingsHelp, type Settings } from '../../sync-service/settings';
import { optionName, SETTING_KEYS, SETTINGS, type SettingKey } from '../../sync-service/settings-table';

const SHEET_ID = '1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789';

/**
 * A valid value for each setting that is not its default, and the other settings it needs to be valid (given
 * through the same route). A setting added to the table without a sample here does not compile.
 */
const SAMPLES: Record<SettingKey, [string, Partial<Record<SettingKey, string>>?]> = {
  source: ['athena', { 'athena.database': 'cur', 'athena.table': 'cur2', 'athena.region': 'eu-west-1' }],
  cur: ['elsewhere/cur'],
  layout: ['legacy'],
  'athena.database': ['cur_db'],
  'athena.table': ['cur_table'],
  'athena.workgroup': ['credit-desk'],
  'athena.catalog': ['OtherCatalog'],
  'athena.output': ['s3://my-athena-results/credit-desk/'],
  'athena.region': ['eu-west-1'],
  'athena.endpoint': ['http://127.0.0.1:4566'],
  sink: ['google', { spreadsheet: SHEET_ID }],
  workbook: ['month/credits.xlsx'],
  spreadsheet: [SHEET_ID],
  syncIdentity: ['credit-desk@my-project.iam.gserviceaccount.com'],
  sheetsRootUrl: ['http://127.0.0.1:4567'],
  accounts: ['accounts.csv'],
  rules: ['rules.csv'],
  usageDir: ['/data/usage-files'],
  period: ['2026-10'],
  'connect.product': ['PRD-123-456-789'],
  'connect.marketplace': ['MP-12345'],
  'connect.contract': ['CRD-12345-12345-12345'],
  'connect.item': ['AWS-CREDITS-PAYG'],
  'connect.endpoint': ['http://127.0.0.1:4010/public/v1'],
};

/** A setting's value in the resolved settings (connect.endpoint is Connect's API, beside its key). */
function read(s: Settings, key: SettingKey): unknown {
  if (key === 'connect.endpoint') return s.connectApi.endpoint;
  const [a, b] = key.split('.');
  const top = (s as unknown as Record<string, unknown>)[a];
  return b ? (top as Record<string, unknown>)[b] : top;
}

type Route = 'option' | 'environment' | 'config file';

describe('the settings table', () => {
  let dir: string;
  let files = 0;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'credit-desk-settings-table-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** resolveSettings with `values` given through `route` only. */
  function resolveVia(route: Route, values: Partial<Record<SettingKey, string>>): Settings {
    const cli: Record<string, unknown> = {};
    const env: NodeJS.ProcessEnv = {};
    const config: Record<string, Record<string, string> | string> = {};
    for (const [key, value] of Object.entries(values) as [SettingKey, string][]) {
      if (route === 'option') cli[optionName(SETTINGS[key])!] = value;
      else if (route === 'environment') env[SETTINGS[key].env] = value;
      else {
        const [a, b] = key.split('.');
        if (b) config[a] = { ...(config[a] as Record<string, string>), [b]: value };
        else config[a] = value;
      }
    }
    if (route === 'config file') {
      cli.config = join(dir, `config-${(files += 1)}.json`);
      writeFileSync(cli.config as string, JSON.stringify(config));
    }
    return resolveSettings(cli, env);
  }

  /** The routes the table gives a setting: all three, or the environment and the file when it has no option. */
  const routes = (key: SettingKey): Route[] =>
    SETTINGS[key].flag ? ['option', 'environment', 'config file'] : ['environment', 'config file'];

  it.each(SETTING_KEYS)('reads %s through each of its routes', (key) => {
    const [value, needs = {}] = SAMPLES[key];
    expect(value).not.toBe(SETTINGS[key].default);
    for (const route of routes(key)) {
      const s = resolveVia(route, { ...needs, [key]: value });
      expect({ route, value: read(s, key) }).toEqual({ route, value });
    }
  });

  it('gives an option to every setting but those that say why they have none', () => {
    for (const key of SETTING_KEYS) {
      const spec = SETTINGS[key];
      if (spec.group === 'none') {
        expect({ key, flag: spec.flag, why: (spec.flagless ?? '').length > 10 }).toEqual({
          key,
          flag: undefined,
          why: true,
        });
      } else {
        expect({
          key,
          flag: /^--[a-z][a-z-]* <[^>]+>$/.test(spec.flag ?? ''),
          help: spec.help.length > 5,
        }).toEqual({ key, flag: true, help: true });
      }
      expect({ key, doc: spec.doc.length > 10, env: /^CREDIT_DESK_[A-Z_]+$/.test(spec.env) }).toEqual({
        key,
        doc: true,
        env: true,
      });
    }
    const unique = (xs: (string | undefined)[]) => new Set(xs).size === xs.length;
    expect(unique(SETTING_KEYS.map((k) => SETTINGS[k].env))).toBe(true);
    expect(unique(SETTING_KEYS.map((k) => SETTINGS[k].flag).filter(Boolean))).toBe(true);
  });

  it.each(SETTING_KEYS.filter((k) => SETTINGS[k].choices || SETTINGS[k].check))(
    'names %s, the route a wrong value came from, and the fix',
    (key) => {
      const origin: Record<Route, string> = {
        option: SETTINGS[key].flag?.split(' ')[0] ?? '',
        environment: SETTINGS[key].env,
        'config file': `config file "${key}"`,
      };
      for (const route of routes(key)) {
        const [, needs = {}] = SAMPLES[key];
        expect(() => resolveVia(route, { ...needs, [key]: 'no good' })).toThrow(
          `Setting ${key} (from ${origin[route]}) is "no good". `,
        );
      }
    },
  );

  it("puts each option on the commands of its group, with the table's help line", () => {
    const program = makeProgram({ reporter: console, signal: new AbortController().signal } as never);
    const leaves: Command[] = [];
    const walk = (c: Command) => (c.commands.length ? c.commands.forEach(walk) : leaves.push(c));
    walk(program);
    const help = (c: Command) => new Map(c.options.map((o) => [o.long, o.description]));
    const opening = leaves.filter((c) => help(c).has('--config'));
    const reading = leaves.filter((c) => help(c).has('--source'));
    expect(opening.length).toBeGreaterThan(10);
    expect(reading.map((c) => c.name()).sort()).toEqual(['run-month', 'sync']);
    for (const key of SETTING_KEYS) {
      const { flag, group, help: line } = SETTINGS[key];
      if (!flag) continue;
      const long = flag.split(' ')[0];
      // A `command` setting's option is on the commands that add it (sync, run-month); another command's
      // option of the same name may be a filter of its own (export --period), with its own help.
      const on =
        group === 'sheet'
          ? opening
          : group === 'source'
            ? reading
            : leaves.filter((c) => help(c).get(long) === line);
      expect({ key, commands: on.length > 0 }).toEqual({ key, commands: true });
      for (const c of on)
        expect({ key, command: c.name(), help: help(c).get(long) }).toEqual({
          key,
          command: c.name(),
          help: line,
        });
    }
  });

  it('lists every setting after --help, with its environment variable and default', () => {
    const lines = settingsHelp().split('\n');
    for (const key of SETTING_KEYS) {
      const { env, default: value, unset } = SETTINGS[key];
      const line = lines.find((l) => l.trim().split(/ +/)[0] === key);
      expect({ key, words: line?.trim().split(/ +/).slice(1) }).toEqual({
        key,
        words: [env, 'default:', ...(value ? [value] : `(${unset ?? 'none'})`.split(' '))],
      });
    }
  });

  it('accepts a config file holding every setting (the known keys are the table)', () => {
    const all = Object.fromEntries(SETTING_KEYS.map((k) => [k, SAMPLES[k][0]]));
    // Every one at once: athena needs its database, table and region, google its spreadsheet; all are in it.
    const s = resolveVia('config file', all);
    for (const key of SETTING_KEYS) expect({ key, value: read(s, key) }).toEqual({ key, value: all[key] });
  });
});
