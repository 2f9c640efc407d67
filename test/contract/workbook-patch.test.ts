/** The patching writer (sync-service/sinks/workbook/workbook-patch.ts) keeps the write contract, never falling back. */
import { describeWriterContract } from './writer-contract';
import { workbookWriter } from './workbook-writer';

describeWriterContract('the workbook, patched', () => workbookWriter('patch'), { appends: true });
