/**
 * Picks the one current version of a month from a partition folder. AWS rewrites a month's report many times
 * and, when the report keeps versions, leaves the old ones beside the new one: one assembly folder per
 * delivery for legacy CUR (https://docs.aws.amazon.com/cur/latest/userguide/understanding-report-versions.html),
 * one execution folder per refresh for a CUR 2.0 export in "create new" mode
 * (https://docs.aws.amazon.com/cur/latest/userguide/dataexports-export-delivery.html). Reading every file
 * under the month would count the month once per version, so:
 *
 * - with a manifest, exactly the files it lists (the newest manifest when a copy holds several), and every one
 *   of them must be there;
 * - without one, the newest version folder (by the files' modification times, which `aws s3 sync` sets to the
 *   objects' upload times), and the choice is said;
 * - files directly in the partition folder, with no version folders (a hand-made or overwritten export), are
 *   one version and are read as they are.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CreditDeskError } from '../../core/errors';
import { readManifest } from './cur-manifest';
import { maxOf, pushAll } from '../../core/arrays';

export type CurFormat = 'parquet' | 'csv';

export interface ChosenVersion {
  files: string[];
  /** What was chosen and why, when there was a choice to make; null when the folder holds one version. */
  note: string | null;
}

const DATA_FILE = /\.(parquet|csv|csv\.gz)$/i;

export function isDataFile(name: string): boolean {
  return DATA_FILE.test(name) && !name.startsWith('.');
}

export function formatOf(file: string): CurFormat {
  return /\.parquet$/i.test(file) ? 'parquet' : 'csv';
}

/** Every data file under `dir`, recursively, sorted. */
export function dataFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) pushAll(out, dataFilesUnder(p));
    else if (isDataFile(e.name)) out.push(p);
  }
  return out.sort();
}

/** The data files grouped by the version folder they sit in ('' for files directly in the partition). */
function versions(partitionDir: string): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const file of dataFilesUnder(partitionDir)) {
    const rel = path.relative(partitionDir, file).split(path.sep);
    const key = rel.length > 1 ? rel[0] : '';
    groups.set(key, [...(groups.get(key) ?? []), file]);
  }
  return groups;
}

function newestMtime(files: string[]): number {
  return maxOf(files.map((f) => fs.statSync(f).mtimeMs));
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function chooseVersion(partitionDir: string, manifests: string[], shownRoot: string): ChosenVersion {
  const shown = (p: string): string => path.relative(shownRoot, p) || '.';
  const groups = versions(partitionDir);
  if (manifests.length) {
    const newest = [...manifests].sort(
      (a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs || b.localeCompare(a),
    )[0];
    const manifest = readManifest(newest, partitionDir);
    const missing = manifest.files.filter((f) => !fs.existsSync(f));
    if (missing.length) {
      throw new CreditDeskError(
        'NO_DATA',
        `The CUR manifest ${newest} lists ${plural(manifest.files.length, 'file')}, but ${missing.length} of them ${missing.length === 1 ? 'is' : 'are'} missing (${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', …' : ''}).`,
        'Copy the whole delivery again (the manifest with the folder of files it lists): reading only part of a month would under-count its credits.',
      );
    }
    const used = new Set(manifest.files.map((f) => path.relative(partitionDir, f).split(path.sep)[0]));
    const others = [...groups.keys()].filter((k) => k !== '' && !used.has(k));
    const extra = manifests.length > 1 ? `, the newest of ${plural(manifests.length, 'manifest')}` : '';
    return {
      files: manifest.files,
      note: `manifest ${shown(newest)}${extra}${manifest.version ? ` (version ${manifest.version})` : ''}: ${plural(manifest.files.length, 'file')}${others.length ? `; ${plural(others.length, 'older version folder')} beside it not read` : ''}`,
    };
  }
  if (groups.size <= 1) return { files: [...groups.values()].flat(), note: null };
  const ranked = [...groups.entries()]
    .map(([name, files]) => ({ name, files, mtime: newestMtime(files) }))
    .sort((a, b) => b.mtime - a.mtime || b.name.localeCompare(a.name));
  const chosen = ranked[0];
  return {
    files: chosen.files,
    note: `no manifest: read the newest of ${ranked.length} versions, ${chosen.name ? shown(path.join(partitionDir, chosen.name)) : `the files directly in ${shown(partitionDir)}`} (files modified up to ${new Date(chosen.mtime).toISOString()}); the others are older deliveries of the same month and are not read`,
  };
}
