/**
 * The JSON export (core/export.ts) is written one credit at a time, each credit's text built field by field, and
 * encoded through a small reused buffer (sync-service/files/atomic-file.ts replaceFile). Whatever the route, the
 * file's text is exactly JSON.stringify(credits, null, 2) plus a line break: the scripting contract's bytes do
 * not depend on how they were written.
 */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  creditJsonText,
  creditToJson,
  jsonArrayTexts,
  jsonElementText,
  type CreditJson,
} from '../../core/export';
import { CREDIT_IDENTITY_FIELDS } from '../../core/sheet-contract';
import { replaceFile } from '../../sync-service/files/atomic-file';
import { credit, directory } from '../helpers/domain';

/** Text with what JSON escapes or treats specially: quotes, backslashes, controls, surrogates (paired and lone). */
const text = fc.string({
  unit: fc.constantFrom(
    'a',
    'Z',
    ' ',
    '\n',
    '\t',
    '\u0000',
    '\u001f',
    '"',
    '\\',
    '/',
    'é',
    '😀',
    '\ud800',
    '\udc00',
    '\u2028',
    'ク',
    '{',
    ',',
  ),
});

const value = fc.letrec((tie) => ({
  item: fc.oneof(
    { depthSize: 'small' },
    text,
    fc.integer(),
    fc.double({ noNaN: true }),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.array(tie('item'), { maxLength: 3 }),
    fc.dictionary(text, tie('item'), { maxKeys: 3 }),
  ),
})).item;

/** A CreditJson in the contract's key order (as creditToJson makes it), its strings anything at all. */
const creditJson: fc.Arbitrary<CreditJson> = fc
  .record({
    identity: fc.array(text, {
      minLength: CREDIT_IDENTITY_FIELDS.length,
      maxLength: CREDIT_IDENTITY_FIELDS.length,
    }),
    amount: text,
    currency: text,
    status: text,
    allocations: fc.array(
      fc.record({ role: text, targetId: text, percent: fc.option(text, { nil: null }), amount: text }),
      { maxLength: 4 },
    ),
    rest: fc.array(text, { minLength: 4, maxLength: 4 }),
    flags: fc.array(text, { maxLength: 3 }),
  })
  .map(({ identity, amount, currency, status, allocations, rest, flags }) => {
    const out = {} as CreditJson;
    CREDIT_IDENTITY_FIELDS.forEach((f, i) => (out[f] = identity[i]));
    Object.assign(out, { amount, currency, status, allocations });
    [out.ruleId, out.usageFileId, out.usageRecordId, out.processingDate] = rest;
    out.flags = flags;
    return out;
  });

describe('JSON export', () => {
  it('joins to JSON.stringify(items, null, 2), whatever the items', () => {
    fc.assert(
      fc.property(fc.array(value, { maxLength: 12 }), (items) => {
        const texts = [...jsonArrayTexts(items, jsonElementText)];
        expect(texts.join('')).toBe(JSON.stringify(items, null, 2) + '\n');
        expect(texts).toHaveLength(items.length + 1);
      }),
      { numRuns: 1000 },
    );
  });

  it("writes a credit's JSON field by field exactly as JSON.stringify would", () => {
    fc.assert(
      fc.property(creditJson, (json) => {
        expect(creditJsonText(json)).toBe(jsonElementText(json));
      }),
      { numRuns: 2000 },
    );
  });

  it('gives the same text for credits made by creditToJson, allocations resolved or not', () => {
    const dir = directory([{ accountId: '000000000001', customerId: 'CUST-1', resellerId: 'RES-1' }]);
    const allocations = [
      '',
      'customer 100%',
      'customer 60%, reseller 40%',
      'customer 1.00',
      'customer CUST-404 10%',
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...allocations),
        text,
        fc.integer({ min: 0, max: 10 ** 12 }),
        fc.constantFrom('', 'REVIEW_NOT_IN_CUR', ' UNKNOWN_ACCOUNT  REVIEW_CURRENCY '),
        (allocation, description, amount, flags) => {
          const json = creditToJson(
            credit({
              accountId: '000000000001',
              customerId: 'CUST-1',
              resellerId: 'RES-1',
              allocation,
              description,
              amount,
              flags,
            }),
            dir,
          );
          expect(creditJsonText(json)).toBe(jsonElementText(json));
          // the Flags cell's words, in order; last in the object, after the fields scripts already read
          expect(json.flags).toEqual(flags.split(/\s+/).filter(Boolean));
          expect(Object.keys(json).slice(-2)).toEqual(['processingDate', 'flags']);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('falls back to JSON.stringify for a field that is not a string', () => {
    fc.assert(
      fc.property(
        creditJson,
        fc.constantFrom('creditId', 'amount', 'ruleId', 'processingDate', 'flags'),
        value,
        (json, field, v) => {
          const odd = { ...json, [field]: v } as unknown as CreditJson;
          expect(creditJsonText(odd)).toBe(jsonElementText(odd));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('writes the texts to a file byte for byte, across the reused buffer, and leaves no temp file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'export-json-'));
    const target = join(dir, 'out.json');
    fc.assert(
      fc.property(
        // Texts of every size around the 1 MiB buffer, in characters of one to four UTF-8 bytes, so a text whose
        // characters fit in the space left but whose bytes do not is among them.
        fc.array(
          fc.tuple(
            fc.constantFrom('a', 'é', 'ク', '😀'),
            fc.constantFrom(0, 1, 1000, 200_000, 262_144, 349_525, 349_526, 600_000),
          ),
          { maxLength: 6 },
        ),
        (specs) => {
          const texts = specs.map(([ch, n]) => ch.repeat(n) + 'ク');
          replaceFile(target, texts);
          expect(readFileSync(target).equals(Buffer.from(texts.join(''), 'utf8'))).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
    expect(readdirSync(dir)).toEqual(['out.json']);
  });
});
