/**
 * Big Athena results read from the query's S3 result file instead of page by page: the real AthenaClient and
 * S3Client against the local Athena server (which writes `<id>.csv` and serves it over path-style GetObject).
 * The same credits either way, whatever the text holds; AccessDenied falls back to paging with one warning;
 * a connection dropped mid-file is retried, or fails without returning anything.
 */
import fc from 'fast-check';
import { Readable } from 'node:stream';
import { createAthenaSource, type AthenaSourceOptions } from '../../../sync-service/sources/athena';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  createResultFileReader,
  parseResultCsv,
  parseS3Uri,
  resultPrefixArn,
} from '../../../sync-service/sources/athena-result-file';
import { DEFAULT_RETRY_POLICY } from '../../../sync-service/sources/athena-retry';
import { startAthenaServer, type AthenaServer } from '../../../emulators/athena-server';
import { makeTempDir, writeCurFixture, type CurLine } from '../../../emulators/cur-fixture';
import type { RawCreditRow } from '../../../sync-service/sources/source';

const OUTPUT = 's3://results-bucket/athena/credit-desk/';

/** Text a CSV writer or reader can get wrong: quotes, separators, line breaks, non-ASCII, empty vs NULL. */
const AWKWARD: (string | null)[] = [
  'He said "hi", then left',
  'comma, separated, values',
  '"',
  '""',
  '","',
  'ends with a quote"',
  'line one\nline two',
  'crlf\r\nline',
  'lone cr\rhere',
  '\n',
  ' leading and trailing ',
  'tab\there',
  'Crédit promotionnel – 東京 🚀',
  'اعتماد ترويجي',
  'e\u0301 combining',
  '',
  null,
  // Generated, with a fixed seed so a failure names the same text again.
  ...fc.sample(
    fc
      .array(
        fc.oneof(
          fc.constantFrom('"', ',', '\n', '\r\n', '""', ' ', '\t', '\\', "'"),
          fc.string({ unit: 'grapheme', maxLength: 6 }),
        ),
        { minLength: 1, maxLength: 8 },
      )
      .map((parts) => parts.join('')),
    { numRuns: 40, seed: 11 },
  ),
];

const TEXTS = [...new Set(AWKWARD)];
// One credit per distinct text, each of an amount with more digits than a double holds (summed as
// DECIMAL(38,10), sent as text).
const BIG = 2 ** 40;
const LINES: CurLine[] = TEXTS.flatMap((description, i) => [
  {
    period: '2026-10',
    account: String(100000000000 + i),
    description: description as string,
    cost: -(BIG + i + 0.25),
  },
  { period: '2026-10', account: String(100000000000 + i), description: description as string, cost: -0.5 },
]);
// An empty usage account and a missing one are two different credits.
LINES.push(
  { period: '2026-10', account: '', description: 'empty account', cost: -1 },
  { period: '2026-10', account: null, description: 'empty account', cost: -2 },
);

let server: AthenaServer;
let remove: () => Promise<void>;

beforeAll(async () => {
  const cur = await makeTempDir();
  await writeCurFixture(cur.dir, 'cur2', LINES);
  server = await startAthenaServer({ tables: { 'cur.cur2': { dir: cur.dir, layout: 'cur2' } } });
  remove = cur.remove;
});

afterAll(async () => {
  await server.close();
  await remove();
});

const sources: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.close()));
  server.s3.denyGetObject(false);
});

function source(overrides: Partial<AthenaSourceOptions> = {}) {
  const s = createAthenaSource({
    database: 'cur',
    table: 'cur2',
    layout: 'cur2',
    region: 'eu-west-1',
    endpoint: server.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    outputLocation: OUTPUT,
    pollIntervalMs: 5,
    maxPollIntervalMs: 20,
    retryBaseDelayMs: 5,
    // Small pages make the fixture a "big" result: the first page has a NextToken.
    pageSize: 3,
    ...overrides,
  });
  sources.push(s);
  return s;
}

