/**
 * A big distributor's month, deterministic from a seed: N distinct credits over K accounts (most of them in the
 * Accounts tab, the rest flagged UNKNOWN_ACCOUNT), a Rules tab of R rules of all three match kinds with the
 * variety real rules have (whole descriptions, programme names, code prefixes, regexes over codes, customer /
 * reseller / service contexts, periods), and descriptions that are nearly all distinct, as CUR descriptions
 * are once they carry programme codes, case numbers and portfolio names.
 *
 * Its defaults are the realistic generator issue #25's independent measurement used: at 50,000 credits 8,000
 * accounts, 1,000 rules of which 127 regex, 17 programmes, five currencies (each account bills in one, mostly
 * USD, with JPY's zero-decimal amounts among them) and reversals (a few credits' CUR lines include a positive
 * cost that nets part of the credit away, and a few are reversed in full, which sync holds for review).
 *
 * `demo-data` cannot make this: it grows CUR lines, not credits.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toCsv } from '../core/csv';
import { minorDigits } from '../core/money';
import { ACCOUNT_COLUMNS, RULE_COLUMNS, type AccountField, type RuleField } from '../core/sheet-contract';
import { seededRandom } from '../sync-service/demo/seeded-random';
import type { RawCreditRow } from '../sync-service/sources/source';

export interface BigMonthSpec {
  credits: number;
  /** AWS accounts the credits are spread over; default 0.16 × credits (8,000 at 50,000, as issue #25's). */
  accounts?: number;
  rules?: number;
  /** Of the rules, how many are regex rules. Default 12.7 % of them (127 of 1,000, as issue #25's). */
  regexRules?: number;
  /** Share of credits whose lines include a reversal (a positive cost in the same key). Default 0.03. */
  reversalShare?: number;
  /** Share of accounts listed in the Accounts tab. Default 0.9. */
  mappedShare?: number;
  period?: string;
  /** Seeds the credits and the rules. The accounts (mapping, currency) do not depend on it: months share them. */
  seed?: number;
  /** The first credit's index in the description codes, so that later months' codes differ. Default 0. */
  firstIndex?: number;
}

export interface BigMonth {
  period: string;
  rows: RawCreditRow[];
  accounts: Record<AccountField, string>[];
  rules: Record<RuleField, string>[];
  /** Distinct descriptions among the credits. */
  distinctDescriptions: number;
}

const SERVICES = [
  'AmazonEC2',
  'AmazonS3',
  'AWSLambda',
  'AmazonRDS',
  'AmazonCloudFront',
  'AmazonDynamoDB',
  'AmazonEKS',
  'AmazonSageMaker',
];
const RESELLERS = 120;

/** Billing currencies with the share of accounts that bill in each; JPY has no minor unit (core/money.ts). */
const CURRENCIES: readonly { code: string; share: number }[] = [
  { code: 'USD', share: 0.7 },
  { code: 'EUR', share: 0.12 },
  { code: 'GBP', share: 0.08 },
  { code: 'JPY', share: 0.06 },
  { code: 'AUD', share: 0.04 },
];

function currencyFor(x: number): string {
  for (const c of CURRENCIES) if ((x -= c.share) < 0) return c.code;
  return CURRENCIES[0].code;
}

/** A decimal string of `minor` units in a currency with `digits` decimals, e.g. (-123456, 2) → "-1234.56". */
function decimal(minor: number, digits: number): string {
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  if (!digits) return `${sign}${abs}`;
  const scale = 10 ** digits;
  return `${sign}${Math.floor(abs / scale)}.${String(abs % scale).padStart(digits, '0')}`;
}

/** A short code that differs for every index (base 36 of a scrambled index, upper case). */
function code(i: number, salt: number): string {
  return ((Math.imul(i + 1, 2654435761) ^ salt) >>> 0).toString(36).toUpperCase().padStart(6, '0');
}

