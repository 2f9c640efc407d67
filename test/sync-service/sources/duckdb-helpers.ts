/** Shared by the DuckDB source tests: a source opened on a folder and closed after, and a refusal's code and text. */
import { isCreditDeskError } from '../../../core/errors';
import { createDuckDbSource, type DuckDbSource } from '../../../sync-service/sources/duckdb';

export async function withSource<T>(
  curDir: string,
  fn: (s: DuckDbSource) => Promise<T>,
  layout?: 'cur2' | 'legacy' | 'auto',
): Promise<T> {
  const source = await createDuckDbSource({ curDir, layout });
  try {
    return await fn(source);
  } finally {
    await source.close();
  }
}

export async function errorOf(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    if (!isCreditDeskError(err)) throw err;
    return { code: err.code, message: err.message };
  }
  throw new Error('expected an error');
}