function counter() {
  const before = { ...server.stats.requests };
  return (op: string) => (server.stats.requests[op] ?? 0) - (before[op] ?? 0);
}

/** Rows in one order: GROUP BY gives none, and two runs are two queries. */
const sorted = (rows: RawCreditRow[]) =>
  [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

async function viaPaging(): Promise<RawCreditRow[]> {
  return sorted((await source({ resultFile: false }).fetchCredits('2026-10')).rows);
}

describe('Athena result file: same credits as paging', () => {
  test('awkward text, empty vs NULL and big decimals read identically from the file and the pages', async () => {
    const count = counter();
    const fromFile = sorted((await source().fetchCredits('2026-10')).rows);
    // One results page (for the column types), then the whole file in one GetObject.
    expect(count('GetQueryResults')).toBe(1);
    expect(count('S3.GetObject')).toBe(1);

    const paged = await viaPaging();
    expect(count('GetQueryResults')).toBeGreaterThan(10);
    expect(fromFile).toEqual(paged);

    // And both are what the CUR holds: every text exactly, '' and NULL apart, amounts to the cent.
    const byAccount = new Map(fromFile.map((r) => [r.usage_account_id, r]));
    TEXTS.forEach((description, i) => {
      const row = byAccount.get(String(100000000000 + i));
      expect(row?.description).toBe(description);
      // 23 significant digits (DuckDB's double → DECIMAL cast adds its own tail): a JS number would round
      // them, so equality with the paged text above shows the file carries them exactly.
      expect(row?.amount).toMatch(/^-10995116\d{5}\.\d{10}$/);
      expect(row?.line_count).toBe(2);
    });
    const empties = fromFile.filter((r) => r.description === 'empty account');
    expect(empties.map((r) => r.usage_account_id).sort()).toEqual(['', null]);
  });

  test('a result that fits one page needs no result file', async () => {
    const count = counter();
    const { rows } = await source({ pageSize: 1000 }).fetchCredits('2026-10');
    expect(rows).toHaveLength(TEXTS.length + 2);
    expect(count('GetQueryResults')).toBe(1);
    expect(count('S3.GetObject')).toBe(0);
  });

  test('managed query results (no s3:// location) are paged, without a warning', async () => {
    const warnings: string[] = [];
    const count = counter();
    const rows = sorted(
      (
        await source({ outputLocation: undefined, onWarning: (m) => warnings.push(m) }).fetchCredits(
          '2026-10',
        )
      ).rows,
    );
    expect(rows).toEqual(await viaPaging());
    expect(count('S3.GetObject')).toBe(0);
    expect(warnings).toEqual([]);
  });
});

describe('Athena result file: when it cannot be read', () => {
  test('AccessDenied: paging from the first page on, one warning naming s3:GetObject on the prefix', async () => {
    server.s3.denyGetObject();
    const warnings: string[] = [];
    const s = source({ onWarning: (m) => warnings.push(m) });
    const count = counter();
    const first = sorted((await s.fetchCredits('2026-10')).rows);
    const second = sorted((await s.fetchCredits('2026-10')).rows);
    expect(first).toEqual(await viaPaging());
    expect(second).toEqual(first);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/AccessDenied/);
    expect(warnings[0]).toContain('s3:GetObject on arn:aws:s3:::results-bucket/athena/credit-desk/*');
    // Denied once, not asked again: the second query pages without trying the file.
    expect(count('S3.GetObject')).toBe(1);
  });

  test('a connection dropped mid-file or reset is retried, and the rows are whole', async () => {
    server.s3.failNextGetObject('DropMidStream');
    server.s3.failNextGetObject('ConnectionReset');
    const count = counter();
    const rows = sorted((await source().fetchCredits('2026-10')).rows);
    expect(count('S3.GetObject')).toBe(3);
    expect(rows).toEqual(await viaPaging());
  });

  test('a connection that keeps dropping fails with a clear message and returns nothing', async () => {
    server.s3.failNextGetObject('DropMidStream', 3);
    const err = await source({ maxAttempts: 3 })
      .fetchCredits('2026-10')
      .then(
        () => null,
        (e: Error) => e,
      );
    expect(err?.message).toMatch(
      /^Reading the Athena result file s3:\/\/results-bucket\/athena\/credit-desk\/[\w-]+\.csv \(credits 2026-10\) failed; nothing was imported\./,
    );
    expect(err?.message).toMatch(/failed 3 times in a row .*ended after \d+ of \d+ bytes/);
  });
});

