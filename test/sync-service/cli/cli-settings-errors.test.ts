/**
 * Settings checked as a whole at start, and file-system mistakes named with their path and fix (issue 24),
 * through the real command: a misspelt config key is refused with the nearest real one (it was silently
 * ignored), a workbook in a missing folder or a folder given as the workbook exit 2 before any query (they
 * were a raw ENOENT on a lock temp file, or exit 1), a missing workbook names the full path looked for, and a
 * non-https webhook is a wrong setting (exit 2, was 1). The sink (decision 0016): `--sink google` with no
 * spreadsheet, and a workbook and a spreadsheet both given with no sink, exit 2; `--sink` settles the second.
 * A read-only folder is refused by name before anything is changed (checked in-process: the tests may run as
 * root, whom no folder refuses).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkWorkbookFolderWritable } from '../../../sync-service/workbook-path';
import { runCli } from '../../helpers/cli';
import { useTempDirs } from '../../helpers/fixtures-io';

describe('settings and paths refused at start', () => {
  const tempDir = useTempDirs('credit-desk-settings-');
  let dir: string;

  beforeAll(() => {
    dir = tempDir();
    expect(
      runCli(['demo-data', '--out', 'demo', '--months', '2', '--lines', '500', '--seed', '5'], dir).code,
    ).toBe(0);
    expect(runCli(['sync', '--cur', 'demo/cur'], dir).code).toBe(0);
  });

  it('2 for a misspelt key in credit-desk.config.json, named with the nearest setting', () => {
    const sub = join(dir, 'config-typo');
    mkdirSync(sub);
    writeFileSync(
      join(sub, 'credit-desk.config.json'),
      JSON.stringify({ wrokbook: '../credits.xlsx', athena: { regoin: 'us-east-1' }, $schema: 'x' }),
    );
    const r = runCli(['export'], sub);
    expect(r.err).toMatch(/Config file credit-desk\.config\.json has unknown settings/);
    expect(r.err).toMatch(/"wrokbook" \(did you mean "workbook"\?\)/);
    expect(r.err).toMatch(/"athena\.regoin" \(did you mean "athena\.region"\?\)/);
    expect(r.code).toBe(2);
    // Spelt right, the same file works.
    writeFileSync(join(sub, 'credit-desk.config.json'), JSON.stringify({ workbook: '../credits.xlsx' }));
    expect(runCli(['export'], sub).code).toBe(0);
  });

  it('2 for a workbook in a folder that does not exist, named in full, before the CUR is read', () => {
    const r = runCli(['sync', '--cur', 'demo/cur', '--workbook', 'nodir/credits.xlsx'], dir);
    expect(r.err).toContain(`folder that does not exist: ${join(dir, 'nodir')}`);
    expect(r.err).toContain(`mkdir -p ${join(dir, 'nodir')}`);
    expect(r.err).not.toMatch(/ENOENT|reading the CUR/);
    expect(r.code).toBe(2);
  });

  it.each([['sync', '--cur', 'demo/cur'], ['export'], ['usage', 'collect']])(
    '2 for a folder given as the workbook: %s',
    (...args) => {
      const r = runCli([...args, '--workbook', 'demo'], dir);
      expect(r.err).toContain(`The workbook demo is a folder (${join(dir, 'demo')})`);
      expect(r.code).toBe(2);
    },
  );

  it('2 for a missing workbook, with the full path it looked for (run from a subfolder)', () => {
    const r = runCli(['export'], join(dir, 'demo'));
    expect(r.err).toContain(`does not exist (looked for ${join(dir, 'demo', 'credits.xlsx')})`);
    expect(r.code).toBe(2);
  });

  it('2 for --sink google without a spreadsheet, and for a workbook and a spreadsheet both given', () => {
    const google = runCli(['export', '--sink', 'google'], dir);
    expect(google.err).toContain('Setting sink (from --sink) is "google" but no spreadsheet is set.');
    expect(google.code).toBe(2);
    const sub = join(dir, 'config-sheet');
    mkdirSync(sub);
    writeFileSync(
      join(sub, 'credit-desk.config.json'),
      JSON.stringify({ spreadsheet: '1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789' }),
    );
    const both = runCli(['export', '--workbook', '../credits.xlsx'], sub);
    expect(both.err).toContain(
      'both workbook (from --workbook) and spreadsheet (from config file "spreadsheet") name a sheet',
    );
    expect(both.code).toBe(2);
    // --sink settles it: the local workbook, though the config file names a Google Sheet.
    const chosen = runCli(['export', '--sink', 'workbook', '--workbook', '../credits.xlsx'], sub);
    expect(chosen.err).toBe('');
    expect(chosen.out.split('\n')[0]).toMatch(/^\uFEFF?Credit ID,/);
    expect(chosen.code).toBe(0);
    const typo = runCli(['export', '--sink', 'sheets'], dir);
    expect(typo.err).toMatch(/--sink.*'sheets' is invalid.*workbook, google/);
    expect(typo.code).toBe(2);
  });

  it('2 for a chat webhook that is not https', () => {
    const r = runCli(['run-month', '--webhook-url', 'http://chat.example.com/hook'], dir);
    expect(r.err).toMatch(/must use https/);
    expect(r.code).toBe(2);
  });

  it('a folder the command may not write in is named with the fix before anything is changed', () => {
    const denied = (): void => {
      throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    };
    expect(() => checkWorkbookFolderWritable(join(dir, 'credits.xlsx'), denied)).toThrow(
      new RegExp(`its folder ${dir} is not writable \\(EACCES\\)[\\s\\S]*chmod u\\+w ${dir}`),
    );
    expect(() => checkWorkbookFolderWritable(join(dir, 'credits.xlsx'))).not.toThrow();
  });
});
