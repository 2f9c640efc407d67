/** The whole-file workbook writer (sync-service/sinks/workbook/workbook.ts over ExcelJS) keeps the write contract. */
import { describeWriterContract } from './writer-contract';
import { workbookWriter } from './workbook-writer';

describeWriterContract('the workbook, written whole', () => workbookWriter('whole'), { appends: true });
