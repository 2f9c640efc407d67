/**
 * The arguments of `npm run servers`: `--cur DIR` serves that CUR folder (as AWS delivers it) instead of the demo
 * data. Kept out of start.ts so the servers it starts can change without touching the parsing. A wrong argument
 * is a usage error that says what the command takes, never a stack trace.
 */
import { CreditDeskError } from '../core/errors';

export interface ServersArgs {
  /** The CUR folder to serve; undefined serves demo-data/cur. */
  cur?: string;
}

const USAGE =
  'Run `npm run servers` for the demo data; for a CUR folder as AWS delivers it (a CUR 2.0 export in Parquet, or a legacy CUR with the Athena integration), add `-- --cur` and the folder.';

export function parseServersArgs(argv: readonly string[]): ServersArgs {
  const out: ServersArgs = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const inline = /^--cur=(.*)$/.exec(arg);
    if (arg !== '--cur' && !inline)
      throw new CreditDeskError('USAGE', `npm run servers: unknown argument "${arg}".`, USAGE);
    const value = inline ? inline[1] : argv[++i];
    if (!value || value.startsWith('--'))
      throw new CreditDeskError('USAGE', 'npm run servers: --cur needs a folder.', USAGE);
    if (out.cur !== undefined)
      throw new CreditDeskError('USAGE', 'npm run servers: --cur is given twice.', USAGE);
    out.cur = value;
  }
  return out;
}
