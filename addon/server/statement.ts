/**
 * downloadStatement: the Month view's "Statement for…" — one customer's or reseller's credit statement for a
 * billing period, as the CSV `credit-desk statement` writes (issue 23). It is built by the same core code
 * (core/statement.ts: buildStatements, statementName, statementCsv) over the same Credits and Accounts tabs,
 * so the file the browser saves has the CLI's bytes. The sidebar saves it client-side like the filtered rows:
 * no Drive scope, nothing is written to the spreadsheet. The closed credits' external billing references come from
 * the Ledger tab, as the CLI reads them (core/external-billing.ts).
 */
import { CreditDeskError } from '../../core/errors';
import { closedCredits, type ClosedCredits } from '../../core/external-billing';
import { buildStatements, statementCsv, statementName } from '../../core/statement';
import { text } from '../../core/table';
import type { DownloadFile, StatementPartyView } from '../api';
import { readLedger } from './ledger';
import { openSpreadsheet, readCredits, readDirectory } from './live-sheet';

const PERIOD = /^\d{4}-\d{2}$/;

export function downloadStatement(period: string, party: StatementPartyView): DownloadFile {
  if (!PERIOD.test(String(period)))
    throw new CreditDeskError(
      'USAGE',
      `"${String(period)}" is not a billing period.`,
      'Choose a period in the Month panel (press Show month), then the party.',
    );
  const role = party?.role;
  const id = typeof party?.id === 'string' ? party.id.trim() : '';
  if ((role !== 'customer' && role !== 'reseller') || id === '')
    throw new CreditDeskError(
      'USAGE',
      'A statement is for one customer or one reseller.',
      'Choose one in "Statement for…" in the Month panel, then Download statement.',
    );
  const { ss, timeZone } = openSpreadsheet();
  const credits = readCredits(ss, timeZone).credits.map((c) => c.credit);
  const scope = { period, party: { role, id } };
  const closed = closedFromLedger(ss, timeZone);
  const [statement] = buildStatements(credits, readDirectory(ss, timeZone), closed, scope).statements;
  const content = statementCsv(statement);
  return {
    filename: `${statementName(statement.party, scope)}.csv`,
    mimeType: 'text/csv',
    content,
    rows: statement.lines.length,
  };
}

/** The Ledger tab's PROCESSED entries (an absent tab: none), read the way core/ledger.ts readLedger gives them. */
function closedFromLedger(ss: GoogleAppsScript.Spreadsheet.Spreadsheet, timeZone: string): ClosedCredits {
  const ledger = readLedger(ss, timeZone);
  return closedCredits(
    [...(ledger?.byKey.values() ?? [])].map((e) => ({
      key: e.key,
      status: text(e.cells.get('status') ?? ''),
      usageFileId: text(e.cells.get('usage file id') ?? ''),
      connectNote: e.connectNote,
    })),
  );
}
