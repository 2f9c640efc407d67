/**
 * Where the sync reads from and writes to. Every setting can come from a command-line option, an environment
 * variable or a config file (credit-desk.config.json, or --config FILE), in that order of precedence. They are
 * validated once, at start, with messages that name the setting, where it came from, and how to fix it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { unknownKeysProblem } from './config-keys';
import { assertPeriod } from './sources/credits-query';
import type { ConnectTarget } from '../core/usage';

export interface Settings {
  source: 'duckdb' | 'athena';
  cur: string;
  layout: 'auto' | 'cur2' | 'legacy';
  athena: {
    database: string;
    table: string;
    workgroup: string;
    catalog: string;
    output: string;
    region: string;
    /** A local Athena-protocol server instead of AWS: the tests and `npm run servers` use it. */
    endpoint: string;
  };
  workbook: string;
  spreadsheet: string;
  /** The service account email that alone may edit locked rows (default: read from the credentials). */
  syncIdentity: string;
  /** A local Sheets v4 server instead of Google: the tests and `npm run servers` use it. */
  sheetsRootUrl: string;
  accounts: string;
  rules: string;
  usageDir: string;
  period: string;
  /**
   * What the usage files are filed under in CloudBlue Connect (their `general` tab and each record's item):
   * the product (PRD-…), marketplace (MP-…), distribution contract (CRD-…) and the pay-as-you-go item's MPN.
   * See https://connect.cloudblue.com/community/modules/usage_module/usage-file-format/ (general tab: product_id,
   * marketplace_id, distribution_contract_id; records tab: item_search_criteria item.mpn, item_search_value).
   */
  connect: ConnectTarget;
  /**
   * Connect's Usage API (sync-service/connect-api/client.ts): its base URL (setting connect.endpoint; a local
   * Connect server's in the tests and `npm run servers`) and the API key, read ONLY from the environment variable
   * CONNECT_API_KEY (never a setting file, never logged: it is not enumerable, so no JSON or inspect shows it).
   */
  connectApi: { endpoint: string; readonly apiKey: string };
}

/** The environment variable the Connect API key is read from (and from nowhere else). */
export const CONNECT_API_KEY_ENV = 'CONNECT_API_KEY';

type Key =
  | Exclude<keyof Settings, 'athena' | 'connect' | 'connectApi'>
  | `athena.${keyof Settings['athena']}`
  | `connect.${keyof Settings['connect']}`
  | 'connect.endpoint';

const ENV: Record<Key, string> = {
  source: 'CREDIT_DESK_SOURCE',
  cur: 'CREDIT_DESK_CUR',
  layout: 'CREDIT_DESK_LAYOUT',
  'athena.database': 'CREDIT_DESK_ATHENA_DATABASE',
  'athena.table': 'CREDIT_DESK_ATHENA_TABLE',
  'athena.workgroup': 'CREDIT_DESK_ATHENA_WORKGROUP',
  'athena.catalog': 'CREDIT_DESK_ATHENA_CATALOG',
  'athena.output': 'CREDIT_DESK_ATHENA_OUTPUT',
  'athena.region': 'CREDIT_DESK_AWS_REGION',
  'athena.endpoint': 'CREDIT_DESK_ATHENA_ENDPOINT',
  workbook: 'CREDIT_DESK_WORKBOOK',
  spreadsheet: 'CREDIT_DESK_SPREADSHEET',
  syncIdentity: 'CREDIT_DESK_SYNC_IDENTITY',
  sheetsRootUrl: 'CREDIT_DESK_SHEETS_ROOT_URL',
  accounts: 'CREDIT_DESK_ACCOUNTS',
  rules: 'CREDIT_DESK_RULES',
  usageDir: 'CREDIT_DESK_USAGE_DIR',
  period: 'CREDIT_DESK_PERIOD',
  'connect.product': 'CREDIT_DESK_CONNECT_PRODUCT',
  'connect.marketplace': 'CREDIT_DESK_CONNECT_MARKETPLACE',
  'connect.contract': 'CREDIT_DESK_CONNECT_CONTRACT',
  'connect.item': 'CREDIT_DESK_CONNECT_ITEM',
  'connect.endpoint': 'CREDIT_DESK_CONNECT_ENDPOINT',
};

