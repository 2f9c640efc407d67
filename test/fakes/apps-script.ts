/**
 * Puts the fakes together as the Apps Script globals (SpreadsheetApp, LockService, PropertiesService,
 * Session, HtmlService, ScriptApp), either on this Node global for tests that import addon/ code, or in a
 * fresh `vm` context that runs the built dist/Code.js (the bundle test and the sidebar e2e server).
 */
import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import { CallLog } from '../../emulators/call-log';
import { FakeHtmlService, FakeLock, FakeProperties, FakeUi } from './services';
import { BooleanCriteria, FakeFilterCriteriaBuilder, FakeSpreadsheet } from '../../emulators/spreadsheet-app';
import { createSheetsAdvancedService } from '../../emulators/sheets-advanced';

export interface FakeAppsScript {
  spreadsheet: FakeSpreadsheet;
  log: CallLog;
  ui: FakeUi;
  lock: FakeLock;
  documentProperties: FakeProperties;
  userProperties: FakeProperties;
  /** The globals, by name. */
  globals: Record<string, unknown>;
  /** Utilities.sleep calls (ms), in order. */
  sleeps: number[];
}

export interface FakeOptions {
  /** Project HTML files by name (e.g. { Sidebar: '<html>…' }). */
  htmlFiles?: Record<string, string>;
  /** Session.getActiveUser().getEmail(); '' simulates a simple trigger that may not know the user. */
  userEmail?: string;
  /** Session returns '' for the email although the user (for protections) is userEmail. */
  emailHidden?: boolean;
  /** Leave the Sheets advanced service out (a project that has not enabled it). */
  noSheetsService?: boolean;
}

export function createFakeAppsScript(spreadsheet: FakeSpreadsheet, opts: FakeOptions = {}): FakeAppsScript {
  const log = spreadsheet._log;
  const ui = new FakeUi(log);
  const lock = new FakeLock();
  const documentProperties = new FakeProperties();
  const userProperties = new FakeProperties();
  const scriptProperties = new FakeProperties();
  if (opts.userEmail !== undefined) spreadsheet._activeUser = opts.userEmail;
  if (opts.emailHidden !== undefined) spreadsheet._emailHidden = opts.emailHidden;
  const user = () => ({ getEmail: () => (spreadsheet._emailHidden ? '' : spreadsheet._activeUser) });
  const ss = () => spreadsheet._wrapped();
  const sleeps: number[] = [];

  const SpreadsheetApp = log.wrap(
    {
      BooleanCriteria,
      ProtectionType: { RANGE: 'RANGE', SHEET: 'SHEET' },
      DeveloperMetadataVisibility: { DOCUMENT: 'DOCUMENT', PROJECT: 'PROJECT' },
      getActiveSpreadsheet: ss,
      getActive: ss,
      getUi: () => log.wrap(ui, 'Ui'),
      getActiveSheet: () => spreadsheet.getActiveSheet(),
      getActiveRange: () => spreadsheet.getActiveRange(),
      getActiveRangeList: () => spreadsheet.getActiveRangeList(),
      newFilterCriteria: () => log.wrap(new FakeFilterCriteriaBuilder(log), 'FilterCriteriaBuilder'),
      // Lands the bundled SpreadsheetApp operations (the CallLog routes 'SpreadsheetApp.flush' to the spreadsheet).
      flush: () => undefined,
    },
    'SpreadsheetApp',
  );
  const globals: Record<string, unknown> = {
    SpreadsheetApp,
    LockService: log.wrap(
      { getDocumentLock: () => log.wrap(lock, 'Lock'), getScriptLock: () => log.wrap(lock, 'Lock') },
      'LockService',
    ),
    PropertiesService: log.wrap(
      {
        getDocumentProperties: () => log.wrap(documentProperties, 'Properties'),
        getUserProperties: () => log.wrap(userProperties, 'Properties'),
        getScriptProperties: () => log.wrap(scriptProperties, 'Properties'),
      },
      'PropertiesService',
    ),
    Session: log.wrap(
      { getActiveUser: user, getEffectiveUser: user, getScriptTimeZone: () => 'Etc/UTC' },
      'Session',
    ),
    HtmlService: log.wrap(new FakeHtmlService(opts.htmlFiles ?? {}), 'HtmlService'),
    ScriptApp: {
      AuthMode: { NONE: 'NONE', LIMITED: 'LIMITED', FULL: 'FULL', CUSTOM_FUNCTION: 'CUSTOM_FUNCTION' },
    },
    Logger: { log: () => undefined },
    // Utilities.sleep(ms): the add-on's backoff on 429 (services/api-retry.ts); recorded, never slept.
    Utilities: log.wrap({ sleep: (ms: number) => void sleeps.push(ms) }, 'Utilities'),
  };
  if (!opts.noSheetsService) globals.Sheets = createSheetsAdvancedService(spreadsheet);
  return { spreadsheet, log, ui, lock, documentProperties, userProperties, globals, sleeps };
}

/** Installs the fakes on Node's global (for tests that import addon/ modules); returns them and an uninstall. */
export function installFakeAppsScript(
  spreadsheet: FakeSpreadsheet,
  opts: FakeOptions = {},
): FakeAppsScript & { uninstall(): void } {
  const fake = createFakeAppsScript(spreadsheet, opts);
  const g = globalThis as Record<string, unknown>;
  const before = new Map(Object.keys(fake.globals).map((k) => [k, g[k]]));
  Object.assign(g, fake.globals);
  return {
    ...fake,
    uninstall() {
      for (const [k, v] of before) {
        if (v === undefined) delete g[k];
        else g[k] = v;
      }
    },
  };
}

/**
 * Runs a built Code.js in a fresh vm context whose only globals are the fakes (plus what a V8 script has:
 * JSON, Math, Date, Intl…). Returns the context: its top-level functions are the entry points.
 */
export function loadBundle(codePath: string, fake: FakeAppsScript): vm.Context & Record<string, unknown> {
  const context = vm.createContext({ ...fake.globals });
  vm.runInContext(readFileSync(codePath, 'utf8'), context, { filename: codePath });
  return context as vm.Context & Record<string, unknown>;
}
