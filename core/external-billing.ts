/**
 * The external billing reference a statement line carries once its credit is closed (issue 23 item 1): what a
 * reseller or customer quotes to find the credit on the distributor's invoice. Its only source is the Ledger, the
 * record of collected credits (core/ledger.ts), so the CLI's statement and the sidebar's read the same thing and
 * stay byte-equal:
 *
 * - closed by Connect: the Ledger's Connect Note holds "external billing id: note" per billed record, joined with
 *   "; " (core/connect-trip.ts mapConnectRecords); the line shows the ids alone, joined with "; " in the same
 *   order. The notes are the distributor's own words for its staff; the ids are the invoice references.
 * - closed by hand (`credit-desk usage close`, for invoicing outside Commerce): Connect gave no id, so the line
 *   says so and names the usage file that was closed: "closed by hand UF-…" (docs/decisions/0009).
 * - not PROCESSED: blank — nothing is invoiced yet; the statement's totals row says that plainly.
 * - PROCESSED with no Ledger entry (a Credits row the Ledger does not back; `sync` puts it back in line): no
 *   reference is invented, the line says "no Ledger entry".
 */
import type { Credit } from './credit';

/** What the Ledger says of one collected credit, as both Ledger readers (core, add-on) can give it. */
export interface LedgerClose {
  key: string;
  status: string;
  usageFileId: string;
  /** The Connect Note cell; '' when closed by hand or still open. */
  connectNote: string;
}

/** The Ledger's PROCESSED entries by credit Key: what a statement needs to name each closed credit's billing. */
export type ClosedCredits = ReadonlyMap<string, LedgerClose>;

export function closedCredits(entries: Iterable<LedgerClose>): ClosedCredits {
  const out = new Map<string, LedgerClose>();
  for (const e of entries) if (e.key && e.status === 'PROCESSED') out.set(e.key, e);
  return out;
}

const CLOSED_BY_HAND = 'closed by hand';
const NO_LEDGER_ENTRY = 'no Ledger entry';

/**
 * The external billing ids of a Connect Note: the text before the first ": " of each "; "-separated part (an
 * empty note leaves "id:" once the cell is trimmed). A billing note that itself contains "; x: " would read as
 * one more id: Connect's notes are free text (connect-openapi30.yml, UsageRecord external_billing_note), and the
 * Ledger keeps only the joined cell.
 */
export function billingIdsOfNote(note: string): string[] {
  return note
    .split('; ')
    .map((part) => {
      const at = part.indexOf(': ');
      const id = at >= 0 ? part.slice(0, at) : part.replace(/:$/, '');
      return id.trim();
    })
    .filter((id) => id !== '');
}

/** The "External billing" cell of a credit's statement line (see the module comment for each case). */
export function externalBillingOf(c: Pick<Credit, 'key' | 'status'>, closed: ClosedCredits): string {
  if (c.status !== 'PROCESSED') return '';
  const e = closed.get(c.key);
  if (!e) return NO_LEDGER_ENTRY;
  if (!e.connectNote.trim()) return `${CLOSED_BY_HAND} ${e.usageFileId}`.trim();
  return billingIdsOfNote(e.connectNote).join('; ');
}
