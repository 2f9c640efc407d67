/**
 * What the kill -9 scripts (kill-collect.ts, kill-connect.ts) share: their numeric arguments, and the usage
 * folder's journals read as they are. Not loadUsageFiles (sync-service/usage/usage-files.ts): that one removes
 * a killed run's temp files first, and what a kill left behind is what these scripts check.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { UsageFile } from '../core/usage';

/** `--name N` from the command line, else `fallback`. */
export function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}

/** Every journal (UF-….json) in the usage folder, touching nothing. */
export function journals(usageDir: string): UsageFile[] {
  if (!existsSync(usageDir)) return [];
  return readdirSync(usageDir)
    .filter((f) => /^UF-.*\.json$/.test(f))
    .map((f) => JSON.parse(readFileSync(join(usageDir, f), 'utf8')) as UsageFile);
}
