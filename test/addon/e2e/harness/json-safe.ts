/**
 * google.script.run passes only JSON-like values: primitives, plain objects and arrays. A Date returned by
 * a server function does not arrive as a Date in the browser. The bridge fails such a call loudly so a
 * contract break shows in the tests, not later in Google Sheets.
 */
export function assertJsonSafe(value: unknown, path = 'result'): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`${path} is ${value}, which google.script.run cannot pass.`);
    return;
  }
  if (value === undefined && path === 'result') return; // a function that returns nothing
  // Object.prototype.toString, not instanceof: values from the vm context come from another realm.
  const tag = Object.prototype.toString.call(value);
  if (tag !== '[object Object]' && tag !== '[object Array]') {
    throw new Error(
      `${path} is a ${tag.slice(8, -1)}, which google.script.run cannot pass; return JSON-safe values (ISO strings for dates).`,
    );
  }
  for (const [key, inner] of Object.entries(value as object)) {
    if (inner === undefined) continue; // dropped by JSON, as by Apps Script
    assertJsonSafe(inner, `${path}.${key}`);
  }
}
