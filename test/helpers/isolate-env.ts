/**
 * Jest setup: the archive folder defaults to `archive/` in the working directory, which is the repository
 * when tests run. A developer who tried `credit-desk archive` there must not change what the tests see, so
 * every test process gets an empty archive folder of its own (a test that needs one passes its own path).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ARCHIVE_DIR_ENV } from '../../sync-service/archive/archive-files';

process.env[ARCHIVE_DIR_ENV] = mkdtempSync(join(tmpdir(), 'credit-desk-archive-'));
