/** The sidebar's selection poll (addon/sidebar/follow-selection.ts), with a hand-driven timer. */
import { followSelection, type FollowOptions } from '../../../addon/sidebar/follow-selection';

function harness(over: Partial<FollowOptions> = {}) {
  const timers: (() => void)[] = [];
  const state = { key: 'Credits!2', shown: 'Credits!2', visible: true, busy: false, polls: 0, inFlight: 0 };
  const changed: string[] = [];
  const errors: unknown[] = [];
  let answer: ((k: string) => void) | null = null;
  const stop = followSelection({
    poll: () => {
      state.polls++;
      state.inFlight++;
      return new Promise<string>((resolve) => {
        answer = (k) => {
          state.inFlight--;
          resolve(k);
        };
      });
    },
    changed: async (key) => {
      changed.push(key);
      state.shown = key;
    },
    current: () => state.shown,
    stopped: (e) => errors.push(e),
    visible: () => state.visible,
    busy: () => state.busy,
    schedule: (fn) => timers.push(fn),
    ...over,
  });
  const flush = () => new Promise((r) => setImmediate(r));
  /** Fires the pending timer, answers the poll with the current key, lets the promises settle. */
  async function tick(): Promise<void> {
    const fn = timers.shift();
    if (!fn) throw new Error('no timer pending: the poll stopped');
    fn();
    await flush();
    if (answer) {
      const a = answer;
      answer = null;
      a(state.key);
      await flush();
    }
  }
  return { state, changed, errors, timers, tick, stop };
}

test('reloads only when the selection moved', async () => {
  const h = harness();
  await h.tick();
  expect(h.changed).toEqual([]);
  h.state.key = 'Credits!7';
  await h.tick();
  expect(h.changed).toEqual(['Credits!7']);
  await h.tick();
  expect(h.changed).toEqual(['Credits!7']);
  expect(h.state.polls).toBe(3);
});

test('asks nothing while the page is hidden or another call runs, and never has two polls out', async () => {
  const h = harness();
  h.state.visible = false;
  await h.tick();
  h.state.visible = true;
  h.state.busy = true;
  await h.tick();
  expect(h.state.polls).toBe(0);
  h.state.busy = false;
  // One timer pending at a time: the next is scheduled only after the answer.
  h.timers.shift()!();
  expect(h.timers).toHaveLength(0);
  expect(h.state.inFlight).toBe(1);
});

test('stops for good on an error, and says so', async () => {
  const h = harness({
    poll: () => Promise.reject(new Error('Authorization is required')),
  });
  await h.tick();
  expect(h.errors).toHaveLength(1);
  expect(h.timers).toHaveLength(0);
});

test('stop() ends it', async () => {
  const h = harness();
  h.stop();
  h.timers.shift()!();
  expect(h.state.polls).toBe(0);
  expect(h.timers).toHaveLength(0);
});