const DEFAULTS: Record<Key, string> = {
  source: 'duckdb',
  cur: 'demo-data/cur',
  layout: 'auto',
  'athena.database': '',
  'athena.table': '',
  'athena.workgroup': 'primary',
  'athena.catalog': 'AwsDataCatalog',
  'athena.output': '',
  'athena.region': '',
  'athena.endpoint': '',
  workbook: 'credits.xlsx',
  spreadsheet: '',
  syncIdentity: '',
  sheetsRootUrl: '',
  accounts: '',
  rules: '',
  usageDir: 'usage-files',
  period: '',
  // Placeholders, obviously not real IDs: the demo's usage files name them; set the real ones to upload.
  'connect.product': 'PRD-000-000-000',
  'connect.marketplace': 'MP-00000',
  'connect.contract': 'CRD-00000-00000-00000',
  'connect.item': 'AWS-CREDIT',
  // The description's server (../shared/reference/connect-openapi30.yml, `servers`).
  'connect.endpoint': 'https://api.connect.cloudblue.com/public/v1',
};

/** The Connect IDs a collection uses when no settings are given (tests, scripts): the demo's placeholders. */
export const PLACEHOLDER_CONNECT: ConnectTarget = {
  product: DEFAULTS['connect.product'],
  marketplace: DEFAULTS['connect.marketplace'],
  contract: DEFAULTS['connect.contract'],
  item: DEFAULTS['connect.item'],
};

