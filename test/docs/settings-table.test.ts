/**
 * The settings table of docs/operations.md ("3. Configuration") is the one sync-service/settings-table.ts makes
 * (issue #22 item 4): a setting added, renamed or given another default there fails here until the
 * documentation says so. On failure the expected table is printed whole, ready to paste.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { settingsDocTable } from '../../sync-service/settings-table';

const OPERATIONS = readFileSync(join(__dirname, '../../docs/operations.md'), 'utf8');

describe('the settings table in docs/operations.md', () => {
  it('is the table settingsDocTable() makes', () => {
    const lines = OPERATIONS.split('\n');
    const from = lines.findIndex((l) => l.startsWith('| Setting (config key)'));
    expect(from).toBeGreaterThan(0);
    const to = lines.findIndex((l, i) => i > from && !l.startsWith('|'));
    expect(lines.slice(from, to).join('\n')).toBe(settingsDocTable());
  });

  it('is the only settings table: the Connect section names its settings and points to it', () => {
    expect(OPERATIONS.match(/^\| Setting/gm)).toHaveLength(1);
    expect(OPERATIONS).toContain('[the settings table](#3-configuration)');
  });
});
