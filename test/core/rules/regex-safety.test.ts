import { checkRegex, MAX_REGEX_LENGTH } from '../../../core/rules';

describe('checkRegex', () => {
  it.each([
    ['(a+)+$', 'nested-repetition'],
    ['(.*a){20}', 'nested-repetition'],
    ['(a|aa)*b', 'ambiguous-alternation'],
    ['(x|xy)+z', 'ambiguous-alternation'],
    ['\\w+\\w+x', 'overlapping-quantifiers'],
    ['MAP.*.*credit', 'overlapping-quantifiers'],
    ['.*credit', 'leading-quantifier'],
    ['[^,]*credit', 'leading-quantifier'],
    ['(?:x|.*credit)', 'leading-quantifier'],
    ['(a)\\1', 'backreference'],
    ['(?<word>a)\\k<word>', 'backreference'],
    ['(?<=MAP )credit', 'lookbehind'],
    ['MAP (2', 'does-not-compile'],
    ['[', 'does-not-compile'],
  ])('refuses %s (%s)', (source, refusal) => {
    const verdict = checkRegex(source);
    expect(verdict.ok).toBe(false);
    expect(verdict.refusal).toBe(refusal);
    expect(verdict.message).toBeTruthy();
    expect(verdict.hint).toBeTruthy();
  });

  it.each([
    'MAP\\s+2\\.0',
    '^.*credit',
    '(?:^.*credit|refund)',
    '(credit|refund)+ applied',
    '\\d+\\s*credit',
    'a*b*c',
    '[0-9]+[a-z]+',
    'x.*y.*z',
    '\\bEDP\\b',
    '(?:MAP|Migration) credit',
    'クレジット',
    'ائتمان',
    '^AWS Activate.*$',
  ])('accepts %s', (source) => {
    expect(checkRegex(source)).toEqual({ ok: true });
  });

  it('refuses a pattern longer than the cap, and accepts one at the cap', () => {
    expect(checkRegex('a'.repeat(MAX_REGEX_LENGTH + 1)).refusal).toBe('too-long');
    expect(checkRegex('a'.repeat(MAX_REGEX_LENGTH)).ok).toBe(true);
  });

  it('refuses more than 25 quantifiers (safe-regex2 cannot vouch for them)', () => {
    expect(checkRegex('a?'.repeat(26)).refusal).toBe('nested-repetition');
  });

  it('accepted patterns finish against a 50,000-character description (a runaway one would hit the jest timeout)', () => {
    const long = 'Credit applied to usage in the account for migration acceleration program '
      .repeat(700)
      .slice(0, 50_000);
    const outcomes = [
      'MAP\\s+2\\.0',
      '(credit|refund)+ applied',
      '\\d+\\s*credit',
      'x.*y.*z',
      'program $',
    ].map((source) => {
      expect(checkRegex(source).ok).toBe(true);
      return new RegExp(source, 'i').test(long);
    });
    expect(outcomes).toEqual([false, true, false, false, false]);
  });
});
