/** `credit-desk usage status [UF-ID]`: what Connect says of the usage files, written into the sheet and Ledger. */
import { Command } from 'commander';
import { withSink, type CliContext } from '../context';
import { EXIT } from '../exit-codes';
import { settingsOf, sheetOptions } from '../options';
import type { ConnectTripResult } from '../../jobs/usage-connect';

export function usageStatusCommand(ctx: CliContext): Command {
  return sheetOptions(new Command('status'))
    .description(
      "read the usage files' status and records back from Connect: PROCESSED when Connect closed them, ASSIGNED again when rejected",
    )
    .argument('[usage-file-id]', 'only this usage file (`credit-desk usage list` shows them)')
    .action((fileId: string | undefined, opts) =>
      followInConnect(ctx, opts, { only: fileId, submit: false }),
    );
}

/**
 * `usage status` and `usage submit`: one run of the Connect round trip (commands/usage-connect.ts) on the sheet
 * the options name, printed; exit 3 when a person should look.
 */
export async function followInConnect(
  ctx: CliContext,
  opts: Record<string, unknown>,
  trip: { only?: string; submit: boolean; reupload?: boolean },
): Promise<void> {
  const { runConnectTrip }: typeof import('../../jobs/usage-connect') = require('../../jobs/usage-connect');
  const {
    requireConnectApi,
  }: typeof import('../../usage/connect-open') = require('../../usage/connect-open');
  const settings = settingsOf(opts);
  const api = requireConnectApi(settings);
  const r = await withSink(settings, ctx, (sink) =>
    runConnectTrip(trip, { sink, usageDir: settings.usageDir, reporter: ctx.reporter, now: new Date(), api }),
  );
  if (printConnectTrip(r)) ctx.setExitCode(EXIT.attention);
}

/** One line per file, then what a person must look at; true when there is something. */
export function printConnectTrip(r: ConnectTripResult): boolean {
  if (!r.files.length) console.log('No collected usage file to follow in Connect.');
  for (const f of r.files) {
    const where = f.connectId ? `Connect ${f.connectId}, ${f.status}` : 'not in Connect yet';
    const what = [
      f.processed ? `${f.processed} credit(s) PROCESSED` : '',
      f.reopened ? `${f.reopened} credit(s) ASSIGNED again (rejected)` : '',
      f.open ? `${f.open} credit(s) still open in Connect` : '',
      f.step === 'closed' ? 'closed' : '',
    ].filter(Boolean);
    console.log(`${f.usageFileId}: ${where}${what.length ? ` — ${what.join(', ')}` : ''}`);
    if (f.status === 'ready' && f.step === 'wait')
      console.log(`  Ready in Connect; submit it: ./credit-desk usage submit ${f.usageFileId}`);
    if (f.connectId === null)
      console.log(`  Send it to Connect: ./credit-desk usage submit ${f.usageFileId}`);
    if (f.billed)
      console.log(`  e.g. ${f.billed} (each credit's is in the Ledger's Connect Note and the Audit)`);
    for (const p of f.problems) console.log(`  ${p}`);
  }
  return r.files.some((f) => f.problems.length > 0 || f.reopened > 0);
}
