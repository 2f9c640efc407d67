/**
 * `rules validate` speed: validateRules over 5,000, 20,000 and 100,000 generated Rules-tab rows (deterministic
 * PRNG), against a directory of 2,000 customers. The rows mix what real rule sheets hold: a few shared credit
 * descriptions, per-engagement texts (MAP "MPE…" IDs, unique per rule), regexes, blank descriptions, ONLY and
 * EXCLUDE lists, periods, disabled rules — and many rules that shadow one another.
 */
import { buildDirectory } from '../core/accounts';
import { validateRules } from '../core/rules';
import type { RuleField } from '../core/sheet-contract';
import type { Cell } from '../core/table';
import { prng, seconds, type Figure } from './figures';

const DESCRIPTIONS = [
  'AWS Activate Credit',
  'MAP 2.0 Migration Acceleration Program credit',
  'AWS Promotional Credit for Marketplace',
  'Solution Provider Program discount credit',
  'EDP refund credit',
  'クレジット プロモーション',
];
const SERVICES = ['AmazonEC2', 'AmazonS3', 'AWSLambda', 'AmazonRDS'];
const PERIODS = ['2025-10', '2025-11', '2025-12', '2026-01', '2026-02', '2026-03'];
const CUSTOMERS = Array.from({ length: 2_000 }, (_, i) => `CUST-${i}`);

function ruleRows(count: number, seed: number): { row: number; record: Record<RuleField, Cell> }[] {
  const random = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const list = (xs: readonly string[]) =>
    Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick(xs)).join(', ');
  const context = (xs: readonly string[], pSpecific: number): [string, string] =>
    random() >= pSpecific ? ['ALL', ''] : random() < 0.7 ? ['ONLY', list(xs)] : ['EXCLUDE', list(xs)];
  return Array.from({ length: count }, (_, i) => {
    const kind = random();
    const [match, description] =
      kind < 0.25
        ? ['exact', pick(DESCRIPTIONS)]
        : kind < 0.5
          ? ['contains', `MPE${String(10_000 + i)}`] // unique per rule, as MAP engagement IDs are
          : kind < 0.65
            ? ['contains', pick(DESCRIPTIONS).split(' ')[1] ?? 'credit']
            : kind < 0.75
              ? ['regex', `^${pick(DESCRIPTIONS).split(' ')[0]}\\s`]
              : ['exact', ''];
    const [customerContext, customers] = context(CUSTOMERS, 0.6);
    const [resellerContext, resellers] = context(['RES-1', 'RES-2', 'RES-3'], 0.3);
    const [serviceContext, services] = context(SERVICES, 0.3);
    const from = random() < 0.3 ? pick(PERIODS) : '';
    return {
      row: i + 2,
      record: {
        ruleId: `R-${i}`,
        name: `Rule ${i}`,
        description,
        match,
        customerPercent: String(Math.floor(random() * 100)),
        resellerPercent: '0',
        from,
        to: from && random() < 0.5 ? '2026-12' : '',
        customerContext,
        customers,
        resellerContext,
        resellers,
        serviceContext,
        services,
        created: `2025-${String(1 + Math.floor(random() * 12)).padStart(2, '0')}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`,
        enabled: random() < 0.95,
      },
    };
  });
}

export async function benchValidate(): Promise<Figure[]> {
  const directory = buildDirectory(
    CUSTOMERS.map((c, i) => ({
      row: i + 2,
      record: {
        accountId: String(100_000_000_000 + i),
        accountName: '',
        customerId: c,
        customerName: '',
        assetId: '',
        resellerId: 'RES-1',
        resellerName: '',
      },
    })),
    'bench accounts',
  );
  const figures: Figure[] = [];
  for (const count of [5_000, 20_000, 100_000]) {
    const rows = ruleRows(count, 20261201);
    const started = performance.now();
    const cpu = process.cpuUsage();
    const problems = validateRules(rows, directory);
    const used = process.cpuUsage(cpu);
    figures.push({
      name: `rules validate: ${count.toLocaleString('en')} rules`,
      value: seconds(started),
      unit: 's',
    });
    // CPU time too: on a shared machine the wall clock also counts everyone else's processes.
    figures.push({
      name: `rules validate: ${count.toLocaleString('en')} rules, CPU time (user + system, all threads)`,
      value: Math.round((used.user + used.system) / 1e4) / 100,
      unit: 's',
    });
    if (count === 100_000) {
      const shadowed = problems.filter((p) => /can never win/.test(p.message)).length;
      figures.push({
        name: 'rules validate: rules found that can never win (100,000)',
        value: shadowed,
        unit: 'rules',
      });
    }
  }
  return figures;
}
