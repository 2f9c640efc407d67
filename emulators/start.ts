/**
 * `npm run servers`: the local Athena, Sheets v4 and Connect Usage API servers, for trying the real clients by
 * hand. Athena serves the demo CUR (demo-data/cur, generated if missing) as table cur.cur2, or with `--cur DIR`
 * that CUR folder, its tables created and named as AWS's Athena set-up does for its layout (athena-cur-table.ts);
 * a folder it cannot serve is one message and exit code 1, a wrong argument exit code 2. The Sheets server holds
 * one empty spreadsheet. Its primary workgroup has a result location, so a big result is read from its result
 * file over the same port's S3 GetObject, as against AWS. The Connect server (connect-server.ts) takes the usage
 * files `usage collect` writes; it knows the demo's assets (the Asset ID column of demo-data/accounts.csv), or
 * with `--cur` those listed in CONNECT_ASSETS (comma-separated). Prints the command that syncs through them.
 * Its ports are the system's choice (two checkouts never collide), so it also writes them to local-servers.env in
 * the folder it runs in: the README's Connect walk sources that file in another shell, pasted as it stands,
 * instead of copying ports by hand. Ctrl-C stops them and removes the file, so it never names dead ports.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { isCreditDeskError } from '../core/errors';
import { EXIT, reportError } from '../sync-service/cli/exit-codes';
import { generateDemoData } from '../sync-service/demo/generate';
import { startAthenaServer } from './athena-server';
import { CONNECT_BASE_PATH, startConnectServer } from './connect-server';
import { parseServersArgs } from './servers-args';
import { startSheetsServer } from './sheets-server';

const SPREADSHEET_ID = 'local-credit-desk-sheet-0001';
const RESULTS = 's3://local-athena-results/credit-desk/';
// The local Sheets server takes no credentials, so the sync cannot read its identity (the service account email
// it protects locked rows for) from them: the printed command names one.
const SYNC_IDENTITY = 'credit-desk-sync@local.iam.gserviceaccount.com';
const ENV_FILE = 'local-servers.env';

/** The assets the local Connect knows: the demo's accounts' (with the demo CUR), or CONNECT_ASSETS. */
function knownAssets(ownCur: boolean): string[] {
  if (ownCur)
    return (process.env.CONNECT_ASSETS ?? '')
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean);
  const rows = parse(readFileSync(resolve('demo-data/accounts.csv')), { columns: true }) as Record<
    string,
    string
  >[];
  return [...new Set(rows.map((r) => r['Asset ID']).filter(Boolean))];
}

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
  const connect = await startConnectServer({
    assets: knownAssets(Boolean(args.cur)),
    port: Number(process.env.CONNECT_PORT ?? 0),
  });
  console.log(
    `Athena (JSON 1.1) server:  ${athena.endpoint}   table ${cur.database}.${cur.table} → ${cur.location}` +
      ` (${cur.delivery}; ${cur.periods.join(', ')})`,
  );
  console.log(`  and S3 GetObject (path-style) on the same port for result files under ${RESULTS}`);
  console.log(`Sheets v4 server:          ${sheets.rootUrl}   spreadsheet ${SPREADSHEET_ID}`);
  console.log(`Connect Usage API server:  ${connect.endpoint}   API key ${connect.apiKey}`);
  if (args.cur && !process.env.CONNECT_ASSETS)
    console.log('  it knows no asset: name them in CONNECT_ASSETS=AS-…,AS-… before npm run servers');
  console.log(
    '  the provider accepts, rejects and closes files with POST /__admin/files/<id>/accept|reject|close-all\n' +
      '  (emulators/connect-server.ts); list the files with:\n' +
      `  curl -s -H 'Authorization: ${connect.apiKey}' ${connect.endpoint}/usage/files`,
  );
  // The local key is made up and already printed above; a real key never goes near this file.
  writeFileSync(
    resolve(ENV_FILE),
    '# Written by `npm run servers` (emulators/start.ts) for another shell: . ./local-servers.env\n' +
      '# Removed when the servers stop.\n' +
      `export CREDIT_DESK_ATHENA_ENDPOINT=${athena.endpoint}\n` +
      `export CREDIT_DESK_SHEETS_ROOT_URL=${sheets.rootUrl}\n` +
      `export CREDIT_DESK_CONNECT_ENDPOINT=${connect.endpoint}\n` +
      `export CONNECT_API_KEY='${connect.apiKey}'\n` +
      `# The local Connect's provider side (no auth, loopback only): POST $LOCAL_CONNECT_ADMIN/files/<id>/accept\n` +
      `export LOCAL_CONNECT_ADMIN=${connect.endpoint.slice(0, -CONNECT_BASE_PATH.length)}/__admin\n`,
  );
  console.log(
    `These endpoints and the key are in ${ENV_FILE} too: \`. ./${ENV_FILE}\` exports them in another shell` +
      ' (the README\'s "Through Connect (local)").',
  );
  console.log('\nIn another shell:\n');
  console.log(
    `  CREDIT_DESK_ATHENA_ENDPOINT=${athena.endpoint} CREDIT_DESK_SHEETS_ROOT_URL=${sheets.rootUrl} \\\n` +
      `  CREDIT_DESK_CONNECT_ENDPOINT=${connect.endpoint} CONNECT_API_KEY='${connect.apiKey}' \\\n` +
      `  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local \\\n` +
      `  ./credit-desk sync --source athena --database ${cur.database} --table ${cur.table} --region us-east-1 \\\n` +
      `    --spreadsheet ${SPREADSHEET_ID} --sync-identity ${SYNC_IDENTITY}` +
      // The demo's accounts and rules fit the demo CUR only.
      (args.cur
        ? '\n'
        : ` \\\n    --accounts demo-data/accounts.csv --rules demo-data/rules.csv --apply-rules\n`),
  );
  const stop = async () => {
    rmSync(resolve(ENV_FILE), { force: true });
    await Promise.all([athena.close(), sheets.close(), connect.close()]);
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
