/**
 * Options several commands share, declared once so their names and help read the same everywhere, and the
 * parsers that turn a filter value in the wrong form into a usage error before anything is opened.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { STATUSES } from '../../core/status';
import { resolveSettings, type Settings } from '../settings';
import { SETTING_KEYS, SETTINGS, type SettingKey, type SettingSpec } from '../settings-table';
import { assertPeriod } from '../sources/credits-query';
import { checkWorkbookSetting } from '../workbook-path';

/** A setting's option, as settings-table.ts declares it: its flags, help, allowed values and check. */
export function settingOption(key: SettingKey): Option {
  const spec = SETTINGS[key];
  if (!spec.flag) throw new Error(`Setting ${key} has no command-line option (${spec.flagless}).`);
  const option = new Option(spec.flag, spec.help);
  if (spec.choices) option.choices(spec.choices);
  const check = spec.check;
  if (spec.onOption && check)
    option.argParser((value: string) => {
      const fix = check(value);
      if (fix) throw new InvalidArgumentError(fix);
      return value;
    });
  return option;
}

/** The options of one group of settings, in the table's order. */
function groupOptions(cmd: Command, group: SettingSpec['group']): Command {
  for (const key of SETTING_KEYS) if (SETTINGS[key].group === group) cmd.addOption(settingOption(key));
  return cmd;
}

/** Options of every command that opens the sheet: the `sheet` settings, and the config file. */
export function sheetOptions(cmd: Command): Command {
  return groupOptions(cmd, 'sheet').option(
    '--config <file>',
    'config file (default credit-desk.config.json if present)',
  );
}

/** Options of the commands that read the CUR: the `source` settings. */
export function sourceOptions(cmd: Command): Command {
  return groupOptions(cmd, 'source');
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
