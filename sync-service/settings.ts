/**
 * Where the sync reads from and writes to. Every setting can come from a command-line option, an environment
 * variable or a config file (credit-desk.config.json, or --config FILE), in that order of precedence. They are
 * validated once, at start, with messages that name the setting, where it came from, and how to fix it. What
 * the settings are (names, defaults, options, help) is declared once, in settings-table.ts; this file reads and
 * checks them, and states the one rule that chooses the sink.
 */
import { existsSync, readFileSync } from 'node:fs';
import { unknownKeysProblem } from './config-keys';
import { optionName, SETTING_KEYS, SETTINGS, type SettingKey, type Settings } from './settings-table';
import type { ConnectTarget } from '../core/usage';

export type { Settings } from './settings-table';

/** The environment variable the Connect API key is read from (and from nowhere else). */
export const CONNECT_API_KEY_ENV = 'CONNECT_API_KEY';

/** The Connect IDs a collection uses when no settings are given (tests, scripts): the demo's placeholders. */
export const PLACEHOLDER_CONNECT: ConnectTarget = {
  product: SETTINGS['connect.product'].default,
  marketplace: SETTINGS['connect.marketplace'].default,
  contract: SETTINGS['connect.contract'].default,
  item: SETTINGS['connect.item'].default,
};

export class SettingsError extends Error {}

function readConfigFile(path: string | undefined, explicit: boolean): Record<string, unknown> {
  const file = path ?? 'credit-desk.config.json';
  if (!existsSync(file)) {
    if (explicit) throw new SettingsError(`Config file ${file} does not exist. Check the --config path.`);
    return {};
  }
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not a JSON object');
    return parsed as Record<string, unknown>;
  } catch (e) {
    throw new SettingsError(
      `Config file ${file} is not valid JSON (${(e as Error).message}). Fix it or remove it.`,
    );
  }
}

function fromFile(config: Record<string, unknown>, key: SettingKey): string | undefined {
  const [a, b] = key.split('.');
  const v = b ? (config[a] as Record<string, unknown> | undefined)?.[b] : config[a];
  return v === undefined || v === null ? undefined : String(v);
}

/** "duckdb or athena", "auto, cur2 or legacy". */
function oneOf(values: readonly string[]): string {
  return values.length < 2 ? values.join('') : `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`;
}

/** Where a setting's value came from, as the messages name it ("--workbook", "CREDIT_DESK_SINK", …). */
type Origins = ReadonlyMap<SettingKey, string>;

type Fail = (key: SettingKey, problem: string, fix: string) => never;

/** A setting is given when it did not come from its default. */
const given = (origin: Origins, key: SettingKey) => origin.get(key) !== 'default';

/**
 * The sink, stated in one place. `sink` given: that one; it needs a spreadsheet for google, and an option typed
 * on this command line for the other sink is refused rather than ignored. Not given, the rule from before the
 * setting existed: google when a spreadsheet is set, else the workbook, except that a workbook and a spreadsheet
 * both given are a conflict to settle with `sink`, not a silent choice.
 */
function chooseSink(v: Record<SettingKey, string>, origin: Origins, fail: Fail): Settings['sink'] {
  const from = (key: SettingKey) => `${key} (from ${origin.get(key)})`;
  const choose =
    'Choose one with --sink workbook or --sink google (or CREDIT_DESK_SINK, or "sink" in the config file)';
  if (!v.sink) {
    if (v.spreadsheet && given(origin, 'workbook'))
      fail(
        'sink',
        `is not set, and both ${from('workbook')} and ${from('spreadsheet')} name a sheet`,
        `${choose}, or remove the one you do not mean.`,
      );
    return v.spreadsheet ? 'google' : 'workbook';
  }
  if (v.sink === 'google' && !v.spreadsheet)
    fail(
      'sink',
      'is "google" but no spreadsheet is set',
      `Pass --spreadsheet <id> (the ID in the sheet's URL), or set ${SETTINGS.spreadsheet.env}; or use --sink workbook.`,
    );
  const unused: SettingKey = v.sink === 'google' ? 'workbook' : 'spreadsheet';
  const option = origin.get(unused) ?? '';
  if (option.startsWith('--'))
    fail(
      'sink',
      `is "${v.sink}" but ${option} names the ${unused === 'workbook' ? 'workbook' : 'Google Sheet'}`,
      `Leave out ${option}, or use --sink ${v.sink === 'google' ? 'workbook' : 'google'}.`,
    );
  return v.sink as Settings['sink'];
}

