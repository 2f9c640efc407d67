/**
 * `npm run servers`: the local Athena and Sheets v4 servers, for trying the real clients by hand. Athena serves
 * the demo CUR (demo-data/cur, generated if missing) as table cur.cur2, or with `--cur DIR` that CUR folder, its
 * tables created and named as AWS's Athena set-up does for its layout (athena-cur-table.ts); a folder it cannot
 * serve is one message and exit code 1, a wrong argument exit code 2. The Sheets server holds one empty
 * spreadsheet. Its primary workgroup has a result location, so a big result is read from its result file
 * over the same port's S3 GetObject, as against AWS. Prints the command that syncs through both. Ctrl-C stops
 * them.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { isCreditDeskError } from '../core/errors';
import { EXIT, reportError } from '../sync-service/cli/exit-codes';
import { generateDemoData } from '../sync-service/demo/generate';
import { startAthenaServer } from './athena-server';
import { parseServersArgs } from './servers-args';
import { startSheetsServer } from './sheets-server';

const SPREADSHEET_ID = 'local-credit-desk-sheet-0001';
const RESULTS = 's3://local-athena-results/credit-desk/';
// The local Sheets server takes no credentials, so the sync cannot read its identity (the service account email
// it protects locked rows for) from them: the printed command names one.
const SYNC_IDENTITY = 'credit-desk-sync@local.iam.gserviceaccount.com';

async function main(): Promise<void> {
  const args = parseServersArgs(process.argv.slice(2));
  // npm runs the script in the package's folder; a relative --cur is the user's, from where npm was run.
  const curDir = args.cur ? resolve(process.env.INIT_CWD ?? '.', args.cur) : resolve('demo-data/cur');
  if (!args.cur && !existsSync(curDir)) {
    console.log('No demo-data/cur yet: generating demo data…');
    await generateDemoData({ outDir: resolve('demo-data') });
  }
  const athena = await startAthenaServer({
    cur: curDir,
    port: Number(process.env.ATHENA_PORT ?? 0),
    workgroups: { primary: { outputLocation: RESULTS } },
  });
  const cur = athena.cur!;
  const sheets = await startSheetsServer({ spreadsheetId: SPREADSHEET_ID });
  console.log(
    `Athena (JSON 1.1) server:  ${athena.endpoint}   table ${cur.database}.${cur.table} → ${cur.location}` +
      ` (${cur.delivery}; ${cur.periods.join(', ')})`,
  );
  console.log(`  and S3 GetObject (path-style) on the same port for result files under ${RESULTS}`);
  console.log(`Sheets v4 server:          ${sheets.rootUrl}   spreadsheet ${SPREADSHEET_ID}`);
  console.log('\nIn another shell:\n');
  console.log(
    `  CREDIT_DESK_ATHENA_ENDPOINT=${athena.endpoint} CREDIT_DESK_SHEETS_ROOT_URL=${sheets.rootUrl} \\\n` +
      `  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local \\\n` +
      `  ./credit-desk sync --source athena --database ${cur.database} --table ${cur.table} --region us-east-1 \\\n` +
      `    --spreadsheet ${SPREADSHEET_ID} --sync-identity ${SYNC_IDENTITY}` +
      // The demo's accounts and rules fit the demo CUR only.
      (args.cur
        ? '\n'
        : ` \\\n    --accounts demo-data/accounts.csv --rules demo-data/rules.csv --apply-rules\n`),
  );
  const stop = async () => {
    await Promise.all([athena.close(), sheets.close()]);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  // A bad folder (missing, unreadable, not a CUR) or argument: its message, never a stack trace.
  const usage = isCreditDeskError(err) && err.code === 'USAGE';
  if (usage) console.error(`error: ${err.message}`);
  process.exit(usage ? EXIT.usage : reportError(err, Boolean(process.env.CREDIT_DESK_DEBUG)));
});
