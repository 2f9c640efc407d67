import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { resolveSettings, SettingsError } from '../../sync-service/settings';
import { chooseClosedPeriod, periodsToSync, previousPeriod } from '../../core/periods';

describe('settings', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'credit-desk-settings-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('takes the command line over the environment over the config file over defaults', () => {
    const file = join(dir, 'c.json');
    writeFileSync(
      file,
      JSON.stringify({ workbook: 'from-file.xlsx', cur: 'file-cur', athena: { workgroup: 'wg-file' } }),
    );
    const s = resolveSettings({ config: file, workbook: 'cli.xlsx' }, { CREDIT_DESK_CUR: 'env-cur' });
    expect(s.workbook).toBe('cli.xlsx');
    expect(s.cur).toBe('env-cur');
    expect(s.athena.workgroup).toBe('wg-file');
    expect(s.usageDir).toBe('usage-files');
  });

  it('names the Connect product, marketplace, contract and item, placeholders by default (issue 27.1)', () => {
    const file = join(dir, 'connect.json');
    writeFileSync(file, JSON.stringify({ connect: { marketplace: 'MP-12345', item: 'AWS-CREDITS-PAYG' } }));
    const s = resolveSettings({ config: file }, { CREDIT_DESK_CONNECT_PRODUCT: 'PRD-123-456-789' });
    expect(s.connect).toEqual({
      product: 'PRD-123-456-789',
      marketplace: 'MP-12345',
      contract: 'CRD-00000-00000-00000',
      item: 'AWS-CREDITS-PAYG',
    });
    expect(resolveSettings({}, {}).connect.product).toBe('PRD-000-000-000');
    expect(() => resolveSettings({}, { CREDIT_DESK_CONNECT_CONTRACT: 'contract 7' })).toThrow(
      /connect.contract \(from CREDIT_DESK_CONNECT_CONTRACT\) is "contract 7".*CRD-12345-12345-12345/,
    );
  });

  it("reads Connect's endpoint as a setting and its API key only from CONNECT_API_KEY, never showing it", () => {
    const s = resolveSettings({}, { CONNECT_API_KEY: 'ApiKey SU-1:secret-key' });
    expect(s.connectApi.endpoint).toBe('https://api.connect.cloudblue.com/public/v1');
    expect(s.connectApi.apiKey).toBe('ApiKey SU-1:secret-key');
    expect(JSON.stringify(s)).not.toContain('secret-key');
    expect(inspect(s, { depth: 5 })).not.toContain('secret-key');
    const local = { CREDIT_DESK_CONNECT_ENDPOINT: 'http://127.0.0.1:4010/public/v1' };
    expect(resolveSettings({}, local).connectApi).toEqual({ endpoint: 'http://127.0.0.1:4010/public/v1' });
    expect(() =>
      resolveSettings({}, { CREDIT_DESK_CONNECT_ENDPOINT: 'http://connect.example.com/v1' }),
    ).toThrow(
      /connect.endpoint \(from CREDIT_DESK_CONNECT_ENDPOINT\) is "http:\/\/connect.example.com\/v1".*https:/,
    );
    const file = join(dir, 'key.json');
    writeFileSync(file, JSON.stringify({ connect: { apiKey: 'ApiKey SU-1:secret-key' } }));
    const e = (() => {
      try {
        resolveSettings({ config: file }, {});
      } catch (err) {
        return err as Error;
      }
    })();
    expect(e?.message).toMatch(
      /"connect.apiKey": the Connect API key is never read from a file.*CONNECT_API_KEY/,
    );
    expect(e?.message).not.toContain('secret-key');
  });

  it('names the setting, where it came from and how to fix it', () => {
    expect(() => resolveSettings({ source: 'athena', database: 'cur', table: 'c' }, {})).toThrow(
      /athena.region.*AWS_REGION/,
    );
    expect(
      resolveSettings({ source: 'athena', database: 'cur', table: 'c' }, { AWS_REGION: 'eu-west-1' }).athena
        .region,
    ).toBe('');
    expect(() => resolveSettings({ source: 'athena' }, {})).toThrow(
      /athena.database \(from default\) is missing.*--database/,
    );
    expect(() =>
      resolveSettings({ source: 'athena', table: 't' }, { CREDIT_DESK_ATHENA_DATABASE: 'bad name; drop' }),
    ).toThrow(/athena.database \(from CREDIT_DESK_ATHENA_DATABASE\)/);
    expect(() => resolveSettings({ period: '2026-13' }, {})).toThrow(/period \(from --period\).*YYYY-MM/);
    expect(() => resolveSettings({ spreadsheet: 'not/an/id' }, {})).toThrow(/spreadsheet.*docs.google.com/);
    expect(() =>
      resolveSettings({ source: 'athena', database: 'cur', table: 'c', output: 'http://x' }, {}),
    ).toThrow(/s3:\/\//);
    expect(() => resolveSettings({ config: join(dir, 'missing.json') }, {})).toThrow(SettingsError);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ not json');
    expect(() => resolveSettings({ config: broken }, {})).toThrow(/not valid JSON/);
  });
});

describe('periods', () => {
  const now = new Date('2026-11-26T10:00:00Z');
  it('defaults to the most recent closed period and re-reads the one before for late credits', () => {
    expect(chooseClosedPeriod(['2026-11', '2026-10', '2026-09'], now)).toBe('2026-10');
    expect(periodsToSync(['2026-11', '2026-10', '2026-09'], '2026-10', true)).toEqual(['2026-09', '2026-10']);
    expect(periodsToSync(['2026-10'], '2026-10', true)).toEqual(['2026-10']);
    expect(previousPeriod('2026-01')).toBe('2025-12');
  });
  it('explains an open-only or unknown period', () => {
    expect(() => chooseClosedPeriod(['2026-11'], now)).toThrow(/still open.*--period/s);
    expect(() => periodsToSync(['2026-10', '2026-09'], '2025-01', true)).toThrow(
      /Periods with data: 2026-10, 2026-09/,
    );
  });
});