/** Description templates, weighted by how common such credits are. `i` makes each one distinct. */
const TEMPLATES: { weight: number; make: (i: number, r: () => number) => string }[] = [
  {
    weight: 25,
    make: (i) => `MAP 2.0 Migration Credit - MPE${String(10000 + (i % 90000))} ${code(i, 1)}`,
  },
  {
    weight: 20,
    make: (i, r) => `AWS Activate Credit - Portfolio Org-${Math.floor(r() * 400)} (${code(i, 2)})`,
  },
  { weight: 15, make: (i) => `AWS Promotional Credit PC-${code(i, 3)}` },
  {
    weight: 12,
    make: (i, r) => `Solution Provider Program Credit ${2024 + Math.floor(r() * 3)} SPP-${code(i, 4)}`,
  },
  { weight: 8, make: (i, r) => `AWS Credit - re:Invent ${2022 + Math.floor(r() * 4)} ${code(i, 5)}` },
  { weight: 8, make: (i, r) => `EDP commit credit tranche ${1 + Math.floor(r() * 12)} / ${code(i, 6)}` },
  { weight: 7, make: (i) => `Credit for service interruption (SLA) case ${code(i, 7)}` },
  { weight: 5, make: (i) => `クレジット プロモーション ${code(i, 8)}` },
  { weight: 4, make: (i) => `AWS Marketing Development Funds MDF-${code(i, 9)}` },
  { weight: 4, make: (i, r) => `ISV Accelerate Program Q${1 + Math.floor(r() * 4)} ISV-${code(i, 10)}` },
  { weight: 3, make: (i) => `AWS Proof of Concept Credit POC-${code(i, 12)}` },
  {
    weight: 3,
    make: (i, r) => `Public Sector Partner Program PSP ${2025 + Math.floor(r() * 2)}/${code(i, 13)}`,
  },
  { weight: 2, make: (i) => `AWS Nonprofit Credit Program NP${code(i, 14)}` },
  { weight: 2, make: (i) => `Generative AI Accelerator - Cohort ${1 + (i % 5)} GAIA-${code(i, 15)}` },
  { weight: 2, make: (i) => `AWS Training and Certification credit TC-${code(i, 16)}` },
  { weight: 1, make: (i) => `Enterprise Support credit (Business → Enterprise) ES-${code(i, 17)}` },
  { weight: 1, make: (i) => `AWS Marketplace Private Offer credit MPO-${code(i, 18)}` },
];
const TOTAL_WEIGHT = TEMPLATES.reduce((s, t) => s + t.weight, 0);

function accountId(i: number): string {
  return String(100000000000 + i * 7919);
}

