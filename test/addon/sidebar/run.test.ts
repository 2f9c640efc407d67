/** google.script.run's failures as the sidebar shows them (addon/sidebar/run.ts). */
import { callServer, explainFailure } from '../../../addon/sidebar/run';

/** A google.script.run whose every call fails with `error`, as Google's client does. */
function failingRunner(error: unknown) {
  let fail: (e: unknown) => void = () => undefined;
  const runner: Record<string, unknown> = {
    withSuccessHandler: () => runner,
    withFailureHandler: (h: (e: unknown) => void) => ((fail = h), runner),
    getSelectionKey: () => fail(error),
  };
  (globalThis as { window?: unknown }).window = { google: { script: { run: runner } } };
}

afterEach(() => delete (globalThis as { window?: unknown }).window);

describe('a person signed in to several Google accounts', () => {
  it.each([
    'ScriptError: PERMISSION_DENIED',
    'We\u2019re sorry, a server error occurred. Authorization is required to perform that action.',
  ])('"%s" is explained with what to do', async (text) => {
    failingRunner(new Error(text));
    await expect(callServer('getSelectionKey')).rejects.toThrow(
      /more than one Google account.*private or incognito/s,
    );
  });

  it('other failures pass through as they are', async () => {
    failingRunner(new Error('Credits tab not found'));
    await expect(callServer('getSelectionKey')).rejects.toThrow('Credits tab not found');
    expect(explainFailure('plain text').message).toBe('plain text');
  });
});
