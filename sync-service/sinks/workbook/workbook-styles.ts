/**
 * styles.xml, edited in place for the patching writer: find a cell format (xf) by its XML, or append it, so a
 * patched cell gets the same style id the full ExcelJS write gives it (the locked / unlocked variant of its
 * format, a date format, the Summary's fonts and money formats). Existing entries are never changed or
 * reordered, so every style id already used in the file keeps its meaning.
 *
 * Matching is on the XML text as ExcelJS writes it; a format written differently (by Excel) is not found and
 * is appended, which costs a duplicate entry, never a wrong style.
 */

interface Section {
  /** The element name holding the list: numFmts, fonts, cellXfs. */
  tag: string;
  /** The child elements, as XML text, in order (index = id, except numFmts). */
  items: string[];
  /** Items added by this edit. */
  added: number;
}

const CHILD: Record<string, RegExp> = {
  numFmts: /<numFmt\b[^>]*\/>/g,
  fonts: /<font\b[^>]*\/>|<font\b[^>]*>[\s\S]*?<\/font>/g,
  cellXfs: /<xf\b[^>]*\/>|<xf\b[^>]*>[\s\S]*?<\/xf>/g,
};

export class StylesEditor {
  private readonly sections = new Map<string, Section>();

  constructor(private xml: string) {
    for (const tag of Object.keys(CHILD)) {
      const body = new RegExp(`<${tag}\\b[^>]*>([\\s\\S]*?)</${tag}>`).exec(xml)?.[1] ?? '';
      this.sections.set(tag, { tag, items: body.match(CHILD[tag]) ?? [], added: 0 });
    }
  }

  get changed(): boolean {
    return [...this.sections.values()].some((s) => s.added > 0);
  }

  xf(index: number): string | undefined {
    return this.sections.get('cellXfs')!.items[index];
  }

  font(index: number): string | undefined {
    return this.sections.get('fonts')!.items[index];
  }

  /** The code of a custom number format (id ≥ 164) of this file. */
  numFmtCode(id: number): string | undefined {
    const item = this.sections.get('numFmts')!.items.find((i) => new RegExp(`numFmtId="${id}"`).test(i));
    return item === undefined ? undefined : decode(/formatCode="([^"]*)"/.exec(item)?.[1] ?? '');
  }

  /** The style id of this exact xf, appended when the file has none. */
  xfId(xf: string): number {
    return this.findOrAdd('cellXfs', xf);
  }

  fontId(font: string): number {
    return this.findOrAdd('fonts', font);
  }

  /** The id of a number format code: built-in ids as ExcelJS maps them, else a custom numFmt (id ≥ 164). */
  numFmtId(code: string, builtinId: number | undefined): number {
    if (builtinId !== undefined) return builtinId;
    const s = this.sections.get('numFmts')!;
    for (const item of s.items) {
      if (decode(/formatCode="([^"]*)"/.exec(item)?.[1] ?? '') === code)
        return Number(/numFmtId="(\d+)"/.exec(item)![1]);
    }
    const id = Math.max(163, ...s.items.map((i) => Number(/numFmtId="(\d+)"/.exec(i)?.[1] ?? 0))) + 1;
    s.items.push(`<numFmt numFmtId="${id}" formatCode="${escapeAttr(code)}"/>`);
    s.added++;
    return id;
  }

  /** styles.xml with the appended entries (and their counts). */
  toXml(): string {
    let xml = this.xml;
    for (const s of this.sections.values()) {
      if (!s.added) continue;
      const open = new RegExp(`<${s.tag}\\b[^>]*>[\\s\\S]*?</${s.tag}>|<${s.tag}\\b[^>]*/>`);
      const head = (open.exec(xml)?.[0] ?? '').match(new RegExp(`^<${s.tag}\\b[^>]*?(?=/?>)`))?.[0];
      const attrs = (head ?? `<${s.tag}`).replace(/\scount="\d+"/, '');
      const replacement = `${attrs.replace(`<${s.tag}`, `<${s.tag} count="${s.items.length}"`)}>${s.items.join('')}</${s.tag}>`;
      if (open.test(xml)) xml = xml.replace(open, () => replacement);
      else if (s.tag === 'numFmts') xml = xml.replace(/<fonts\b/, () => `${replacement}<fonts`);
      else throw new Error(`styles.xml has no <${s.tag}>`);
    }
    this.xml = xml;
    for (const s of this.sections.values()) s.added = 0;
    return xml;
  }

  private findOrAdd(tag: string, item: string): number {
    const s = this.sections.get(tag)!;
    const at = s.items.indexOf(item);
    if (at >= 0) return at;
    s.items.push(item);
    s.added++;
    return s.items.length - 1;
  }
}

/** The xf with its protection set as the full writer sets it (workbook-format.ts): locked, or `locked="0"`. */
export function withLock(xf: string, locked: boolean): string {
  const open = /^<xf\b[^>]*?(?=\/?>)/.exec(xf)![0];
  const children = xf.endsWith('/>') && !xf.includes('</xf>') ? '' : xf.slice(xf.indexOf('>') + 1, -5);
  const rest = children.replace(/<protection\b[^>]*\/>/, '');
  const head = /\sapplyProtection="1"/.test(open) ? open : `${open} applyProtection="1"`;
  // <protection> comes after <alignment> and before <extLst> (CT_Xf's sequence).
  const inner = locked ? rest : rest.replace(/(<extLst\b[\s\S]*)?$/, '<protection locked="0"/>$1');
  return inner ? `${head}>${inner}</xf>` : `${head}/>`;
}

/** The xf with this number format, as ExcelJS writes one (applyNumberFormat after xfId). */
export function withNumFmt(xf: string, id: number): string {
  let out = /\snumFmtId="\d+"/.test(xf)
    ? xf.replace(/\snumFmtId="\d+"/, ` numFmtId="${id}"`)
    : xf.replace(/^<xf\b/, `<xf numFmtId="${id}"`);
  if (!/\sapplyNumberFormat="1"/.test(out))
    out = /\sxfId="\d+"/.test(out)
      ? out.replace(/(\sxfId="\d+")/, '$1 applyNumberFormat="1"')
      : out.replace(/^<xf\b[^>]*?(?=\/?>)/, (h) => `${h} applyNumberFormat="1"`);
  return out;
}

function decode(s: string): string {
  return s
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
