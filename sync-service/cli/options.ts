/**
 * Options several commands share, declared once so their names and help read the same everywhere, and the
 * parsers that turn a filter value in the wrong form into a usage error before anything is opened.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { STATUSES } from '../../core/status';
import { resolveSettings, type Settings } from '../settings';
import { assertPeriod } from '../sources/credits-query';
import { checkWorkbookSetting } from '../workbook-path';

/** Options of every command that opens the sheet. */
export function sheetOptions(cmd: Command): Command {
  return cmd
    .option('--workbook <file>', 'local .xlsx workbook (default credits.xlsx)')
    .option('--spreadsheet <id>', 'Google Sheet ID (uses Application Default Credentials)')
    .option(
      '--sync-identity <email>',
      'Google: the service account email that alone may edit locked rows (default: from the credentials)',
    )
    .option('--usage-dir <dir>', 'where usage files are written (default usage-files)')
    .option('--config <file>', 'config file (default credit-desk.config.json if present)');
}

/** Options of the commands that read the CUR. */
export function sourceOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--source <engine>', 'where the CUR is read').choices(['duckdb', 'athena']))
    .option('--cur <dir>', 'local CUR folder for --source duckdb (default demo-data/cur)')
    .addOption(new Option('--layout <layout>', 'CUR table layout').choices(['auto', 'cur2', 'legacy']))
    .option('--database <name>', 'Athena: Glue database')
    .option('--table <name>', 'Athena: CUR table')
    .option('--workgroup <name>', 'Athena: workgroup (default primary)')
    .option('--catalog <name>', 'Athena: data catalog (default AwsDataCatalog)')
    .option('--output <s3uri>', 'Athena: query result location (omit for managed results)')
    .option('--region <region>', 'Athena: AWS region (default from the AWS config chain)');
}

/** `--period YYYY-MM`, checked as it is parsed: `--period 202610` is a usage error, not an empty result. */
export function periodOption(description: string, flags = '--period <YYYY-MM>'): Option {
  return new Option(flags, description).argParser((value: string) => {
    try {
      assertPeriod(value);
    } catch (e) {
      throw new InvalidArgumentError((e as Error).message);
    }
    return value;
  });
}

/** `--status S`, one of the lifecycle's statuses (any case). */
export function statusOption(): Option {
  return new Option('--status <status>', `${STATUSES.join(', ')}`).argParser((value: string) => {
    const upper = value.toUpperCase();
    if (!(STATUSES as readonly string[]).includes(upper))
      throw new InvalidArgumentError(`"${value}" is not a status: use one of ${STATUSES.join(', ')}.`);
    return upper;
  });
}

/** A parser for a whole number of at least `min` (`--months 3`): `--months three` is a usage error, not NaN. */
export function wholeNumber(min: number): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value) || Number(value) < min)
      throw new InvalidArgumentError(`"${value}" is not a whole number of at least ${min}.`);
    return Number(value);
  };
}

/** Settings from the command's options, the environment and the config file (see settings.ts), checked whole. */
export function settingsOf(opts: Record<string, unknown>): Settings {
  return checkWorkbookSetting(resolveSettings(opts));
}
