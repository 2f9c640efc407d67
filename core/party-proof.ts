/**
 * "Who gets what": a share without an ID ("customer 60%", "reseller 40%") goes to the credit's own customer or
 * reseller, which the usage process takes from the row's Customer ID and Reseller ID cells; the usage record keeps
 * them, and a later correction of the credit goes to the same parties (core/correction.ts). Those cells are the
 * sync's columns, written from the Accounts tab, but nothing stops a person typing or pasting into them, and a
 * typed party stands until the next sync writes the Accounts tab's back. So, as for the amount
 * (core/amount-proof.ts), the usage process bills a credit only when its cells hold the parties the sync wrote:
 * the Accounts tab's customer and reseller of its AWS account, or, for a correction (never rewritten by the sync),
 * the parties its original was invoiced to, from the Ledger. The Asset ID cell is not part of the proof: a share
 * is billed on the asset the Accounts tab gives its target (core/usage-billing.ts), whatever the cell says.
 */
import type { AccountDirectory } from './accounts';
import type { Credit } from './credit';
import { parseCorrectionKey } from './correction-key';

export interface Parties {
  customerId: string;
  resellerId: string;
}

/** Key of a collected credit → its Credit ID and the parties it was invoiced to (its Ledger entry's). */
export type InvoicedParties = ReadonlyMap<string, Parties & { creditId: string }>;

/** The index of the collected credits' parties (Ledger entries, or anything with a key, a Credit ID and the two IDs). */
export function invoicedParties(
  entries: readonly ({ key: string; creditId: string } & Parties)[],
): Map<string, Parties & { creditId: string }> {
  return new Map(
    entries.map((e) => [e.key, { creditId: e.creditId, customerId: e.customerId, resellerId: e.resellerId }]),
  );
}

/**
 * Why the credit's Customer ID or Reseller ID is not proven, with what to do; null when both are the parties the
 * sync wrote (see above).
 */
export function unprovenParties(
  credit: Pick<Credit, 'key' | 'creditId' | 'accountId' | 'customerId' | 'resellerId'>,
  directory: AccountDirectory,
  invoiced: InvoicedParties,
): string | null {
  const correction = parseCorrectionKey(credit.key);
  if (correction) {
    const original = invoiced.get(correction.originalKey);
    if (!original)
      return 'it is a correction and the Ledger holds no invoiced original to prove whom it goes to. Check the row against the usage record of the credit it corrects; collect it once that record is back.';
    const wrong = differences(credit, original);
    return wrong.length
      ? `its ${wrong.join(' and ')} that ${original.creditId}, the credit it corrects, was invoiced to (typed over by hand?). Type ${wrong.length > 1 ? 'them' : 'it'} back, then collect again.`
      : null;
  }
  const account = directory.byAccount.get(credit.accountId);
  const synced: Parties = { customerId: account?.customerId ?? '', resellerId: account?.resellerId ?? '' };
  const wrong = differences(credit, synced);
  return wrong.length
    ? `its ${wrong.join(' and ')} the Accounts tab gives AWS account ${credit.accountId} (typed over by hand, or the Accounts tab changed since the last sync). Run credit-desk sync, which writes the Accounts tab's parties into the row, then collect again.`
    : null;
}

/** "Customer ID CUST-2 is not CUST-1" for each party that differs. */
function differences(credit: Parties, proven: Parties): string[] {
  const show = (id: string) => (id ? id : '(blank)');
  const out: string[] = [];
  if (credit.customerId !== proven.customerId)
    out.push(`Customer ID ${show(credit.customerId)} is not the ${show(proven.customerId)}`);
  if (credit.resellerId !== proven.resellerId)
    out.push(`Reseller ID ${show(credit.resellerId)} is not the ${show(proven.resellerId)}`);
  return out;
}
