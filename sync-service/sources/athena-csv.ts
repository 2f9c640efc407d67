/**
 * A streaming reader of the one CSV dialect Athena writes its results in: a header row, then one line per
 * row, every value in double quotes with quotes doubled, NULL as an empty field without quotes and the empty
 * string as `""` (PyAthena docs/null_handling.rst, "CSV Format Limitation", observed on Athena); values
 * keep their line breaks inside the quotes.
 *
 * Why not csv-parse (a dependency, and the reference this reader is property-tested against): telling `""`
 * from an empty field needs its `cast` callback, which builds a context object for every field — 100,000
 * credits took 23 s that way against 8 s for paging through GetQueryResults, on the loaded 2-core machine.
 * This reader scans with indexOf and does not allocate per character.
 *
 * Tolerant of what a CSV writer may vary — unquoted values, CRLF line ends, a missing final line break — but
 * anything else after a closing quote, or a quote left open at the end, is an error, never a guess.
 */
import { StringDecoder } from 'node:string_decoder';

export type CsvRecord = (string | null)[];

const QUOTE = 34; // "
const COMMA = 44; // ,
const LF = 10;
const CR = 13;

export class AthenaCsvReader {
  /** Text not yet parsed; it always starts at the beginning of a field. */
  private rest = '';
  /** Fields of the record being read. */
  private record: CsvRecord = [];
  /** A comma was read and the field after it not yet: at the end of the input, that field is NULL. */
  private afterComma = false;
  private line = 1;
  private readonly decoder = new StringDecoder('utf8');

  /** Parses a chunk (bytes may split a character: the decoder keeps the part until the rest comes). */
  push(chunk: Buffer | string, out: CsvRecord[]): void {
    this.parse(typeof chunk === 'string' ? chunk : this.decoder.write(chunk), false, out);
  }

  /** The input has ended: the last record, or an error if a quote is still open. */
  end(out: CsvRecord[]): void {
    this.parse(this.decoder.end(), true, out);
    if (this.rest !== '') throw new Error(`a quoted value opened on line ${this.line} is never closed`);
  }

  private parse(text: string, last: boolean, out: CsvRecord[]): void {
    const s = this.rest + text;
    const n = s.length;
    let i = 0;
    while (i < n) {
      let value: string | null;
      let j: number; // just after the field: its separator, line break or the end of the text
      if (s.charCodeAt(i) === QUOTE) {
        let from = i + 1;
        let parts = '';
        for (;;) {
          const q = s.indexOf('"', from);
          // The closing quote, or the second of a doubled one, may be in the next chunk.
          if (q < 0 || (q + 1 === n && !last)) {
            this.rest = s.slice(i);
            return;
          }
          if (s.charCodeAt(q + 1) === QUOTE) {
            parts += s.slice(from, q + 1);
            from = q + 2;
            continue;
          }
          parts += s.slice(from, q);
          j = q + 1;
          break;
        }
        value = parts;
      } else {
        let e = i;
        while (e < n) {
          const c = s.charCodeAt(e);
          if (c === COMMA || c === LF) break;
          e++;
        }
        if (e === n && !last) {
          this.rest = s.slice(i);
          return;
        }
        const end = e > i && s.charCodeAt(e - 1) === CR ? e - 1 : e;
        value = end === i ? null : s.slice(i, end);
        j = e;
      }
      let k = j; // the separator or line break, past a CR of a CRLF
      if (k < n && s.charCodeAt(k) === CR) {
        if (k + 1 === n && !last) {
          this.rest = s.slice(i); // whether an LF follows is in the next chunk
          return;
        }
        k++;
      }
      for (let p = i; p < j; p++) if (s.charCodeAt(p) === LF) this.line++;
      this.record.push(value);
      this.afterComma = false;
      if (k >= n) {
        i = n;
        break;
      }
      const c = s.charCodeAt(k);
      if (c === COMMA) {
        i = k + 1;
        this.afterComma = true;
      } else if (c === LF) {
        out.push(this.record);
        this.record = [];
        this.line++;
        i = k + 1;
      } else {
        throw new Error(
          `unexpected ${JSON.stringify(s[k])} after a quoted value on line ${this.line}: expected a comma or a line break`,
        );
      }
    }
    this.rest = '';
    if (last && this.afterComma) this.record.push(null); // "a," at the very end: a last, NULL field
    if (last && this.record.length > 0) {
      out.push(this.record);
      this.record = [];
    }
  }
}

/** Every record of a stream of Athena CSV, yielded in batches as chunks arrive. */
export async function* athenaCsvRecords(input: AsyncIterable<Buffer | string>): AsyncGenerator<CsvRecord> {
  const reader = new AthenaCsvReader();
  const out: CsvRecord[] = [];
  for await (const chunk of input) {
    reader.push(chunk as Buffer | string, out);
    yield* out;
    out.length = 0;
  }
  reader.end(out);
  yield* out;
}
