/** Per-file test fixtures with I/O: temporary folders and a DuckDB connection, each cleaned up after the file. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

const tempDir = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

/** Returns a maker of temporary folders (named with `prefix`) that are all removed after the test file. */
export function useTempDirs(prefix: string): () => string {
  const made: string[] = [];
  afterAll(() => {
    for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = tempDir(prefix);
    made.push(dir);
    return dir;
  };
}

/** Runs `work` in a fresh temporary folder, removed afterwards whatever happens. */
export async function withTempDir<T>(
  work: (dir: string) => Promise<T>,
  prefix = 'credit-desk-test-',
): Promise<T> {
  const dir = tempDir(prefix);
  try {
    return await work(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** An in-memory DuckDB connection for the test file: `db()` gives the connection once beforeAll has run. */
export function useDuckDb(): () => DuckDBConnection {
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;
  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
    conn = await instance.connect();
  });
  afterAll(() => {
    conn.closeSync();
    instance.closeSync();
  });
  return () => conn;
}