test('a result file Athena reported but S3 does not have (NoSuchKey) is paged, with a warning each time', async () => {
  // A stub client: the local server always has the file it reported, so the error is made here.
  let calls = 0;
  const client = {
    send: async () => {
      calls++;
      throw Object.assign(new Error('The specified key does not exist.'), {
        name: 'NoSuchKey',
        $metadata: { httpStatusCode: 404 },
      });
    },
  } as unknown as S3Client;
  const warnings: string[] = [];
  const reader = createResultFileReader({
    client,
    retry: DEFAULT_RETRY_POLICY,
    warn: (m) => warnings.push(m),
  });
  expect(await reader.read('s3://b/p/q1.csv', [], 'credits')).toBeNull();
  expect(await reader.read('s3://b/p/q2.csv', [], 'credits')).toBeNull();
  // Not remembered like a denied right: the next query's file may well be there.
  expect(calls).toBe(2);
  expect(warnings).toHaveLength(2);
  expect(warnings[0]).toMatch(/s3:\/\/b\/p\/q1\.csv is not there \(NoSuchKey.*lifecycle rule.*page by page/);
});

describe('Athena result CSV parsing', () => {
  const columns = [
    { Name: 'a', Type: 'varchar' },
    { Name: 'b', Type: 'varchar' },
  ];
  const parse = (chunks: (string | Buffer)[]) => parseResultCsv(Readable.from(chunks), columns);

  test('unquoted empty is NULL, "" is the empty string, doubled quotes and line breaks inside quotes', async () => {
    const rows = await parse(['"a","b"\n', '"",\n', ',""\n', '"x""y","1,2\n3"\n']);
    expect(rows.map((r) => r.Data)).toEqual([
      [{ VarCharValue: '' }, {}],
      [{}, { VarCharValue: '' }],
      [{ VarCharValue: 'x"y' }, { VarCharValue: '1,2\n3' }],
    ]);
  });

  test('a character split between two chunks is read whole', async () => {
    const bytes = Buffer.from('"a","b"\n"東京","🚀"\n');
    const rows = await parse([bytes.subarray(0, 11), bytes.subarray(11, 19), bytes.subarray(19)]);
    expect(rows[0].Data).toEqual([{ VarCharValue: '東京' }, { VarCharValue: '🚀' }]);
  });

  test('another query’s file (other header) or an empty file is refused', async () => {
    await expect(parse(['"a","c"\n"1","2"\n'])).rejects.toThrow(
      /header \(a, c\) is not the query's columns \(a, b\)/,
    );
    await expect(parse([])).rejects.toThrow(/empty/);
  });

  test('S3 addresses and the prefix a policy must grant', () => {
    expect(parseS3Uri('s3://bucket/a/b/q.csv')).toEqual({ bucket: 'bucket', key: 'a/b/q.csv' });
    expect(parseS3Uri('s3://bucket/')).toBeNull();
    expect(parseS3Uri(undefined)).toBeNull();
    expect(resultPrefixArn({ bucket: 'b', key: 'x/y/q.csv' })).toBe('arn:aws:s3:::b/x/y/*');
    expect(resultPrefixArn({ bucket: 'b', key: 'q.csv' })).toBe('arn:aws:s3:::b/*');
  });
});
