/**
 * The pure parts of the Athena source: retry delays and classification, typed result parsing, scan cost,
 * period normalisation, layout detection, and the execution-parameter literals the local server reads back.
 */
import fc from 'fast-check';
import {
  layoutFromColumns,
  sqlStringLiteral,
  LEAST_PRIVILEGE_IAM_POLICY,
  renderIamPolicy,
} from '../../../sync-service/sources/athena';
import { athenaScanCost, formatMicroUsd } from '../../../sync-service/sources/athena-cost';
import { parseDatum, periodsFromRecords, toRecords } from '../../../sync-service/sources/athena-results';
import {
  describeAwsError,
  isRetryableAwsError,
  retryDelayMs,
  withRetry,
  type AthenaRetryPolicy,
} from '../../../sync-service/sources/athena-retry';
import { AthenaQueryError } from '../../../sync-service/sources/athena-errors';
import { parseExecutionParameter } from '../../../emulators/athena-parameters';

const awsError = (name: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error('boom'), { name, ...extra });

describe('retry policy', () => {
  const policy: AthenaRetryPolicy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000 };

  test('full jitter: each delay lies between 0 and the capped exponential', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        (attempt, r) => {
          const d = retryDelayMs(attempt, policy, () => r);
          const cap = Math.min(1000, 100 * 2 ** (attempt - 1));
          return Number.isInteger(d) && d >= 0 && d < cap;
        },
      ),
    );
  });

  test.each([
    ['ThrottlingException', {}, true],
    ['TooManyRequestsException', {}, true],
    ['InternalServerException', { $fault: 'server' }, true],
    ['Error', { code: 'ECONNRESET' }, true],
    ['SomethingNew', { $metadata: { httpStatusCode: 503 } }, true],
    ['InvalidRequestException', { $fault: 'client', $metadata: { httpStatusCode: 400 } }, false],
    ['AccessDeniedException', {}, false],
  ])('%s %p retryable: %s', (name, extra, expected) => {
    expect(isRetryableAwsError(awsError(name, extra))).toBe(expected);
  });

  test('the SDK wrapper of a foreign-realm network error is retryable and described by its name', () => {
    const wrapped = new Error('AWS SDK error wrapper for TimeoutError: socket hang up');
    expect(isRetryableAwsError(wrapped)).toBe(true);
    expect(describeAwsError(wrapped)).toBe('TimeoutError: socket hang up');
  });

  test('a non-retryable error is rethrown at once; retryable ones until the attempts run out', async () => {
    let calls = 0;
    const fast = { ...policy, baseDelayMs: 1 };
    await expect(
      withRetry(
        'X',
        async () => {
          calls++;
          throw awsError('InvalidRequestException');
        },
        fast,
      ),
    ).rejects.toThrow('boom');
    expect(calls).toBe(1);
    calls = 0;
    const err = await withRetry(
      'GetQueryExecution',
      async () => {
        calls++;
        throw awsError('ThrottlingException');
      },
      fast,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AthenaQueryError);
    expect(calls).toBe(4);
    calls = 0;
    const value = await withRetry(
      'X',
      async () => {
        if (++calls < 3) throw awsError('ThrottlingException');
        return 'ok';
      },
      fast,
    );
    expect([value, calls]).toEqual(['ok', 3]);
  });
});

describe('result parsing by declared type', () => {
  test.each([
    ['12', 'bigint', 12],
    ['9007199254740993', 'bigint', '9007199254740993'],
    ['-0.1000000000', 'decimal', '-0.1000000000'],
    ['1e3', 'varchar', '1e3'],
    ['00042', 'varchar', '00042'],
    ['-1.0', 'double', -1],
    ['true', 'boolean', true],
    [undefined, 'bigint', null],
    ['', 'varchar', ''],
  ])('%p as %s → %p', (value, type, expected) => {
    expect(parseDatum(value, type)).toEqual(expected);
  });

  test.each([
    ['1.5', 'bigint'],
    ['abc', 'decimal'],
    ['', 'double'],
    ['yes', 'boolean'],
  ])('%p is not a %s: a clear error', (value, type) => {
    expect(() => parseDatum(value, type, 'amount')).toThrow(
      `Athena returned "${value}" for ${type} column amount`,
    );
  });

  test('any decimal text survives exactly', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
        fc.integer({ min: 0, max: 10 }),
        (n, scale) => {
          const digits = (n < 0n ? -n : n).toString().padStart(scale + 1, '0');
          const text = `${n < 0n ? '-' : ''}${digits.slice(0, digits.length - scale)}${scale ? '.' + digits.slice(-scale) : ''}`;
          return parseDatum(text, 'decimal') === text;
        },
      ),
    );
  });

  test('column names map case-insensitively; a NULL Datum (no VarCharValue) is null', () => {
    const records = toRecords(
      [
        { Name: 'USAGE_Account_Id', Type: 'varchar' },
        { Name: 'line_count', Type: 'bigint' },
      ],
      [{ Data: [{}, { VarCharValue: '3' }] }],
    );
    expect(records).toEqual([{ usage_account_id: null, line_count: 3 }]);
  });
});