export function bigMonth(spec: BigMonthSpec): BigMonth {
  const n = spec.credits;
  const k = spec.accounts ?? Math.max(10, Math.floor(n * 0.16));
  const nRules = spec.rules ?? 1000;
  const nRegex = Math.min(spec.regexRules ?? Math.round(nRules * 0.127), nRules);
  const reversals = spec.reversalShare ?? 0.03;
  const mapped = spec.mappedShare ?? 0.9;
  const period = spec.period ?? '2026-10';
  const r = seededRandom(spec.seed ?? 20261101);
  const ra = seededRandom(20261101);
  const base = spec.firstIndex ?? 0;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

  const accounts: Record<AccountField, string>[] = [];
  const customerOf: string[] = [];
  const resellerOf: string[] = [];
  const currencyOf: string[] = [];
  for (let a = 0; a < k; a++) {
    currencyOf.push(currencyFor(ra()));
    const customerId = `CUST-${String(1 + Math.floor(a / 3)).padStart(6, '0')}`; // ~3 accounts per customer
    const resellerId = `RES-${String(1 + (Math.floor(a / 3) % RESELLERS)).padStart(4, '0')}`;
    customerOf.push(customerId);
    resellerOf.push(resellerId);
    if (ra() >= mapped) continue; // not in Accounts: the credit is imported and flagged
    accounts.push({
      accountId: accountId(a),
      accountName: `Account ${a}`,
      customerId,
      customerName: `Customer ${Math.floor(a / 3)}`,
      assetId: `AS-${code(a, 11).slice(0, 4)}-${String(a).padStart(6, '0')}`,
      resellerId,
      resellerName: `Reseller ${resellerId.slice(4)}`,
    });
  }

  const rows: RawCreditRow[] = [];
  const creditAccount: number[] = [];
  for (let i = 0; i < n; i++) {
    let w = r() * TOTAL_WEIGHT;
    let t = TEMPLATES[0];
    for (const tpl of TEMPLATES) {
      if ((w -= tpl.weight) < 0) {
        t = tpl;
        break;
      }
    }
    const a = Math.floor(r() * k);
    creditAccount.push(a);
    const currency = currencyOf[a];
    const digits = minorDigits(currency);
    let minor = -(10 ** digits + Math.floor(r() * r() * 5 * 10 ** (4 + digits)));
    // A reversal: the key's lines include a positive cost. Most take back part of the credit; one in six takes
    // back all of it or more, and the credit nets to zero or a charge (sync holds it for review).
    const reversed = r() < reversals;
    if (reversed)
      minor = r() < 1 / 6 ? Math.floor(r() * 3) * 10 ** digits : Math.round(minor * (0.2 + r() * 0.6));
    const lines = 1 + Math.floor(r() * 4);
    rows.push({
      billing_period: period,
      payer_account_id: '999999999999',
      usage_account_id: accountId(a),
      product_code: pick(SERVICES),
      description: t.make(base + i, r),
      currency_code: currency,
      amount: decimal(minor, digits),
      line_count: reversed ? lines + 1 : lines,
      bad_cost_lines: 0,
      ...(reversed ? { positive_lines: 1 } : {}),
      // AWS has invoiced the month (core/aws-bill.ts): without it `usage collect` skipped every credit of it as
      // not final, and `npm run bench -- collect` measured a collect that took nothing.
      invoiced_lines: 1,
    });
  }

  const rules: Record<RuleField, string>[] = [];
  const customers = [...new Set(customerOf)];
  const resellers = [...new Set(resellerOf)];
  const context = (ids: string[], pOnly: number, pExclude: number): [string, string] => {
    const x = r();
    const list = () =>
      Array.from({ length: 1 + Math.floor(r() * 4) }, () => pick(ids))
        .filter((v, j, all) => all.indexOf(v) === j)
        .join(', ');
    if (x < pOnly) return ['ONLY', list()];
    if (x < pOnly + pExclude) return ['EXCLUDE', list()];
    return ['ALL', ''];
  };
  const REGEXES = [
    () => `^MAP 2\\.0 Migration Credit - MPE${1 + Math.floor(r() * 9)}\\d{4}\\b`,
    () => `re:Invent 20(2[2-5]) ${code(Math.floor(r() * n), 5).slice(0, 1)}`,
    () => `^AWS Promotional Credit PC-${code(Math.floor(r() * n), 3).slice(0, 2)}`,
    () => `Portfolio Org-${Math.floor(r() * 40)}\\d? \\(`,
    () => `SPP-[0-9A-Z]{2}${code(Math.floor(r() * n), 4).slice(2, 3)}`,
    () => `tranche (${1 + Math.floor(r() * 9)}|1[0-2]) /`,
    () => `\\(SLA\\) case ${code(Math.floor(r() * n), 7).slice(0, 2)}`,
    () => `^AWS Marketing Development Funds MDF-${code(Math.floor(r() * n), 9).slice(0, 1)}`,
    () => `ISV Accelerate Program Q[${1 + Math.floor(r() * 4)}-4] `,
    () => `(POC|GAIA|TC)-[0-9A-Z]{${1 + Math.floor(r() * 3)}}${code(Math.floor(r() * n), 12).slice(3, 4)}`,
    () => `PSP 202[56]/`,
  ];
  const CONTAINS = [
    () => 'MAP 2.0 Migration Credit',
    () => `MPE${String(10000 + Math.floor(r() * 90000)).slice(0, 3)}`,
    () => `Portfolio Org-${Math.floor(r() * 400)} `,
    () => `PC-${code(Math.floor(r() * n), 3).slice(0, 3)}`,
    () => `Solution Provider Program Credit ${2024 + Math.floor(r() * 3)}`,
    () => `re:Invent ${2022 + Math.floor(r() * 4)}`,
    () => `tranche ${1 + Math.floor(r() * 12)} /`,
    () => 'プロモーション',
    () => 'activate credit',
    () => 'Marketing Development Funds',
    () => `ISV Accelerate Program Q${1 + Math.floor(r() * 4)}`,
    () => 'Public Sector Partner Program',
    () => 'Nonprofit Credit Program',
    () => `Generative AI Accelerator - Cohort ${1 + Math.floor(r() * 5)}`,
    () => 'Enterprise Support credit',
  ];
  for (let j = 0; j < nRules; j++) {
    const x = j < nRegex ? -1 : r();
    let match: 'exact' | 'contains' | 'regex';
    let description: string;
    if (x < 0) [match, description] = ['regex', pick(REGEXES)()];
    else if (x < 0.35) [match, description] = ['exact', rows[Math.floor(r() * n)].description ?? ''];
    else if (x < 0.9) [match, description] = ['contains', pick(CONTAINS)()];
    else [match, description] = ['exact', '']; // blank: a per-customer or per-reseller deal
    const [customerContext, customersList] = context(customers, description ? 0.25 : 0.7, 0.1);
    const [resellerContext, resellersList] = context(resellers, 0.15, 0.05);
    const [serviceContext, services] = context(SERVICES, 0.1, 0.05);
    const customerPercent = 10 * Math.floor(r() * 11);
    rules.push({
      ruleId: `R-${String(j + 1).padStart(4, '0')}`,
      name: `Rule ${j + 1}`,
      description,
      match,
      customerPercent: String(customerPercent),
      resellerPercent: String(Math.floor(r() * (100 - customerPercent + 1))),
      from: r() < 0.2 ? '2026-01' : '',
      to: r() < 0.05 ? '2026-06' : '',
      customerContext,
      customers: customersList,
      resellerContext,
      resellers: resellersList,
      serviceContext,
      services,
      created: `2026-${String(1 + Math.floor(r() * 9)).padStart(2, '0')}-${String(1 + Math.floor(r() * 28)).padStart(2, '0')}`,
      enabled: r() < 0.95 ? 'TRUE' : 'FALSE',
    });
  }
  return {
    period,
    rows,
    accounts,
    rules,
    distinctDescriptions: new Set(rows.map((x) => x.description)).size,
  };
}

/** accounts.csv and rules.csv for `sync --accounts --rules`. */
export function writeReferenceFiles(dir: string, month: BigMonth): { accounts: string; rules: string } {
  const accounts = join(dir, 'accounts.csv');
  const rules = join(dir, 'rules.csv');
  writeFileSync(
    accounts,
    toCsv(
      ACCOUNT_COLUMNS.map((c) => c.header),
      month.accounts.map((a) => ACCOUNT_COLUMNS.map((c) => a[c.field])),
    ),
  );
  writeFileSync(
    rules,
    toCsv(
      RULE_COLUMNS.map((c) => c.header),
      month.rules.map((x) => RULE_COLUMNS.map((c) => x[c.field])),
    ),
  );
  return { accounts, rules };
}
