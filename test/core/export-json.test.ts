/**
 * The JSON export written in pieces (core/export.ts jsonPieces) is, joined, exactly JSON.stringify(items, null, 2)
 * plus a line break: the scripting contract's bytes do not depend on how the file was written.
 */
import fc from 'fast-check';
import { jsonPieces } from '../../core/export';

describe('JSON export in pieces', () => {
  it('joins to JSON.stringify(items, null, 2), whatever the items and the piece size', () => {
    const text = fc.string({
      unit: fc.constantFrom('a', ' ', '\n', '"', '\\', 'é', '😀', '\u2028', '{', ','),
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
    fc.assert(
      fc.property(fc.array(value, { maxLength: 12 }), fc.integer({ min: 1, max: 5 }), (items, perPiece) => {
        const pieces = jsonPieces(items, (x) => x, perPiece);
        expect(pieces.join('')).toBe(JSON.stringify(items, null, 2) + '\n');
        expect(pieces).toHaveLength(Math.max(1, Math.ceil(items.length / perPiece)));
      }),
      { numRuns: 1000 },
    );
  });
});
