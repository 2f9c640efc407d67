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
