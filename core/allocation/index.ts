/**
 * Allocations: who gets a credit, as staff type it into the Allocation cell of the Credits tab, and the
 * exact amounts that follows from it.
 *
 * The text form (one cell):
 *
 *   customer 100%                          everything to the credit's own customer
 *   customer 60%, reseller 40%             a split between its own customer and reseller
 *   reseller 25%                           25% to its reseller; the other 75% stays with the distributor
 *   customer CUST-0042 50%, reseller RES-7 12.5%, customer CUST-9 10.00
 *                                          explicit IDs, and a fixed amount in the credit's currency
 *   customer 10.00 USD                     a fixed amount may name the currency; it must be the credit's
 *   none        (or an empty cell)         nothing is passed on: the distributor keeps it all
 *
 * - A share is `<role> [<ID>] <quantity> [<currency>]`. The role is `customer` or `reseller` (any case).
 *   Without an ID the share goes to the credit's own customer/reseller from the Accounts tab.
 * - The quantity is a percentage of the whole credit (`60%`, up to 2 decimals, `60 %` is fine too) or a
 *   fixed amount (`10.00`, no more decimals than the currency has, no thousands separators). A bare whole
 *   number (`customer 60`) is refused — it reads as 60% as easily as 60.00 — unless it names the currency
 *   (`60 USD`) or the currency has no decimals (`1500` in JPY, which is how formatAllocation writes it).
 * - Shares are separated by commas or semicolons; extra spaces are ignored.
 * - An ID is the one word between the role and the quantity: letters, digits, `-`, `_` and `.`. Because
 *   it is found by position, an ID may even look like a number (`customer 0042 10%`).
 * - The same target twice, percentages over 100% in total, or shares that add up to more than the credit
 *   are errors. Whatever is not passed on stays with the distributor (shown as its own line, maybe 0).
 *
 * formatAllocation writes the canonical form (`customer 60%, reseller RES-7 12.5%, customer 10.00`,
 * `none` for no shares); parsing it gives back the same spec.
 *
 * parse.ts reads the text, format.ts writes it, resolve.ts turns a spec into exact lines for one credit (with
 * split.ts), views.ts builds specs in code and the JSON lines; shares.ts holds the checks they all apply.
 */
export * from './types';
export { parseAllocation } from './parse';
export { formatAllocation } from './format';
export { splitLargestRemainder } from './split';
export { resolveAllocation } from './resolve';
export { allocationJson, percentAllocation } from './views';
