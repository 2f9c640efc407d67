/**
 * Every setting of the CLI, declared once (issue #22 item 4): its shape in `Settings`, and one row in
 * `SETTINGS` naming its config key, command-line option, environment variable, default, allowed values or
 * shape, `--help` line and documentation line. Everything else is made from this table, so a setting cannot be
 * readable one way and forgotten another: the commander options (cli/options.ts), the reading in the order
 * option > environment > config file > default and the config file's known keys (settings.ts), the settings
 * list `--help` prints, and the settings table of docs/operations.md (test/docs/settings-table.test.ts keeps it
 * equal to `settingsDocTable()`). `SETTINGS` is typed by the keys of `Settings`, so a field without a row, or a
 * row without a field, does not compile. Adding a setting is a field and a row here (see docs/architecture.md).
 */
import type { ConnectTarget } from '../core/usage';
import { assertPeriod } from './sources/credits-query';

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
  /**
   * Which sink the commands open: the local .xlsx workbook or the Google Sheet. Given explicitly, or (as before
   * this setting existed) google when a spreadsheet is set and workbook otherwise; settings.ts states the rule.
   */
  sink: 'workbook' | 'google';
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

/** A setting's name: its config key, dotted for the nested ones ("athena.region"). */
export type SettingKey =
  | Exclude<keyof Settings, 'athena' | 'connect' | 'connectApi'>
  | `athena.${keyof Settings['athena']}`
  | `connect.${keyof Settings['connect']}`
  | 'connect.endpoint';

/**
 * Which commands take a setting's option: `sheet` every command that opens the sheet (cli/options.ts
 * sheetOptions), `source` the commands that read the CUR (sourceOptions), `command` the commands that add it
 * themselves (settingOption), `none` no option (`flagless` says why).
 */
type OptionGroup = 'sheet' | 'source' | 'command' | 'none';

export interface SettingSpec {
  /** The option's flags as commander takes them ("--workbook <file>"); absent when `group` is `none`. */
  readonly flag?: string;
  readonly group: OptionGroup;
  /** Why a setting has no command-line option (only for `group: 'none'`). */
  readonly flagless?: string;
  readonly env: string;
  /** '' is "not set"; how an unset setting behaves is the doc line's to say, or `unset`'s. */
  readonly default: string;
  /** What a setting with no default does when not set, for `--help` and the docs' Default column. */
  readonly unset?: string;
  /** The only values it takes (checked at start, and by commander for the option). */
  readonly choices?: readonly string[];
  /**
   * What is wrong with a value that is set (not ''), as the fix to print, or undefined when it is right.
   * `onOption` also checks the option as commander parses it (a usage error before anything is read).
   */
  readonly check?: (value: string) => string | undefined;
  readonly onOption?: boolean;
  /** A local stand-in for a cloud service's address (the tests, `npm run servers`): `--help` lists these apart. */
  readonly standIn?: true;
  /** The option's line in `--help`. */
  readonly help: string;
  /** The setting's line in the documentation's table. */
  readonly doc: string;
}

const shape =
  (re: RegExp, fix: string) =>
  (value: string): string | undefined =>
    re.test(value) ? undefined : fix;

