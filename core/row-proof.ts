/**
 * "Who gets what, for what": besides the amount (core/amount-proof.ts), a collected usage record takes from the
 * credit's row what the credit is — its period, AWS accounts, service and currency, the cells its Key is made of
 * (core/ids.ts creditKey) — and who a share without an ID ("customer 60%") goes to: the Customer ID and Reseller
 * ID cells. The usage record bills in the row's currency and keeps its parties, and a later correction of the
 * credit follows them (core/correction.ts). All are the sync's columns, but nothing stops a person typing, pasting
 * or filling over them, and what was typed stood until the next sync: a USD credit typed EUR was billed in EUR, a
 * customer typed over the row was billed the credit.
 *
 * So the usage process bills a credit only when its row holds what the sync wrote:
 * - its Key cells still give its Key (a correction, whose Key is its original's with `#c<n>`: the original's
 *   period, accounts, service and currency);
 * - its Customer ID and Reseller ID are the Accounts tab's for its AWS account (a correction: the parties its
 *   original was invoiced to).
 * A correction's original is found in the Ledger, or, once archived, in its usage file (the caller passes both).
 * A sync writes all of these back from the CUR and the Accounts tab; a correction's are typed back by hand.
 * The Asset ID cell is not part of the proof: a share is billed on the asset the Accounts tab gives its target
 * (core/usage-billing.ts), whatever the cell says.
 */
import type { AccountDirectory } from './accounts';
import type { Credit } from './credit';
import { parseCorrectionKey } from './correction-key';
import { isKeyShownAs } from './cur';
import { accountText } from './ids';
import { creditHeader } from './sheet-contract';

/** What the Ledger says of a collected credit that proves a correction of it. */
export type InvoicedCredit = Pick<
  Credit,
  | 'creditId'
  | 'period'
  | 'accountId'
  | 'payerAccountId'
  | 'service'
  | 'currency'
  | 'customerId'
  | 'resellerId'
>;

/** Key of a collected credit (the Ledger's, and archived ones' from the usage files) → what proves a correction of it. */
export type InvoicedCredits = ReadonlyMap<string, InvoicedCredit>;

/** The index of the collected credits (Ledger entries, or anything with their key and fields), by key. */
export function invoicedCredits(
  entries: readonly (InvoicedCredit & { key: string })[],
): Map<string, InvoicedCredit> {
  return new Map(entries.map((e) => [e.key, e]));
}

/** What a row is proven by: what proves a correction, its Key and its Description (a part of the Key). */
type ProvenRow = InvoicedCredit & Pick<Credit, 'key' | 'description'>;

/** The cells a credit's Key is made of, as a correction inherits them from its original. */
const KEY_FIELDS = ['period', 'payerAccountId', 'accountId', 'service', 'currency'] as const;
const PARTY_FIELDS = ['customerId', 'resellerId'] as const;

/**
 * Why the row does not hold what the sync wrote (see above), with what to do; null when it does.
 */
export function unprovenRow(
  credit: ProvenRow,
  directory: AccountDirectory,
  invoiced: InvoicedCredits,
): string | null {
  const correction = parseCorrectionKey(credit.key);
  if (correction) {
    const original = invoiced.get(correction.originalKey);
    if (!original)
      return 'it is a correction and no usage record of the credit it corrects is left to prove what it corrects and whom it goes to (not in the Ledger tab; archived, and its usage file not in the usage folder?). Copy that usage file back into the usage folder, then collect again.';
    const wrong = differences(credit, original, [...KEY_FIELDS, ...PARTY_FIELDS]);
    return wrong.length
      ? `its ${wrong.join(' and ')} of ${original.creditId}, the credit it corrects (typed over by hand?). Type ${wrong.length > 1 ? 'them' : 'it'} back, then collect again.`
      : null;
  }
  if (!isKeyShownAs(credit.key, credit))
    return `its ${KEY_FIELDS.map(creditHeader).join(', ')} or Description no longer give its Key (typed over by hand, or a CUR value the sheet cannot show: an unknown currency, a usage account that is not one). Run credit-desk sync, which writes the CUR's values back, then collect again.`;
  const account = directory.byAccount.get(accountText(credit.accountId));
  const synced = { customerId: account?.customerId ?? '', resellerId: account?.resellerId ?? '' };
  const wrong = differences(credit, synced, PARTY_FIELDS);
  return wrong.length
    ? `its ${wrong.join(' and ')} the Accounts tab gives AWS account ${credit.accountId} (typed over by hand, or the Accounts tab changed since the last sync). Run credit-desk sync, which writes the Accounts tab's parties into the row, then collect again.`
    : null;
}

/** "Customer ID CUST-2 is not the CUST-1" for each field that differs. */
function differences<F extends keyof ProvenRow & keyof InvoicedCredit>(
  credit: ProvenRow,
  proven: Pick<InvoicedCredit, F>,
  fields: readonly F[],
): string[] {
  const show = (v: string) => (v ? v : '(blank)');
  const same = (f: F) =>
    f === 'accountId' || f === 'payerAccountId'
      ? accountText(credit[f]) === accountText(proven[f])
      : credit[f] === proven[f];
  return fields
    .filter((f) => !same(f))
    .map((f) => `${creditHeader(f)} ${show(credit[f])} is not the ${show(proven[f])}`);
}
