/**
 * Fakes of the Apps Script services around the spreadsheet: the Ui (menus, alerts, sidebars), LockService,
 * PropertiesService, Session and HtmlService. Same method names and semantics as the real ones, as far as
 * the add-on uses them; every call is counted by the spreadsheet's CallLog.
 */
import type { CallLog } from '../../emulators/call-log';

// -------------------------------------------------------------------------------------------------------
// Ui

export const ButtonSet = {
  OK: 'OK',
  OK_CANCEL: 'OK_CANCEL',
  YES_NO: 'YES_NO',
  YES_NO_CANCEL: 'YES_NO_CANCEL',
} as const;
export const Button = { OK: 'OK', CANCEL: 'CANCEL', YES: 'YES', NO: 'NO', CLOSE: 'CLOSE' } as const;
export type ButtonName = keyof typeof Button;

export type MenuEntry = { caption: string; functionName: string } | { separator: true };

export class FakeMenu {
  readonly entries: MenuEntry[] = [];
  constructor(
    private readonly ui: FakeUi,
    readonly name: string,
  ) {}
  addItem(caption: string, functionName: string): this {
    this.entries.push({ caption, functionName });
    return this;
  }
  addSeparator(): this {
    this.entries.push({ separator: true });
    return this;
  }
  addToUi(): void {
    this.ui.menus.push(this);
  }
}

export interface Alert {
  title: string;
  prompt: string;
  buttons: string;
}

export class FakeUi {
  readonly menus: FakeMenu[] = [];
  readonly alerts: Alert[] = [];
  readonly sidebars: FakeHtmlOutput[] = [];
  readonly dialogs: { html: FakeHtmlOutput; title: string }[] = [];
  /** What the next alerts answer (YES, NO, OK…); OK (or YES for YES_NO) when empty. */
  readonly answers: ButtonName[] = [];
  readonly Button = Button;
  readonly ButtonSet = ButtonSet;

  constructor(private readonly log: CallLog) {}

  createMenu(name: string): FakeMenu {
    return this.log.wrap(new FakeMenu(this, name), 'Menu');
  }
  /** Editor add-ons get their menu under Extensions, named after the add-on. */
  createAddonMenu(): FakeMenu {
    return this.log.wrap(new FakeMenu(this, 'Credit Desk'), 'Menu');
  }
  alert(a: string, b?: string, c?: string): ButtonName {
    let alert: Alert;
    if (c !== undefined) alert = { title: a, prompt: String(b), buttons: c };
    else if (b !== undefined && b in ButtonSet) alert = { title: '', prompt: a, buttons: b };
    else alert = { title: '', prompt: a, buttons: 'OK' };
    this.alerts.push(alert);
    return this.answers.shift() ?? (alert.buttons === 'YES_NO' ? 'YES' : 'OK');
  }
  showSidebar(html: FakeHtmlOutput): void {
    this.sidebars.push(html);
  }
  showModalDialog(html: FakeHtmlOutput, title: string): void {
    this.dialogs.push({ html, title });
  }
}

// -------------------------------------------------------------------------------------------------------
// LockService

export class FakeLock {
  private held = false;
  /** Set by a test to simulate another execution holding the document lock. */
  heldElsewhere = false;
  acquisitions = 0;

  tryLock(_timeoutMs: number): boolean {
    if (this.heldElsewhere) return false;
    this.held = true;
    this.acquisitions++;
    return true;
  }
  waitLock(timeoutMs: number): void {
    if (!this.tryLock(timeoutMs))
      throw new Error('Lock timeout: another process was holding the lock for too long.');
  }
  releaseLock(): void {
    this.held = false;
  }
  hasLock(): boolean {
    return this.held;
  }
}

// -------------------------------------------------------------------------------------------------------
// PropertiesService

export class FakeProperties {
  private readonly store = new Map<string, string>();
  getProperty(key: string): string | null {
    return this.store.get(key) ?? null;
  }
  setProperty(key: string, value: string): this {
    const text = String(value);
    if (text.length > 9 * 1024) throw new Error('Argument too large: value');
    this.store.set(key, text);
    return this;
  }
  getProperties(): Record<string, string> {
    return Object.fromEntries(this.store);
  }
  setProperties(props: Record<string, string>): this {
    for (const [k, v] of Object.entries(props)) this.setProperty(k, v);
    return this;
  }
  getKeys(): string[] {
    return [...this.store.keys()];
  }
  deleteProperty(key: string): this {
    this.store.delete(key);
    return this;
  }
  deleteAllProperties(): this {
    this.store.clear();
    return this;
  }
}

// -------------------------------------------------------------------------------------------------------
// HtmlService

export class FakeHtmlOutput {
  private title = '';
  private width = 300;
  constructor(private content: string) {}
  setTitle(t: string): this {
    this.title = t;
    return this;
  }
  getTitle(): string {
    return this.title;
  }
  setWidth(w: number): this {
    this.width = w;
    return this;
  }
  getWidth(): number {
    return this.width;
  }
  getContent(): string {
    return this.content;
  }
  append(html: string): this {
    this.content += html;
    return this;
  }
}

export class FakeHtmlService {
  /** Project HTML files by name (without .html), as clasp pushes them. */
  constructor(private readonly files: Record<string, string>) {}
  createHtmlOutputFromFile(name: string): FakeHtmlOutput {
    const content = this.files[name.replace(/\.html$/, '')];
    if (content === undefined) throw new Error(`No HTML file named ${name} was found.`);
    return new FakeHtmlOutput(content);
  }
  createHtmlOutput(html = ''): FakeHtmlOutput {
    return new FakeHtmlOutput(html);
  }
}
