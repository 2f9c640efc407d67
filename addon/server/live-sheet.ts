/**
 * The live spreadsheet's Credit Desk tabs as one add-on action needs them: each tab read once through
 * SpreadsheetApp and parsed by the core (core/sheet-state.ts reads credits the same way for the sync), so
 * everything an action decides is computed in memory. ("Workbook" in this codebase means the .xlsx file.)
 */
import { buildDirectory, EMPTY_DIRECTORY, type AccountDirectory } from '../../core/accounts';
import { parseConfig } from '../../core/config';
import type { ExistingCredit } from '../../core/merge';
import {
  parseRules,
  RuleIndex,
  type DefaultConfiguration,
  type Rule,
  type RuleProblem,
} from '../../core/rules';
import type { AccountField, ConfigField, CreditField, RuleField } from '../../core/sheet-contract';
import { TABS } from '../../core/sheet-contract';
import { readCreditRows } from '../../core/sheet-state';
import { indexColumns, readRecords, type Cell, type ColumnIndex, type Grid } from '../../core/table';
import { readTab, requireTab, type TabData } from '../services/tabs';

type Spreadsheet = GoogleAppsScript.Spreadsheet.Spreadsheet;
type Sheet = GoogleAppsScript.Spreadsheet.Sheet;

export interface CreditsTab extends TabData {
  idx: ColumnIndex<CreditField>;
  /** Credits in sheet order, each with its sheet row (1-based), as the sync reads them. */
  credits: ExistingCredit[];
}

export interface RulesData {
  records: { row: number; record: Record<RuleField, Cell> }[];
  rules: Rule[];
  index: RuleIndex;
  /** Why rules were left out (errors) or may not act as meant (warnings). */
  problems: RuleProblem[];
}

export function openSpreadsheet(): { ss: Spreadsheet; timeZone: string } {
  const ss = SpreadsheetApp.getActiveSpreadsheet();
  return { ss, timeZone: ss.getSpreadsheetTimeZone() };
}

export function parseCreditsTab(tab: TabData): CreditsTab {
  const idx = indexColumns<CreditField>('credits', tab.grid.headers);
  return { ...tab, idx, credits: readCreditRows(tab.grid, idx).credits };
}

/**
 * The Credits tab from cells read elsewhere (the Sheets API): the Sheet object is fetched only if some path
 * asks for it — a getter, so no call is made for nothing (and not copied by a spread, which would call it).
 */
export function creditsTabFrom(grid: Grid, raw: unknown[][], sheet: () => Sheet): CreditsTab {
  const idx = indexColumns<CreditField>('credits', grid.headers);
  const tab = { raw, grid, idx, credits: readCreditRows(grid, idx).credits } as Omit<CreditsTab, 'sheet'>;
  return Object.defineProperty(tab, 'sheet', { get: sheet, enumerable: true }) as CreditsTab;
}

/** The Credits tab as cells, without parsing credits (a bad Status in some row does not stop a repair). */
export function readCreditsLenient(
  ss: Spreadsheet,
  timeZone: string,
): TabData & { idx: ColumnIndex<CreditField>; rows: Cell[][] } {
  const tab = requireTab(ss, TABS.credits.name, timeZone);
  return { ...tab, idx: indexColumns<CreditField>('credits', tab.grid.headers), rows: tab.grid.rows };
}

export function readCredits(ss: Spreadsheet, timeZone: string): CreditsTab {
  return parseCreditsTab(requireTab(ss, TABS.credits.name, timeZone));
}

/** The Accounts tab as a directory; an absent tab is an empty directory (every target is then unknown). */
export function directoryFrom(grid: Grid | null): AccountDirectory {
  if (!grid) return EMPTY_DIRECTORY;
  return buildDirectory(readRecords<AccountField>('accounts', grid), 'Accounts tab');
}

export function ruleRecordsFrom(grid: Grid | null): RulesData['records'] {
  return grid ? readRecords<RuleField>('rules', grid) : [];
}

/** The enabled, valid rules, indexed. Invalid rules are left out here; "Validate rules" reports them. */
export function rulesFrom(records: RulesData['records']): RulesData {
  const { rules, problems } = parseRules(records);
  return { records, rules, index: new RuleIndex(rules), problems };
}

export function defaultsFrom(grid: Grid | null): DefaultConfiguration {
  return parseConfig(grid ? readRecords<ConfigField>('config', grid) : []);
}

export function readDirectory(ss: Spreadsheet, timeZone: string): AccountDirectory {
  return directoryFrom(readTab(ss, TABS.accounts.name, timeZone)?.grid ?? null);
}

export function readRuleRecords(ss: Spreadsheet, timeZone: string): RulesData['records'] {
  return ruleRecordsFrom(readTab(ss, TABS.rules.name, timeZone)?.grid ?? null);
}

export function readRules(ss: Spreadsheet, timeZone: string): RulesData {
  return rulesFrom(readRuleRecords(ss, timeZone));
}

export function readDefaults(ss: Spreadsheet, timeZone: string): DefaultConfiguration {
  return defaultsFrom(readTab(ss, TABS.config.name, timeZone)?.grid ?? null);
}
