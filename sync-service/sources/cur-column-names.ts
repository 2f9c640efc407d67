/**
 * Legacy CUR CSV headers (`lineItem/UsageAccountId`, `bill/PayerAccountId`, …) → the Athena-style names the
 * credits query uses (`line_item_usage_account_id`, `bill_payer_account_id`, …).
 *
 * The rule is AWS's own, from the CUR user guide's Athena page ("Running Amazon Athena queries",
 * https://docs.aws.amazon.com/cur/latest/userguide/cur-ate-run.html, see shared/reference/credits-domain.md
 * §3.1): an underscore goes before each capital letter, everything is lower-cased, any other character that is
 * not a letter or digit becomes an underscore, and repeated underscores collapse to one. The legacy data
 * dictionary (https://docs.aws.amazon.com/cur/latest/userguide/data-dictionary.html) lists each column as
 * `category/Name` with that Athena name beside it, e.g. lineItem/UnblendedCost ↔ line_item_unblended_cost.
 */

export function athenaColumnName(header: string): string {
  return header
    .replace(/([A-Z])/g, '_$1')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_|_$/g, '');
}

/** A legacy CUR header has the `category/Name` form; CUR 2.0 and Athena Parquet are already snake_case. */
export function isLegacyHeader(names: readonly string[]): boolean {
  return names.some((n) => /^[A-Za-z]+\/\S/.test(n));
}

/**
 * Each header with its Athena name. Two headers that map to one name (product/ keys can differ only in case)
 * keep the first; the later one keeps its raw header, so no column is lost and none is ambiguous.
 */
export function athenaColumns(headers: readonly string[]): { header: string; name: string }[] {
  const taken = new Set(headers.filter((h) => !h.includes('/')).map((h) => h.toLowerCase()));
  return headers.map((header) => {
    if (!header.includes('/')) return { header, name: header };
    const name = athenaColumnName(header);
    if (taken.has(name)) return { header, name: header };
    taken.add(name);
    return { header, name };
  });
}

/**
 * FOCUS 1.0 with AWS columns (Data Exports table FOCUS_1_0_AWS, delivered like CUR 2.0 in
 * `data/BILLING_PERIOD=YYYY-MM/` with a manifest) → the CUR names the credits query reads. Column names and
 * types are AWS's, from its data dictionary
 * (https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-focus-1-0-aws-columns.html; the table's
 * five AWS columns, x_CostCategories, x_Discounts, x_Operation, x_ServiceCode and x_UsageType, are named on
 * https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-focus-1-0-aws.html):
 *
 * - ChargeCategory (string): FOCUS's "after-the-fact adjustment (for example, credits)" is the value `Credit`,
 *   the same word the query looks for in line_item_line_item_type;
 * - BillingAccountId (string, the payer) and SubAccountId (string, the usage account);
 * - x_ServiceCode: AWS's service code (AmazonEC2, …), the CUR's line_item_product_code, so a credit keeps the
 *   key it has in a CUR. ServiceName ("Amazon Elastic Compute Cloud") is another text and would file the same
 *   credit under another key: it is not used in its place;
 * - ChargeDescription (string), BillingCurrency (string), BilledCost (double: "the basis for invoicing").
 *
 * What FOCUS 1.0 lacks: an invoice ID (FOCUS 1.2 adds InvoiceId:
 * https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-focus-1-2-migrating.html), so whether AWS
 * finalised the month cannot be told (core/aws-bill.ts `unknown`), and a line ID, so an unreadable cost is
 * named by its group only.
 */
export const FOCUS_COLUMNS: Readonly<Record<string, string>> = {
  ChargeCategory: 'line_item_line_item_type',
  BillingAccountId: 'bill_payer_account_id',
  SubAccountId: 'line_item_usage_account_id',
  x_ServiceCode: 'line_item_product_code',
  ChargeDescription: 'line_item_line_item_description',
  BillingCurrency: 'line_item_currency_code',
  BilledCost: 'line_item_unblended_cost',
};

/**
 * A FOCUS file: two or more of the FOCUS columns a credit needs, and no CUR line type (any case: Athena lower-cases
 * names). Two, not all, so that an export missing one is still told which one it misses.
 */
export function isFocusHeader(names: readonly string[]): boolean {
  const lower = new Set(names.map((n) => n.toLowerCase()));
  if (lower.has('line_item_line_item_type') || lower.has('lineitem/lineitemtype')) return false;
  return Object.keys(FOCUS_COLUMNS).filter((c) => lower.has(c.toLowerCase())).length >= 2;
}

/** The FOCUS columns a credit needs that `names` lacks, in FOCUS_COLUMNS order. */
export function missingFocusColumns(names: readonly string[]): string[] {
  const lower = new Set(names.map((n) => n.toLowerCase()));
  return Object.keys(FOCUS_COLUMNS).filter((c) => !lower.has(c.toLowerCase()));
}

/** Each FOCUS header with the CUR name the query reads (the ones it does not read keep their own name). */
export function focusColumns(headers: readonly string[]): { header: string; name: string }[] {
  const byLower = new Map(Object.entries(FOCUS_COLUMNS).map(([k, v]) => [k.toLowerCase(), v]));
  return headers.map((header) => ({ header, name: byLower.get(header.toLowerCase()) ?? header }));
}
