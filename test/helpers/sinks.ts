import type { Sink } from '../../sync-service/sinks/sink';

/**
 * One sink per command, as the CLI does it: the sink before is closed when the next one first reads. A sink
 * opened for writing holds the writer lock from its first read until close(), so a test that opens a sink per
 * step without closing it would otherwise lock itself out. Not for the race tests, which want two at once.
 */
export function oneAtATime(open: () => Sink): () => Sink {
  let previous: Sink | null = null;
  return () => {
    const done = previous;
    const next = open();
    previous = next;
    return {
      ...next,
      label: next.label,
      read: async (opts) => {
        if (done) await done.close();
        return next.read(opts);
      },
      write: async (changes) => {
        if (done) await done.close();
        return next.write(changes);
      },
    };
  };
}
