/**
 * Rule selection speed: 1,000 random rules, 100,000 credits (deterministic PRNG, so runs compare), timing
 * the index build and choose() for every credit. Prints nothing; bench/index.ts reports the numbers.
 */
import { parseRules, RuleIndex, type Context, type Rule, type RuleSubject } from '../core/rules';
import { bigMonth } from './big-month';
import { seededRandom as prng } from '../sync-service/demo/seeded-random';

const RULES = 1_000;
const CREDITS = 100_000;

const DESCRIPTIONS = [
  'AWS Activate Credit',
  'MAP 2.0 Migration Acceleration Program credit',
  'AWS Promotional Credit for Marketplace',
  'Solution Provider Program discount credit',
  'AWS Training credit',
  'EDP refund credit',
  'Credit for service interruption (SLA)',
  'クレジット プロモーション',
];
const SERVICES = ['AmazonEC2', 'AmazonS3', 'AWSLambda', 'AmazonRDS', 'AmazonCloudFront', 'AmazonDynamoDB'];
const PERIODS = ['2025-10', '2025-11', '2025-12', '2026-01', '2026-02', '2026-03'];

export async function benchRules(): Promise<{ name: string; value: number; unit: string }[]> {
  const random = prng(20260301);
  const pickOf = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const customers = Array.from({ length: 2_000 }, (_, i) => `CUST-${i}`);
  const resellers = Array.from({ length: 50 }, (_, i) => `RES-${i}`);
  const context = (ids: string[], pSpecific: number): Context => {
    if (random() >= pSpecific) return { mode: 'ALL', ids: [] };
    return {
      mode: random() < 0.7 ? 'ONLY' : 'EXCLUDE',
      ids: Array.from({ length: 1 + Math.floor(random() * 5) }, () => pickOf(ids)),
    };
  };
  const rules: Rule[] = Array.from({ length: RULES }, (_, i) => {
    const kind = random();
    const base = pickOf(DESCRIPTIONS);
    const [match, description] =
      kind < 0.3
        ? (['exact', base] as const)
        : kind < 0.6
          ? (['contains', base.split(' ')[1]] as const)
          : kind < 0.75
            ? (['regex', `^${base.split(' ')[0]}\\s`] as const)
            : (['exact', ''] as const);
    return {
      ruleId: `R-${i}`,
      name: `Rule ${i}`,
      description,
      match,
      customerBp: 6000,
      resellerBp: 2000,
      from: random() < 0.3 ? pickOf(PERIODS) : null,
      to: null,
      customer: context(customers, 0.6),
      reseller: context(resellers, 0.3),
      service: context(SERVICES, 0.3),
      created: `2025-${String(1 + Math.floor(random() * 12)).padStart(2, '0')}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`,
      enabled: random() < 0.95,
      row: i + 2,
    };
  });
  const credits: RuleSubject[] = Array.from({ length: CREDITS }, () => ({
    description: pickOf(DESCRIPTIONS),
    period: pickOf(PERIODS),
    customerId: pickOf(customers),
    resellerId: pickOf(resellers),
    service: pickOf(SERVICES),
  }));

  const started = performance.now();
  const index = new RuleIndex(rules);
  const built = performance.now();
  let chosen = 0;
  for (const credit of credits) if (index.choose(credit)) chosen++;
  const done = performance.now();

  return [
    { name: 'rules: build index (1,000 rules)', value: round(built - started), unit: 'ms' },
    { name: 'rules: choose for 100,000 credits', value: round(done - built), unit: 'ms' },
    { name: 'rules: build + choose, total', value: round(done - started), unit: 'ms' },
    { name: 'rules: credits that got a rule', value: chosen, unit: 'credits' },
  ];
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/**
 * The same at a big distributor's variety (bench/big-month.ts): 100,000 credits with (nearly) all descriptions
 * distinct, 1,000 rules of which 100 regex, fresh index each run; min / median / max of 3 runs.
 */
export async function benchRulesDistinct(): Promise<{ name: string; value: number; unit: string }[]> {
  const month = bigMonth({ credits: CREDITS, rules: RULES, regexRules: 100 });
  const { rules } = parseRules(month.rules.map((record, i) => ({ row: i + 2, record })));
  const byAccount = new Map(month.accounts.map((a) => [a.accountId, a]));
  const credits: RuleSubject[] = month.rows.map((r) => ({
    description: r.description ?? '',
    period: r.billing_period ?? '',
    customerId: byAccount.get(r.usage_account_id ?? '')?.customerId ?? '',
    resellerId: byAccount.get(r.usage_account_id ?? '')?.resellerId ?? '',
    service: r.product_code ?? '',
  }));
  const times: number[] = [];
  const cpu: number[] = [];
  let chosen = 0;
  for (let run = 0; run < 3; run++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const index = new RuleIndex(rules);
    chosen = 0;
    for (const c of credits) if (index.choose(c)) chosen++;
    const used = process.cpuUsage(c0);
    times.push(performance.now() - t0);
    cpu.push((used.user + used.system) / 1000);
  }
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  return [
    {
      name: `rules: ${month.distinctDescriptions.toLocaleString('en')} distinct descriptions × ${rules.length} rules, CPU`,
      value: round(cpu[1]),
      unit: `ms median (min ${round(cpu[0])}, max ${round(cpu[2])}; 3 runs)`,
    },
    {
      name: `rules: ${month.distinctDescriptions.toLocaleString('en')} distinct descriptions × ${rules.length} rules, build + choose, wall`,
      value: round(times[1]),
      unit: `ms median (min ${round(times[0])}, max ${round(times[2])}; 3 runs)`,
    },
    { name: 'rules: of which credits that got a rule', value: chosen, unit: 'credits' },
  ];
}
