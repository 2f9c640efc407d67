/**
 * The Node flags the CLI runs with, read from bin/credit-desk.cjs's first line (`#!/usr/bin/env -S node …`), the
 * one place they are set (docs/decisions/0023): the benchmarks start their job processes with the same flags, so
 * their figures are the CLI's.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The flags of the checkout at `root` (this one by default; a baseline checkout of older code has none: its first
 * line is `#!/usr/bin/env node`).
 */
export function launcherNodeFlags(root = join(__dirname, '..')): string[] {
  const launcher = join(root, 'bin/credit-desk.cjs');
  const first = readFileSync(launcher, 'utf8').split('\n', 1)[0];
  const m = /^#!\/usr\/bin\/env(?: -S)? node((?: --[\w-]+(?:=\S+)?)*)$/.exec(first);
  if (!m) throw new Error(`${launcher}'s first line is not "#!/usr/bin/env -S node [--flag …]": ${first}`);
  return m[1].split(' ').filter(Boolean);
}