/** Command-line option names (commander camelCase) for each setting. */
const CLI: Partial<Record<Key, string>> = {
  source: 'source',
  cur: 'cur',
  layout: 'layout',
  'athena.database': 'database',
  'athena.table': 'table',
  'athena.workgroup': 'workgroup',
  'athena.catalog': 'catalog',
  'athena.output': 'output',
  'athena.region': 'region',
  workbook: 'workbook',
  spreadsheet: 'spreadsheet',
  syncIdentity: 'syncIdentity',
  accounts: 'accounts',
  rules: 'rules',
  usageDir: 'usageDir',
  period: 'period',
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

function fromFile(config: Record<string, unknown>, key: Key): string | undefined {
  const [a, b] = key.split('.');
  const v = b ? (config[a] as Record<string, unknown> | undefined)?.[b] : config[a];
  return v === undefined || v === null ? undefined : String(v);
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
  const unknownKeys = unknownKeysProblem(config, Object.keys(ENV));
  if (unknownKeys)
    throw new SettingsError(`Config file ${String(cli.config ?? 'credit-desk.config.json')} ${unknownKeys}`);
  const origin = new Map<Key, string>();
  const value = (key: Key): string => {
    const opt = CLI[key];
    if (opt && cli[opt] !== undefined && cli[opt] !== '') {
      origin.set(key, `--${opt.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}`);
      return String(cli[opt]);
    }
    if (env[ENV[key]]) {
      origin.set(key, ENV[key]);
      return String(env[ENV[key]]);
    }
    const f = fromFile(config, key);
    if (f !== undefined) {
      origin.set(key, `config file "${key}"`);
      return f;
    }
    origin.set(key, 'default');
    return DEFAULTS[key];
  };
  const s: Settings = {
    source: value('source') as Settings['source'],
    cur: value('cur'),
    layout: value('layout') as Settings['layout'],
    athena: {
      database: value('athena.database'),
      table: value('athena.table'),
      workgroup: value('athena.workgroup'),
      catalog: value('athena.catalog'),
      output: value('athena.output'),
      region: value('athena.region'),
      endpoint: value('athena.endpoint'),
    },
    workbook: value('workbook'),
    spreadsheet: value('spreadsheet'),
    syncIdentity: value('syncIdentity'),
    sheetsRootUrl: value('sheetsRootUrl'),
    accounts: value('accounts'),
    rules: value('rules'),
    usageDir: value('usageDir'),
    period: value('period'),
    connect: {
      product: value('connect.product'),
      marketplace: value('connect.marketplace'),
      contract: value('connect.contract'),
      item: value('connect.item'),
    },
    connectApi: Object.defineProperty({ endpoint: value('connect.endpoint') }, 'apiKey', {
      value: env[CONNECT_API_KEY_ENV] ?? '',
      enumerable: false,
    }) as Settings['connectApi'],
  };
  const fail = (key: Key, problem: string, fix: string) => {
    throw new SettingsError(`Setting ${key} (from ${origin.get(key)}) ${problem}. ${fix}`);
  };
  if (!['duckdb', 'athena'].includes(s.source))
    fail('source', `is "${s.source}"`, 'Use duckdb (local CUR files) or athena.');
  if (!['auto', 'cur2', 'legacy'].includes(s.layout))
    fail('layout', `is "${s.layout}"`, 'Use auto, cur2 or legacy.');
  if (s.period) {
    try {
      assertPeriod(s.period);
    } catch (e) {
      fail('period', `is "${s.period}"`, (e as Error).message);
    }
  }
  if (s.source === 'athena') {
    const ident = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
    if (!s.athena.database)
      fail('athena.database', 'is missing', `Pass --database, or set ${ENV['athena.database']}.`);
    if (!ident.test(s.athena.database))
      fail(
        'athena.database',
        `is "${s.athena.database}"`,
        'A Glue database name uses letters, digits and underscores.',
      );
    if (!s.athena.table) fail('athena.table', 'is missing', `Pass --table, or set ${ENV['athena.table']}.`);
    if (!ident.test(s.athena.table))
      fail('athena.table', `is "${s.athena.table}"`, 'A table name uses letters, digits and underscores.');
    if (s.athena.output && !/^s3:\/\/[a-z0-9.-]{3,63}(\/.*)?$/.test(s.athena.output))
      fail(
        'athena.output',
        `is "${s.athena.output}"`,
        'Use an S3 URI such as s3://my-athena-results/credit-desk/ (or leave it out for a workgroup with managed results).',
      );
    if (
      !s.athena.region &&
      !s.athena.endpoint &&
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
    if (s.athena.region && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(s.athena.region))
      fail('athena.region', `is "${s.athena.region}"`, 'Use a region code such as us-east-1.');
  }
  if (s.spreadsheet && !/^[A-Za-z0-9_-]{20,100}$/.test(s.spreadsheet)) {
    fail(
      'spreadsheet',
      `is "${s.spreadsheet}"`,
      'Use the ID from the sheet URL: https://docs.google.com/spreadsheets/d/<ID>/edit.',
    );
  }
  if (s.syncIdentity && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(s.syncIdentity)) {
    fail(
      'syncIdentity',
      `is "${s.syncIdentity}"`,
      'Use the service account email, e.g. credit-desk@my-project.iam.gserviceaccount.com.',
    );
  }
  // Connect's ID shapes (connect-openapi30.yml examples; usage-file-format general tab: PRD-…, MP-…, CRD-…).
  const connectIds: [Key, string, RegExp, string][] = [
    ['connect.product', s.connect.product, /^PRD-\d{3}-\d{3}-\d{3}$/, 'a product ID such as PRD-123-456-789'],
    ['connect.marketplace', s.connect.marketplace, /^MP-\d{3,}$/, 'a marketplace ID such as MP-12345'],
    [
      'connect.contract',
      s.connect.contract,
      /^CRD-\d{5}-\d{5}-\d{5}$/,
      'a contract ID such as CRD-12345-12345-12345',
    ],
    ['connect.item', s.connect.item, /^\S{1,255}$/, "the pay-as-you-go item's MPN, one word"],
  ];
  for (const [key, v, shape, what] of connectIds)
    if (!shape.test(v)) fail(key, `is "${v}"`, `Use ${what} (Connect, the product's page).`);
  // HTTPS, except a local Connect server on loopback (`npm run servers`): the API key travels in a header.
  const endpoint = /^(https:\/\/[^/\s]+|http:\/\/(127\.0\.0\.1|localhost)(:\d+)?)(\/\S*)?$/;
  if (!endpoint.test(s.connectApi.endpoint))
    fail(
      'connect.endpoint',
      `is "${s.connectApi.endpoint}"`,
      'Use https://api.connect.cloudblue.com/public/v1, or a local Connect server (http://127.0.0.1:<port>/public/v1).',
    );
  return s;
}

export function settingsHelp(): string {
  const LOCAL: Key[] = ['athena.endpoint', 'sheetsRootUrl', 'connect.endpoint'];
  const line = (k: Key) => `  ${k.padEnd(18)} ${ENV[k].padEnd(30)} default: ${DEFAULTS[k] || '(none)'}`;
  return [
    ...(Object.keys(ENV) as Key[]).filter((k) => !LOCAL.includes(k)).map(line),
    'Local stand-ins for AWS, Google and Connect (the tests, and `npm run servers` prints them):',
    ...LOCAL.map(line),
    `The Connect API key is read only from ${CONNECT_API_KEY_ENV} (never from a file).`,
  ].join('\n');
}
