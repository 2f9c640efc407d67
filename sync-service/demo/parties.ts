/**
 * Who is in the demo data: payers, linked accounts, customers, resellers, which credit programmes each
 * account earned, and sample credit rules. Pure and seeded, so the same seed always gives the same parties.
 */
import { seededRandom } from './seeded-random';
import { AWKWARD_CREDIT_DESCRIPTIONS, CREDIT_PRODUCTS, CREDIT_PROGRAMMES, SUPPORT_PRODUCT } from './catalog';

export interface DemoReseller {
  resellerId: string;
  name: string;
}

export interface DemoCustomer {
  customerId: string;
  name: string;
  reseller: DemoReseller;
}

export interface DemoAccount {
  accountId: string;
  name: string;
  payerAccountId: string;
  /** Null for a payer (management) account, which belongs to the distributor. */
  customer: DemoCustomer | null;
  assetId: string;
  /** Left out of accounts.csv on purpose, so the sync flags its credits as an unknown account. */
  unlisted: boolean;
}

/** A credit programme granted to one account on one product: its CUR lines share one group in the query. */
export interface DemoGrant {
  accountId: string;
  description: string;
  productCode: string;
}

export interface DemoParties {
  payers: DemoAccount[];
  linked: DemoAccount[];
  customers: DemoCustomer[];
  resellers: DemoReseller[];
  grants: DemoGrant[];
}

const RESELLER_NAMES = [
  'CloudFirst Partners',
  'Nordic IT Solutions',
  'Pacific Rim Systems',
  'Iberia Digital',
];
const CUSTOMER_NAMES = [
  'Northwind Traders',
  'Contoso, Ltd.',
  'Fabrikam "Labs" Inc.',
  'Müller Maschinenbau GmbH',
  '株式会社さくらソフト',
  'Blue Yonder Analytics',
  'Société Logistique Lyonnaise',
  'Tailspin Toys',
  'Wide World Importers',
  'Adventure Works',
  'Δέλτα Cloud Α.Ε.',
  'Proseware Health',
];
const PAYER_COUNT = 3;
const LINKED_COUNT = 25;
const UNLISTED_COUNT = 2;

function digits(rand: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(rand() * 10);
  return s;
}

function pickWeighted<T extends { weight: number }>(rand: () => number, items: readonly T[]): T {
  const total = items.reduce((s, x) => s + x.weight, 0);
  let r = rand() * total;
  for (const item of items) {
    r -= item.weight;
    if (r < 0) return item;
  }
  return items[items.length - 1];
}

function shuffled<T>(rand: () => number, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export function demoParties(seed: number): DemoParties {
  const rand = seededRandom(seed);
  const used = new Set<string>();
  // Every fifth account starts with zeros: a sheet that stores it as a number would lose them.
  const accountId = (i: number): string => {
    for (;;) {
      const id =
        i % 5 === 0 ? '00' + digits(rand, 10) : String(1 + Math.floor(rand() * 9)) + digits(rand, 11);
      if (!used.has(id)) {
        used.add(id);
        return id;
      }
    }
  };
  const assetId = (): string => `AS-${digits(rand, 4)}-${digits(rand, 4)}-${digits(rand, 4)}`;

  const resellers = RESELLER_NAMES.map((name, i) => ({
    resellerId: `RES-${String(i * 3 + 1).padStart(4, '0')}`,
    name,
  }));
  const customers = CUSTOMER_NAMES.map((name, i) => ({
    customerId: `CUST-${String(100 + i * 17).padStart(6, '0')}`,
    name,
    reseller: resellers[i % resellers.length],
  }));
  const payers: DemoAccount[] = Array.from({ length: PAYER_COUNT }, (_, i) => {
    const id = accountId(i + 1);
    return {
      accountId: id,
      name: `Distributor payer ${i + 1}`,
      payerAccountId: id,
      customer: null,
      assetId: '',
      unlisted: true,
    };
  });
  const linked: DemoAccount[] = Array.from({ length: LINKED_COUNT }, (_, i) => {
    const customer = customers[i % customers.length];
    return {
      accountId: accountId(i),
      name: `${customer.name.split(/[ ,]/)[0]} ${['prod', 'dev', 'data', 'sandbox'][Math.floor(i / customers.length) % 4]}`,
      payerAccountId: payers[i % PAYER_COUNT].accountId,
      customer,
      assetId: assetId(),
      unlisted: i >= LINKED_COUNT - UNLISTED_COUNT,
    };
  });

  const grants: DemoGrant[] = [];
  const grant = (account: DemoAccount, description: string, supportOnly = false): void => {
    const products = supportOnly
      ? [SUPPORT_PRODUCT]
      : shuffled(rand, CREDIT_PRODUCTS).slice(0, 1 + Math.floor(rand() * 3));
    for (const productCode of products)
      grants.push({ accountId: account.accountId, description, productCode });
  };
  linked.forEach((account, i) => {
    const count = 1 + Math.floor(rand() * 3);
    for (let k = 0; k < count; k++) {
      const programme = pickWeighted(rand, CREDIT_PROGRAMMES);
      grant(account, programme.description, programme.supportOnly);
    }
    if (i < AWKWARD_CREDIT_DESCRIPTIONS.length) grant(linked[3 + i * 5], AWKWARD_CREDIT_DESCRIPTIONS[i]);
  });
  return { payers, linked, customers, resellers, grants };
}