describe('periods and layout', () => {
  test('legacy year/month (padded or not) and CUR 2.0 periods → YYYY-MM newest first, junk dropped', () => {
    expect(
      periodsFromRecords([
        { year: '2025', month: '7' },
        { year: '2025', month: '07' },
        { year: '2026', month: '1' },
        { year: '2025', month: '12' },
        { year: '2025', month: '13' },
        { period: '2024-03' },
        { period: null },
      ]),
    ).toEqual(['2026-01', '2025-12', '2025-07', '2024-03']);
  });

  test('layout from column names', () => {
    expect(layoutFromColumns(['identity_line_item_id', 'BILLING_PERIOD'], 'd.t')).toBe('cur2');
    expect(layoutFromColumns(['year', 'month'], 'd.t')).toBe('legacy');
    expect(() => layoutFromColumns(['a', 'b'], 'd.t')).toThrow(/d\.t has neither a billing_period column/);
  });
});

describe('scan cost', () => {
  test('10 MB minimum, rounded up to the MB, $5 per TB in exact micro-dollars', () => {
    expect(athenaScanCost(0)).toEqual({ billedMegabytes: 10, microUsd: 50 });
    expect(athenaScanCost(10_000_001)).toEqual({ billedMegabytes: 11, microUsd: 55 });
    expect(athenaScanCost(1e12)).toEqual({ billedMegabytes: 1_000_000, microUsd: 5_000_000 });
    expect(formatMicroUsd(50)).toBe('$0.00005');
    expect(formatMicroUsd(5_000_000)).toBe('$5');
    expect(formatMicroUsd(12_345_670)).toBe('$12.34567');
  });

  test('cost never falls as the scan grows', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        return athenaScanCost(lo).microUsd <= athenaScanCost(hi).microUsd;
      }),
    );
  });
});

describe('execution parameters as SQL literals', () => {
  test('any string quoted by the source is read back unchanged by the server', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        const parsed = parseExecutionParameter(sqlStringLiteral(s));
        return parsed.type === 'varchar' && parsed.value === s;
      }),
    );
  });

  test('numbers, booleans and NULL are typed; bare words are refused', () => {
    expect(parseExecutionParameter('42')).toEqual({ type: 'bigint', value: 42n });
    expect(parseExecutionParameter('1.5')).toEqual({ type: 'double', value: 1.5 });
    expect(parseExecutionParameter('TRUE')).toEqual({ type: 'boolean', value: true });
    expect(parseExecutionParameter('null')).toEqual({ type: 'null' });
    expect(() => parseExecutionParameter('2026-10')).toThrow(/not a SQL literal/);
    expect(() => parseExecutionParameter("'a' OR '1'='1'")).toThrow(/not a SQL literal/);
  });
});

describe('least-privilege IAM policy', () => {
  test('covers exactly the Athena calls the source makes, and fills placeholders safely', () => {
    const actions = LEAST_PRIVILEGE_IAM_POLICY.Statement.flatMap((s) => [...s.Action]);
    expect(actions.filter((a) => a.startsWith('athena:')).sort()).toEqual([
      'athena:GetQueryExecution',
      'athena:GetQueryResults',
      'athena:GetWorkGroup',
      'athena:StartQueryExecution',
      'athena:StopQueryExecution',
    ]);
    // s3:GetObject on the CUR files and on the result prefix, never a whole bucket (the result file is read
    // with it; athena-result-file.ts).
    const getObject = LEAST_PRIVILEGE_IAM_POLICY.Statement.filter((s) =>
      (s.Action as readonly string[]).includes('s3:GetObject'),
    ).map((s) => s.Resource);
    expect(getObject.sort()).toEqual([
      'arn:aws:s3:::<cur-bucket>/<cur-prefix>/*',
      'arn:aws:s3:::<results-bucket>/<results-prefix>/*',
    ]);
    const rendered = JSON.parse(renderIamPolicy({ '<region>': 'eu-west-1', '<workgroup>': 'wg"x' }));
    expect(rendered.Statement[0].Resource).toBe('arn:aws:athena:eu-west-1:<account-id>:workgroup/wg"x');
  });
});