export function resolveSettings(
  cli: Record<string, unknown>,
  env: NodeJS.ProcessEnv = process.env,
): Settings {
  const config = readConfigFile(cli.config as string | undefined, Boolean(cli.config));
  const fileConnect = config.connect as Record<string, unknown> | undefined;
  const keyInFile = Object.keys(fileConnect ?? {}).find((k) => /key|token|secret|auth/i.test(k));
  if (keyInFile)
    throw new SettingsError(
      `Config file ${String(cli.config ?? 'credit-desk.config.json')} has "connect.${keyInFile}": the Connect API key ` +
        `is never read from a file. Remove it from the file (and rotate the key if the file was shared), and set ` +
        `${CONNECT_API_KEY_ENV} in the environment instead.`,
    );
  const unknownKeys = unknownKeysProblem(config, SETTING_KEYS);
  if (unknownKeys)
    throw new SettingsError(`Config file ${String(cli.config ?? 'credit-desk.config.json')} ${unknownKeys}`);
  const origin = new Map<SettingKey, string>();
  const value = (key: SettingKey): string => {
    const spec = SETTINGS[key];
    const opt = optionName(spec);
    if (opt && cli[opt] !== undefined && cli[opt] !== '') {
      origin.set(key, spec.flag!.split(' ')[0]);
      return String(cli[opt]);
    }
    if (env[spec.env]) {
      origin.set(key, spec.env);
      return String(env[spec.env]);
    }
    const f = fromFile(config, key);
    if (f !== undefined) {
      origin.set(key, `config file "${key}"`);
      return f;
    }
    origin.set(key, 'default');
    return spec.default;
  };
  const v = Object.fromEntries(SETTING_KEYS.map((k) => [k, value(k)])) as Record<SettingKey, string>;
  const fail: Fail = (key, problem, fix) => {
    throw new SettingsError(`Setting ${key} (from ${origin.get(key)}) ${problem}. ${fix}`);
  };
  // Each setting on its own, as the table says: its allowed values, its shape.
  for (const key of SETTING_KEYS) {
    const spec = SETTINGS[key];
    if (v[key] === '') continue;
    if (spec.choices && !spec.choices.includes(v[key]))
      fail(key, `is "${v[key]}"`, `Use ${oneOf(spec.choices)}.`);
    const fix = spec.check?.(v[key]);
    if (fix) fail(key, `is "${v[key]}"`, fix);
  }
  // Settings that depend on another one.
  if (v.source === 'athena') {
    const ident = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
    if (!v['athena.database'])
      fail('athena.database', 'is missing', `Pass --database, or set ${SETTINGS['athena.database'].env}.`);
    if (!ident.test(v['athena.database']))
      fail(
        'athena.database',
        `is "${v['athena.database']}"`,
        'A Glue database name uses letters, digits and underscores.',
      );
    if (!v['athena.table'])
      fail('athena.table', 'is missing', `Pass --table, or set ${SETTINGS['athena.table'].env}.`);
    if (!ident.test(v['athena.table']))
      fail('athena.table', `is "${v['athena.table']}"`, 'A table name uses letters, digits and underscores.');
    if (v['athena.output'] && !/^s3:\/\/[a-z0-9.-]{3,63}(\/.*)?$/.test(v['athena.output']))
      fail(
        'athena.output',
        `is "${v['athena.output']}"`,
        'Use an S3 URI such as s3://my-athena-results/credit-desk/ (or leave it out for a workgroup with managed results).',
      );
    if (
      !v['athena.region'] &&
      !v['athena.endpoint'] &&
      !env.AWS_REGION &&
      !env.AWS_DEFAULT_REGION &&
      !env.AWS_PROFILE
    ) {
      fail(
        'athena.region',
        'is missing',
        'Pass --region (e.g. us-east-1), or set AWS_REGION, or use an AWS profile that names a region.',
      );
    }
    if (v['athena.region'] && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(v['athena.region']))
      fail('athena.region', `is "${v['athena.region']}"`, 'Use a region code such as us-east-1.');
  }
  const sink = chooseSink(v, origin, fail);
  // Nested as the config file nests them ("athena.region" → athena.region); connect.endpoint is Connect's API,
  // which carries the key too, so it goes to connectApi beside the key read from the environment alone.
  const nested: Record<string, unknown> = { sink };
  for (const key of SETTING_KEYS) {
    const [a, b] = key.split('.');
    if (b) nested[a] = { ...(nested[a] as object), [b]: v[key] };
    else if (key !== 'sink') nested[a] = v[key];
  }
  const { endpoint, ...connect } = nested.connect as Settings['connect'] & { endpoint: string };
  return {
    ...nested,
    connect,
    connectApi: Object.defineProperty({ endpoint }, 'apiKey', {
      value: env[CONNECT_API_KEY_ENV] ?? '',
      enumerable: false,
    }) as Settings['connectApi'],
  } as Settings;
}

/** The settings list after `--help`: each setting's key, environment variable and default, from the table. */
export function settingsHelp(): string {
  const local = SETTING_KEYS.filter((k) => SETTINGS[k].standIn);
  const line = (k: SettingKey) =>
    `  ${k.padEnd(19)} ${SETTINGS[k].env.padEnd(31)} default: ${SETTINGS[k].default || `(${SETTINGS[k].unset ?? 'none'})`}`;
  return [
    ...SETTING_KEYS.filter((k) => !local.includes(k)).map(line),
    'Local stand-ins for AWS, Google and Connect (the tests, and `npm run servers` prints them):',
    ...local.map(line),
    `The Connect API key is read only from ${CONNECT_API_KEY_ENV} (never from a file).`,
  ].join('\n');
}
