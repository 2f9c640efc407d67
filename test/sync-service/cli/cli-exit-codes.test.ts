/**
 * The exit codes docs/user-guide.md documents — 0 done, 1 a problem with the data or the sheet, 2 a wrong option,
 * argument or setting — through the real `credit-desk` command, for every command. Typos must not pass for an
 * empty result: a workbook path that does not exist, a period or status in the wrong form.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli';
import { useTempDirs } from '../../helpers/fixtures-io';

/** Every command, with arguments that would be accepted. */
const COMMANDS: string[][] = [
  ['sync'],
  ['apply-rules'],
  ['assign', 'AWSC-202610-0000-0000', 'customer 100%'],
  ['unassign', 'AWSC-202610-0000-0000'],
  ['export'],
  ['usage', 'collect'],
  ['usage', 'close', 'UF-2026-11-0000-0000'],
  ['usage', 'list'],
  ['rules', 'validate'],
  ['demo-data'],
  ['iam-policy'],
  ['start'],
];

/** The commands that read an existing workbook. */
const READERS = COMMANDS.filter(([c]) => !['sync', 'start', 'demo-data', 'iam-policy'].includes(c)).filter(
  (c) => c.join(' ') !== 'usage list',
);

describe('credit-desk exit codes', () => {
  const tempDir = useTempDirs('credit-desk-exit-');
  let dir: string;
  let workbook: string;
  let creditId: string;

  beforeAll(() => {
    dir = tempDir();
    workbook = join(dir, 'credits.xlsx');
    expect(
      runCli(['demo-data', '--out', 'demo', '--months', '2', '--lines', '1500', '--seed', '3'], dir).code,
    ).toBe(0);
    const sync = runCli(
      [
        'sync',
        '--cur',
        'demo/cur',
        '--accounts',
        'demo/accounts.csv',
        '--workbook',
        workbook,
        '--apply-rules',
      ],
      dir,
    );
    expect(sync.err).toMatch(/credits\.xlsx does not exist yet; starting a new workbook/);
    expect(sync.code).toBe(0);
    const exported = runCli(
      ['export', '--format', 'json', '--status', 'ASSIGNED', '--workbook', workbook],
      dir,
    );
    expect(exported.code).toBe(0);
    creditId = (JSON.parse(exported.out) as { creditId: string }[])[0].creditId;
  });

  it('0 for help', () => {
    expect(runCli(['--help'], dir).code).toBe(0);
    expect(runCli(['usage', 'collect', '--help'], dir).code).toBe(0);
  });

  it.each(COMMANDS.map((c) => [c.join(' '), c]))('2 for an unknown option: %s', (_name, args) => {
    const r = runCli([...args, '--no-such-option'], dir);
    expect(r.err).toMatch(/unknown option '--no-such-option'/);
    expect(r.code).toBe(2);
  });

  it('2 for an unknown command, a missing argument or a bad number', () => {
    expect(runCli(['frobnicate'], dir).code).toBe(2);
    const missing = runCli(['assign', creditId], dir);
    expect(missing.err).toMatch(/missing required argument 'allocation'/);
    expect(missing.code).toBe(2);
    const months = runCli(['demo-data', '--months', 'three'], dir);
    expect(months.err).toMatch(/"three" is not a whole number/);
    expect(months.code).toBe(2);
  });

  it.each(READERS.map((c) => [c.join(' '), c]))(
    '2 for a workbook that does not exist, which is not created: %s',
    (_name, args) => {
      const r = runCli([...args, '--workbook', 'typo.xlsx'], dir);
      expect(r.err).toMatch(
        /Workbook typo\.xlsx does not exist \(looked for .*typo\.xlsx\)\. Check --workbook/,
      );
      expect(r.code).toBe(2);
      expect(existsSync(join(dir, 'typo.xlsx'))).toBe(false);
    },
  );

  it('sync --dry-run into a missing workbook previews and creates nothing', () => {
    const r = runCli(['sync', '--cur', 'demo/cur', '--workbook', 'new.xlsx', '--dry-run'], dir);
    expect(r.err).toMatch(/new\.xlsx does not exist yet: showing what a sync would put in a new one/);
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, 'new.xlsx'))).toBe(false);
  });

  it.each([
    [['export', '--period', '202610'], /"202610" is not a billing period: write it as YYYY-MM/],
    [['export', '--status', 'DONE'], /"DONE" is not a status/],
    [['apply-rules', '--period', '2026-13'], /not a billing period/],
    [['usage', 'collect', '--period', '2026/10'], /not a billing period/],
    [['sync', '--cur', 'demo/cur', '--period', '202610'], /not a billing period/],
    [['export', '--config', 'missing.json'], /Config file missing\.json does not exist/],
  ])('2 for a value in the wrong form: %s', (args, message) => {
    const r = runCli([...args, '--workbook', workbook], dir);
    expect(r.err).toMatch(message);
    expect(r.code).toBe(2);
  });

  it('1 for a problem with the data: an unknown credit, an allocation with no unit', () => {
    const unknown = runCli(['assign', 'AWSC-190001-0000-0000', 'customer 100%', '--workbook', workbook], dir);
    expect(unknown.err).toMatch(/No credit AWSC-190001-0000-0000/);
    expect(unknown.code).toBe(1);
    const noUnit = runCli(['assign', creditId, 'customer 60', '--workbook', workbook], dir);
    expect(noUnit.err).toMatch(/write 60% or 60\.00 USD/);
    expect(noUnit.code).toBe(1);
    const ok = runCli(['assign', creditId, 'customer 60%', '--workbook', workbook], dir);
    expect(ok.code).toBe(0);
  });

  it('2 for usage submit and usage status without Connect configured, naming what to set', () => {
    for (const command of ['submit', 'status']) {
      const r = runCli(['usage', command, '--workbook', workbook], dir);
      expect({ command, code: r.code }).toEqual({ command, code: 2 });
      expect(r.err).toContain('CONNECT_API_KEY is not set');
    }
  });
});
