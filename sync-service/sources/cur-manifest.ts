/**
 * Reads the manifest AWS delivers with each version of a month's report, and maps the files it lists to the
 * local copy of the bucket.
 *
 * - CUR 2.0 Data Exports write `metadata/BILLING_PERIOD=YYYY-MM/<export>-Manifest.json`, rewritten on every
 *   refresh and delivered only after all the data files; its `dataFiles` lists the S3 URIs of the current
 *   version, and AWS recommends reading that list to know which files to ingest
 *   (https://docs.aws.amazon.com/cur/latest/userguide/dataexports-export-delivery.html).
 * - Legacy CUR writes `<report>/<yyyymmdd-yyyymmdd>/<report>-Manifest.json` on every update; `assemblyId` names
 *   the current assembly folder and `reportKeys` its files; earlier assemblies stay beside it when the report
 *   keeps versions (https://docs.aws.amazon.com/cur/latest/userguide/understanding-report-versions.html).
 *
 * The S3 bucket and prefix of a local copy are unknown, so a listed file is found by the part of its key after
 * the partition folder (`BILLING_PERIOD=…` or `yyyymmdd-yyyymmdd`), which is the same in S3 and on disk.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CreditDeskError } from '../../core/errors';

export interface CurManifest {
  file: string;
  /** The files the manifest lists, as local paths under the partition folder. */
  files: string[];
  /** assemblyId (legacy) or executionId (CUR 2.0), when the manifest has it. */
  version: string | null;
}

export function isManifestName(name: string): boolean {
  return /manifest\.json$/i.test(name);
}

function bad(file: string, what: string): CreditDeskError {
  return new CreditDeskError(
    'NO_DATA',
    `The CUR manifest ${file} ${what}.`,
    'Download the manifest again from the bucket, or remove it to read the newest version folder instead.',
  );
}

/** `partitionDir` is the local folder named like the partition (BILLING_PERIOD=2026-04, 20260401-20260501). */
export function readManifest(file: string, partitionDir: string): CurManifest {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
  } catch (err) {
    throw bad(file, `is not JSON (${(err as Error).message})`);
  }
  const m = json as {
    dataFiles?: unknown;
    reportKeys?: unknown;
    assemblyId?: unknown;
    executionId?: unknown;
  };
  const listed = m.dataFiles ?? m.reportKeys;
  if (!Array.isArray(listed) || listed.some((k) => typeof k !== 'string'))
    throw bad(file, 'lists no data files (neither "dataFiles" nor "reportKeys")');
  const anchor = path.basename(partitionDir).toLowerCase();
  const files = (listed as string[]).map((key) => {
    const parts = key.split('/');
    const at = parts.map((p) => p.toLowerCase()).lastIndexOf(anchor);
    if (at < 0 || at === parts.length - 1)
      throw bad(file, `lists ${key}, which is not under a ${path.basename(partitionDir)} folder`);
    return path.join(partitionDir, ...parts.slice(at + 1));
  });
  const version = m.assemblyId ?? m.executionId;
  return { file, files, version: typeof version === 'string' ? version : null };
}
