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
import { indexColumns, readRecords, type Cell, type ColumnIndex } from '../../core/table';
import { readTab, requireTab, type TabData } from '../services/tabs';

type Spreadsheet = GoogleAppsScript.Spreadsheet.Spreadsheet;

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
export function readDirectory(ss: Spreadsheet, timeZone: string): AccountDirectory {
  const tab = readTab(ss, TABS.accounts.name, timeZone);
  if (!tab) return EMPTY_DIRECTORY;
  return buildDirectory(readRecords<AccountField>('accounts', tab.grid), 'Accounts tab');
}

export function readRuleRecords(ss: Spreadsheet, timeZone: string): RulesData['records'] {
  const tab = readTab(ss, TABS.rules.name, timeZone);
  return tab ? readRecords<RuleField>('rules', tab.grid) : [];
}

/** The enabled, valid rules, indexed. Invalid rules are left out here; "Validate rules" reports them. */
export function readRules(ss: Spreadsheet, timeZone: string): RulesData {
  const records = readRuleRecords(ss, timeZone);
  const { rules, problems } = parseRules(records);
  return { records, rules, index: new RuleIndex(rules), problems };
}

export function readDefaults(ss: Spreadsheet, timeZone: string): DefaultConfiguration {
  const tab = readTab(ss, TABS.config.name, timeZone);
  if (!tab) return parseConfig([]);
  return parseConfig(readRecords<ConfigField>('config', tab.grid));
}
