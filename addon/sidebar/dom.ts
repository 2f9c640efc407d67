/**
 * Tiny DOM helpers. Data from the sheet only ever reaches the page as text nodes (textContent / value),
 * never as HTML: a description may be "=HYPERLINK(...)" or "<script>…" and must show as typed.
 */

type Attrs = Record<string, string | boolean | undefined>;
type Child = Node | string | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    node.setAttribute(name, value === true ? '' : value);
  }
  append(node, ...children);
  return node;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

export function clear(node: Node): void {
  while (node.firstChild) node.removeChild(node.firstChild);
}

/** The element with this id; a missing one is a bug in sidebar.html, so fail loudly. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`sidebar.html has no element #${id}`);
  return node as T;
}

/** A definition list of label → value pairs (empty values shown as "—"). */
export function definitionList(rows: [string, string][], className = 'details'): HTMLDListElement {
  const dl = el('dl', { class: className });
  for (const [label, value] of rows)
    append(dl, el('dt', {}, label), el('dd', {}, value === '' ? '—' : value));
  return dl;
}
