/**
 * Progress and messages for people: progress goes to stderr (so stdout stays clean for --format json), and a
 * TTY gets a single updating line instead of a scroll of percentages.
 */
export interface Reporter {
  progress(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  done(): void;
}

export function createReporter(opts: { quiet?: boolean; stream?: NodeJS.WriteStream } = {}): Reporter {
  const stream = opts.stream ?? process.stderr;
  const tty = Boolean(stream.isTTY);
  let pending = false;
  const clear = () => {
    if (pending && tty) stream.write('\r\x1b[K');
    pending = false;
  };
  return {
    progress(msg) {
      if (opts.quiet) return;
      if (tty) {
        stream.write(`\r\x1b[K${msg}`);
        pending = true;
      } else stream.write(`${msg}\n`);
    },
    info(msg) {
      clear();
      if (!opts.quiet) stream.write(`${msg}\n`);
    },
    warn(msg) {
      clear();
      stream.write(`warning: ${msg}\n`);
    },
    done() {
      clear();
    },
  };
}

export const silentReporter: Reporter = { progress() {}, info() {}, warn() {}, done() {} };
