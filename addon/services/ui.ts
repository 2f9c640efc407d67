/** The add-on's visible surfaces: the sidebar, alerts and toasts. */

export const SIDEBAR_FILE = 'Sidebar';
export const TITLE = 'Credit Desk';

export function showSidebar(): void {
  const html = HtmlService.createHtmlOutputFromFile(SIDEBAR_FILE).setTitle(TITLE);
  SpreadsheetApp.getUi().showSidebar(html);
}

export function alert(message: string): void {
  const ui = SpreadsheetApp.getUi();
  ui.alert(TITLE, message, ui.ButtonSet.OK);
}

/** Asks a yes/no question; true for YES. */
export function confirm(message: string): boolean {
  const ui = SpreadsheetApp.getUi();
  return ui.alert(TITLE, message, ui.ButtonSet.YES_NO) === ui.Button.YES;
}

export function toast(message: string): void {
  SpreadsheetApp.getActiveSpreadsheet().toast(message, TITLE, 8);
}