/** The query binds the period as a parameter; its own check says what is wrong (sources/credits-query.ts). */
function periodProblem(value: string): string | undefined {
  try {
    assertPeriod(value);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

// Connect's ID shapes (../shared/reference/connect-openapi30.yml examples; usage-file-format general tab: PRD-…,
// MP-…, CRD-…).
const connectId = (re: RegExp, what: string) => shape(re, `Use ${what} (Connect, the product's page).`);

/** Every setting, in the order `--help` and the documentation list them. */
export const SETTINGS: Readonly<Record<SettingKey, SettingSpec>> = {
  source: {
    flag: '--source <engine>',
    group: 'source',
    env: 'CREDIT_DESK_SOURCE',
    default: 'duckdb',
    choices: ['duckdb', 'athena'],
    help: 'where the CUR is read',
    doc: 'where the CUR is read: local Parquet files (duckdb) or Athena',
  },
  cur: {
    flag: '--cur <dir>',
    group: 'source',
    env: 'CREDIT_DESK_CUR',
    default: 'demo-data/cur',
    help: 'local CUR folder for --source duckdb (default demo-data/cur)',
    doc: 'the local CUR folder (source duckdb)',
  },
  layout: {
    flag: '--layout <layout>',
    group: 'source',
    env: 'CREDIT_DESK_LAYOUT',
    default: 'auto',
    choices: ['auto', 'cur2', 'legacy'],
    help: 'CUR table layout',
    doc: 'the CUR table layout: CUR 2.0, legacy CUR, or found from the columns',
  },
  'athena.database': {
    flag: '--database <name>',
    group: 'source',
    env: 'CREDIT_DESK_ATHENA_DATABASE',
    default: '',
    help: 'Athena: Glue database',
    doc: 'Athena: the Glue database (required with source athena)',
  },
  'athena.table': {
    flag: '--table <name>',
    group: 'source',
    env: 'CREDIT_DESK_ATHENA_TABLE',
    default: '',
    help: 'Athena: CUR table',
    doc: 'Athena: the CUR table (required with source athena)',
  },
  'athena.workgroup': {
    flag: '--workgroup <name>',
    group: 'source',
    env: 'CREDIT_DESK_ATHENA_WORKGROUP',
    default: 'primary',
    help: 'Athena: workgroup (default primary)',
    doc: 'Athena: the workgroup',
  },
  'athena.catalog': {
    flag: '--catalog <name>',
    group: 'source',
    env: 'CREDIT_DESK_ATHENA_CATALOG',
    default: 'AwsDataCatalog',
    help: 'Athena: data catalog (default AwsDataCatalog)',
    doc: 'Athena: the data catalog',
  },
  'athena.output': {
    flag: '--output <s3uri>',
    group: 'source',
    env: 'CREDIT_DESK_ATHENA_OUTPUT',
    default: '',
    help: 'Athena: query result location (omit for managed results)',
    doc: 'Athena: the query result location (s3://…; none for a workgroup with managed results)',
  },
  'athena.region': {
    flag: '--region <region>',
    group: 'source',
    env: 'CREDIT_DESK_AWS_REGION',
    default: '',
    help: 'Athena: AWS region (default from the AWS config chain)',
    doc: "Athena: the AWS region (none: AWS_REGION or the profile's)",
  },
  'athena.endpoint': {
    group: 'none',
    flagless: 'a local stand-in for the tests and `npm run servers`, which set it in the environment',
    standIn: true,
    env: 'CREDIT_DESK_ATHENA_ENDPOINT',
    default: '',
    help: '',
    doc: 'a local Athena server instead of AWS (`npm run servers` prints it)',
  },
  sink: {
    flag: '--sink <sink>',
    group: 'sheet',
    env: 'CREDIT_DESK_SINK',
    default: '',
    unset: 'google if a spreadsheet is set, else workbook',
    choices: ['workbook', 'google'],
    help: 'where the sheet is: the .xlsx workbook or the Google Sheet (default google if a spreadsheet is set)',
    doc: 'the sheet the commands open: the local workbook or the Google Sheet (chosen in settings.ts, chooseSink)',
  },
  workbook: {
    flag: '--workbook <file>',
    group: 'sheet',
    env: 'CREDIT_DESK_WORKBOOK',
    default: 'credits.xlsx',
    help: 'local .xlsx workbook (default credits.xlsx)',
    doc: 'the local .xlsx workbook (sink workbook)',
  },
  spreadsheet: {
    flag: '--spreadsheet <id>',
    group: 'sheet',
    env: 'CREDIT_DESK_SPREADSHEET',
    default: '',
    check: shape(
      /^[A-Za-z0-9_-]{20,100}$/,
      'Use the ID from the sheet URL: https://docs.google.com/spreadsheets/d/<ID>/edit.',
    ),
    help: 'Google Sheet ID (uses Application Default Credentials)',
    doc: 'the Google Sheet ID (sink google; Application Default Credentials)',
  },
  syncIdentity: {
    flag: '--sync-identity <email>',
    group: 'sheet',
    env: 'CREDIT_DESK_SYNC_IDENTITY',
    default: '',
    check: shape(
      /^[^@\s]+@[^@\s]+\.[^@\s]+$/,
      'Use the service account email, e.g. credit-desk@my-project.iam.gserviceaccount.com.',
    ),
    help: 'Google: the service account email that alone may edit locked rows (default: from the credentials)',
    doc: 'Google: the service account that alone may edit locked rows (none: from the credentials)',
  },
  sheetsRootUrl: {
    group: 'none',
    flagless: 'a local stand-in for the tests and `npm run servers`, which set it in the environment',
    standIn: true,
    env: 'CREDIT_DESK_SHEETS_ROOT_URL',
    default: '',
    help: '',
    doc: 'a local Sheets v4 server instead of Google (`npm run servers` prints it)',
  },
  accounts: {
    flag: '--accounts <file>',
    group: 'command',
    env: 'CREDIT_DESK_ACCOUNTS',
    default: '',
    help: 'accounts CSV to load into the Accounts tab (AWS account → customer, asset, reseller)',
    doc: 'an accounts CSV the sync loads into the Accounts tab',
  },
  rules: {
    flag: '--rules <file>',
    group: 'command',
    env: 'CREDIT_DESK_RULES',
    default: '',
    help: 'rules CSV to load into the Rules tab',
    doc: 'a rules CSV the sync loads into the Rules tab',
  },
  usageDir: {
    flag: '--usage-dir <dir>',
    group: 'sheet',
    env: 'CREDIT_DESK_USAGE_DIR',
    default: 'usage-files',
    help: 'where usage files are written (default usage-files)',
    doc: 'where usage files and their journals are written (put it on durable storage)',
  },
  period: {
    flag: '--period <YYYY-MM>',
    group: 'command',
    env: 'CREDIT_DESK_PERIOD',
    default: '',
    check: periodProblem,
    onOption: true,
    help: 'billing period (default: the most recent closed one in the data)',
    doc: 'the billing period the sync reads (none: the most recent closed one in the data)',
  },
  'connect.product': {
    group: 'none',
    flagless: "one per deployment, like the Connect account: the config file's or the environment's",
    env: 'CREDIT_DESK_CONNECT_PRODUCT',
    // Placeholders, obviously not real IDs: the demo's usage files name them; set the real ones to upload.
    default: 'PRD-000-000-000',
    check: connectId(/^PRD-\d{3}-\d{3}-\d{3}$/, 'a product ID such as PRD-123-456-789'),
    help: '',
    doc: 'Connect: the product the usage files are filed under (default: a demo placeholder)',
  },
  'connect.marketplace': {
    group: 'none',
    flagless: "one per deployment, like the Connect account: the config file's or the environment's",
    env: 'CREDIT_DESK_CONNECT_MARKETPLACE',
    default: 'MP-00000',
    check: connectId(/^MP-\d{3,}$/, 'a marketplace ID such as MP-12345'),
    help: '',
    doc: 'Connect: the marketplace (default: a demo placeholder)',
  },
  'connect.contract': {
    group: 'none',
    flagless: "one per deployment, like the Connect account: the config file's or the environment's",
    env: 'CREDIT_DESK_CONNECT_CONTRACT',
    default: 'CRD-00000-00000-00000',
    check: connectId(/^CRD-\d{5}-\d{5}-\d{5}$/, 'a contract ID such as CRD-12345-12345-12345'),
    help: '',
    doc: 'Connect: the distribution contract (default: a demo placeholder)',
  },
  'connect.item': {
    group: 'none',
    flagless: "one per deployment, like the Connect account: the config file's or the environment's",
    env: 'CREDIT_DESK_CONNECT_ITEM',
    default: 'AWS-CREDIT',
    check: connectId(/^\S{1,255}$/, "the pay-as-you-go item's MPN, one word"),
    help: '',
    doc: "Connect: the pay-as-you-go item's MPN, `item_search_value` (default: a demo placeholder)",
  },
  'connect.endpoint': {
    group: 'none',
    flagless: "one per deployment, like the Connect account: the config file's or the environment's",
    standIn: true,
    env: 'CREDIT_DESK_CONNECT_ENDPOINT',
    // The description's server (../shared/reference/connect-openapi30.yml, `servers`).
    default: 'https://api.connect.cloudblue.com/public/v1',
    // HTTPS, except a local Connect server on loopback (`npm run servers`): the API key travels in a header.
    check: shape(
      /^(https:\/\/[^/\s]+|http:\/\/(127\.0\.0\.1|localhost)(:\d+)?)(\/\S*)?$/,
      'Use https://api.connect.cloudblue.com/public/v1, or a local Connect server (http://127.0.0.1:<port>/public/v1).',
    ),
    help: '',
    doc: "Connect's API (HTTPS; http only for a local server on 127.0.0.1 or localhost)",
  },
};

/** The settings' keys in the table's order. */
export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[];

/** The option's name as commander stores it ("--sync-identity <email>" → "syncIdentity"). */
export function optionName(spec: SettingSpec): string | undefined {
  const long = /--([a-z][a-z-]*)/.exec(spec.flag ?? '')?.[1];
  return long?.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

const cell = (s: string) => s.replace(/\|/g, '\\|');

/**
 * The settings table of docs/operations.md, as Markdown (prettier's layout: columns padded to the widest cell),
 * so the test can hold the documentation to it.
 */
export function settingsDocTable(): string {
  const rows = [
    ['Setting (config key)', 'Option', 'Environment variable', 'Default', 'What it is'],
    ...SETTING_KEYS.map((key) => {
      const spec = SETTINGS[key];
      const [long, value] = (spec.flag ?? '').split(' ');
      const option = spec.flag ? `\`${long} ${spec.choices ? spec.choices.join('|') : value}\`` : '';
      return [
        `\`${key}\``,
        cell(option),
        `\`${spec.env}\``,
        spec.default ? `\`${spec.default}\`` : (spec.unset ?? ''),
        cell(spec.doc),
      ];
    }),
  ];
  const widths = rows[0].map((_, i) => Math.max(3, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [
    line(rows[0]),
    `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`,
    ...rows.slice(1).map(line),
  ].join('\n');
}
