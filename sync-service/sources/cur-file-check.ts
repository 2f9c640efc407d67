/**
 * Checks a CSV data file before DuckDB reads it, for two faults DuckDB would pass over in silence:
 *
 * - a truncated .csv.gz (an interrupted download): DuckDB reads the lines before the cut and stops without an
 *   error, so the month would be under-counted. The whole stream is inflated here; zlib reports the cut.
 * - a byte-order mark: AWS writes CSV without one, so a BOM means the file was saved again by another program
 *   (a spreadsheet), which may have rounded costs or dropped the leading zeros of account IDs.
 */
import * as fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import * as zlib from 'node:zlib';
import { CreditDeskError } from '../../core/errors';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

function bomError(file: string): CreditDeskError {
  return new CreditDeskError(
    'BAD_CUR_ROW',
    `${file} starts with a byte-order mark, which AWS never writes: the file was saved again by another program, which may have rounded its costs or dropped the leading zeros of account IDs.`,
    'Download the original file from the S3 bucket again and put it in place of this one.',
  );
}

export async function checkCsvFile(file: string): Promise<void> {
  let head = Buffer.alloc(0);
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      if (head.length < BOM.length) head = Buffer.concat([head, chunk]).subarray(0, BOM.length);
      done();
    },
  });
  try {
    if (/\.gz$/i.test(file)) await pipeline(fs.createReadStream(file), zlib.createGunzip(), sink);
    else await pipeline(fs.createReadStream(file, { start: 0, end: BOM.length - 1 }), sink);
  } catch (err) {
    const detail = (err as Error).message;
    throw new CreditDeskError(
      'BAD_CUR_ROW',
      `${file} is not a complete gzip file (${detail}): it was cut short or damaged, and reading it would miss lines.`,
      'Download it again from the S3 bucket (aws s3 cp or sync), then run again.',
    );
  }
  if (head.equals(BOM)) throw bomError(file);
}
