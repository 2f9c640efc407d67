/**
 * The add-on's deploy gate: `npm run push` and `npm run push:prod` run the tests that cover the add-on before
 * `clasp push`, chained with && so a failing test pushes nothing, and each pushes its own script.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');
const scripts = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts as Record<
  string,
  string
>;
const claspConfig = (file: string) => JSON.parse(readFileSync(join(ROOT, file), 'utf8'));

describe('deploy gate', () => {
  it.each([
    ['push', '.clasp.json'],
    ['push:prod', '.clasp.prod.json'],
  ])('npm run %s tests, builds, then pushes the script in %s', (name, config) => {
    const steps = scripts[name].split('&&').map((s) => s.trim());
    expect(steps).toEqual(['npm run test:addon', 'npm run build', expect.stringMatching(/^clasp push\b/)]);
    const project = /-P (\S+)/.exec(steps[2])?.[1] ?? '.clasp.json';
    expect(project).toBe(config);
    expect(claspConfig(config).rootDir).toBe('dist');
  });

  it('the add-on tests include the core, which is bundled into the add-on', () => {
    expect(scripts['test:addon']).toBe('jest test/addon test/core');
  });
});
