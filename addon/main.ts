/**
 * The add-on's entry points: ONLY the functions Apps Script calls (triggers, menu items, and the ServerApi
 * functions the sidebar reaches through google.script.run). Each is a one-line delegation; the work is in
 * addon/server/.
 *
 * addon/build.mjs reads this module's exports and appends, after the esbuild bundle, one real top-level
 * `function name(...args) { return CreditDesk.name(...args); }` per export: Apps Script only sees
 * top-level function declarations. So: export nothing else from here.
 */
import type { ServerApi } from './api';
import { assignCredit as assignCreditAction, unassignCredit as unassignCreditAction } from './server/assign';
import { downloadChunk as chunkAction, prepareDownload as prepareAction } from './server/download';
import { buildMenu, menuActions } from './server/menu';
import { handleEdit } from './server/on-edit';
import * as rules from './server/rules';
import {
  getSelectedCredit as selectedAction,
  getSelectionKey as selectionKeyAction,
} from './server/selected';
import { getMonthSummary as monthAction } from './server/month';
import { downloadStatement as statementAction } from './server/statement';

// Triggers -------------------------------------------------------------------------------------------------

export function onOpen(e?: { authMode?: unknown }): void {
  buildMenu(e);
}

export function onInstall(e?: { authMode?: unknown }): void {
  buildMenu(e);
}

export function onEdit(e: GoogleAppsScript.Events.SheetsOnEdit): void {
  handleEdit(e);
}

// Menu items -----------------------------------------------------------------------------------------------

export function openSidebar(): void {
  menuActions.openSidebar();
}
export function menuAssignSelectedWithDefault(): void {
  menuActions.menuAssignSelectedWithDefault();
}
export function menuApplyRulesToSelection(): void {
  menuActions.menuApplyRulesToSelection();
}
export function menuApplyRulesToPending(): void {
  menuActions.menuApplyRulesToPending();
}
export function menuDownloadFilteredRows(): void {
  menuActions.menuDownloadFilteredRows();
}
export function menuCheckSheet(): void {
  menuActions.menuCheckSheet();
}
export function menuValidateRules(): void {
  menuActions.menuValidateRules();
}
export function menuHelp(): void {
  menuActions.menuHelp();
}

// google.script.run (ServerApi) ----------------------------------------------------------------------------

export const getSelectedCredit: ServerApi['getSelectedCredit'] = () => selectedAction();
export const getSelectionKey: ServerApi['getSelectionKey'] = () => selectionKeyAction();
export const assignCredit: ServerApi['assignCredit'] = (creditId, allocation) =>
  assignCreditAction(creditId, allocation);
export const unassignCredit: ServerApi['unassignCredit'] = (creditId) => unassignCreditAction(creditId);
export const assignSelectedWithDefault: ServerApi['assignSelectedWithDefault'] = () =>
  rules.assignSelectedWithDefault();
export const previewRules: ServerApi['previewRules'] = (scope, overwriteManual) =>
  rules.previewRules(scope, overwriteManual);
export const applyRules: ServerApi['applyRules'] = (scope, overwriteManual, previewToken) =>
  rules.applyRules(scope, overwriteManual, previewToken);
export const validateRules: ServerApi['validateRules'] = () => rules.validateRules();
export const prepareDownload: ServerApi['prepareDownload'] = (format, includeHiddenByHand) =>
  prepareAction(format, includeHiddenByHand === true);
export const downloadChunk: ServerApi['downloadChunk'] = (chunk) => chunkAction(chunk);
export const getMonthSummary: ServerApi['getMonthSummary'] = (period) => monthAction(period);
export const downloadStatement: ServerApi['downloadStatement'] = (period, party) =>
  statementAction(period, party);
