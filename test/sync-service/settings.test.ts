import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { sheetArgs } from '../../sync-service/jobs/sync-corrections';
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

describe('the sink', () => {
  const ID = '1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789';
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'credit-desk-sink-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the old rule when not given: google when a spreadsheet is set, else the workbook', () => {
    expect(resolveSettings({}, {}).sink).toBe('workbook');
    expect(resolveSettings({ workbook: 'b.xlsx' }, {}).sink).toBe('workbook');
    expect(resolveSettings({ spreadsheet: ID }, {}).sink).toBe('google');
    expect(resolveSettings({}, { CREDIT_DESK_SPREADSHEET: ID }).sink).toBe('google');
  });

  it('takes the sink given, by option, environment or config file', () => {
    const file = join(dir, 'sink.json');
    writeFileSync(file, JSON.stringify({ sink: 'google', spreadsheet: ID }));
    expect(resolveSettings({ config: file }, {}).sink).toBe('google');
    expect(resolveSettings({ config: file }, { CREDIT_DESK_SINK: 'workbook' }).sink).toBe('workbook');
    expect(resolveSettings({ config: file, sink: 'workbook', workbook: 'b.xlsx' }, {}).workbook).toBe(
      'b.xlsx',
    );
    expect(() => resolveSettings({ sink: 'sheets' }, {})).toThrow(
      'Setting sink (from --sink) is "sheets". Use workbook or google.',
    );
  });

  it('refuses google without a spreadsheet, naming where google came from and the fix', () => {
    expect(() => resolveSettings({}, { CREDIT_DESK_SINK: 'google' })).toThrow(
      /^Setting sink \(from CREDIT_DESK_SINK\) is "google" but no spreadsheet is set\. Pass --spreadsheet <id>.*CREDIT_DESK_SPREADSHEET.*--sink workbook\.$/,
    );
  });

  it('refuses a workbook and a spreadsheet both given with no sink to choose, naming both', () => {
    const file = join(dir, 'both.json');
    writeFileSync(file, JSON.stringify({ workbook: 'month.xlsx' }));
    expect(() => resolveSettings({ config: file }, { CREDIT_DESK_SPREADSHEET: ID })).toThrow(
      'Setting sink (from default) is not set, and both workbook (from config file "workbook") and spreadsheet ' +
        '(from CREDIT_DESK_SPREADSHEET) name a sheet. Choose one with --sink workbook or --sink google',
    );
    // The sink settles it, either way.
    expect(resolveSettings({ config: file, sink: 'google' }, { CREDIT_DESK_SPREADSHEET: ID }).sink).toBe(
      'google',
    );
    expect(
      resolveSettings({ config: file }, { CREDIT_DESK_SPREADSHEET: ID, CREDIT_DESK_SINK: 'workbook' }).sink,
    ).toBe('workbook');
  });

  it('never ignores an option typed for the other sink', () => {
    expect(() => resolveSettings({ spreadsheet: ID }, { CREDIT_DESK_SINK: 'workbook' })).toThrow(
      'Setting sink (from CREDIT_DESK_SINK) is "workbook" but --spreadsheet names the Google Sheet. Leave out --spreadsheet, or use --sink google.',
    );
    expect(() => resolveSettings({ sink: 'google', spreadsheet: ID, workbook: 'b.xlsx' }, {})).toThrow(
      'Setting sink (from --sink) is "google" but --workbook names the workbook. Leave out --workbook, or use --sink workbook.',
    );
  });

  /**
   * Every way of giving the three sheet settings (each absent, or from the option, the environment or the file):
   * the rule's outcome, and the printed sheet options pasted back in the same environment and folder.
   */
  it('chooses by one rule in every combination, and what it prints, pasted, opens the same sheet', () => {
    type Route = 'option' | 'env' | 'file' | undefined;
    const routes: Route[] = [undefined, 'option', 'env', 'file'];
    const values = { sink: ['workbook', 'google'], workbook: ['month end/b.xlsx'], spreadsheet: [ID] };
    const ENV = {
      sink: 'CREDIT_DESK_SINK',
      workbook: 'CREDIT_DESK_WORKBOOK',
      spreadsheet: 'CREDIT_DESK_SPREADSHEET',
    };
    type Given = { key: keyof typeof values; value: string; route: Route };
    const choices = (key: keyof typeof values): Given[] =>
      routes.flatMap((route): Given[] =>
        route ? values[key].map((value) => ({ key, value, route })) : [{ key, value: '', route }],
      );
    let files = 0;
    let resolved = 0;
    let refused = 0;
    for (const sink of choices('sink'))
      for (const workbook of choices('workbook'))
        for (const spreadsheet of choices('spreadsheet')) {
          const cli: Record<string, unknown> = {};
          const env: NodeJS.ProcessEnv = {};
          const file: Record<string, string> = {};
          for (const g of [sink, workbook, spreadsheet]) {
            if (g.route === 'option') cli[g.key] = g.value;
            if (g.route === 'env') env[ENV[g.key]] = g.value;
            if (g.route === 'file') file[g.key] = g.value;
          }
          const config = join(dir, `combination-${(files += 1)}.json`);
          writeFileSync(config, JSON.stringify(file));
          const typedForOther =
            (sink.value === 'google' && workbook.route === 'option') ||
            (sink.value === 'workbook' && spreadsheet.route === 'option');
          const shouldRefuse =
            (sink.value === 'google' && !spreadsheet.route) ||
            (!sink.route && workbook.route !== undefined && spreadsheet.route !== undefined) ||
            typedForOther;
          const combination = { sink, workbook, spreadsheet };
          let first;
          try {
            first = resolveSettings({ ...cli, config }, env);
          } catch (e) {
            expect({ combination, message: (e as Error).message }).toEqual({
              combination,
              message: expect.stringMatching(/^Setting sink \(from [^)]+\) .*--sink/),
            });
            expect({ combination, shouldRefuse }).toEqual({ combination, shouldRefuse: true });
            refused += 1;
            continue;
          }
          expect({ combination, shouldRefuse }).toEqual({ combination, shouldRefuse: false });
          const expected = sink.value || (spreadsheet.route ? 'google' : 'workbook');
          expect({ combination, sink: first.sink }).toEqual({ combination, sink: expected });
          // The printed words back into options, as the shell and commander read them.
          const pasted: Record<string, unknown> = { config };
          for (const w of sheetArgs(first)
            .trim()
            .split(/ (?=--)/)
            .filter(Boolean)) {
            const [flag, ...value] = w.split(' ');
            pasted[flag.slice(2)] = value.join(' ').replace(/^"|"$/g, '');
          }
          const again = resolveSettings(pasted, env);
          const sheet = (s: typeof first) => (s.sink === 'google' ? s.spreadsheet : s.workbook);
          expect({ combination, sink: again.sink, sheet: sheet(again) }).toEqual({
            combination,
            sink: first.sink,
            sheet: sheet(first),
          });
          resolved += 1;
        }
    expect(resolved + refused).toBe(7 * 4 * 4);
    expect(resolved).toBeGreaterThan(30);
    expect(refused).toBeGreaterThan(30);
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
