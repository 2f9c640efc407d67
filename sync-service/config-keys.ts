/**
 * The keys of credit-desk.config.json, checked as a whole at start: a misspelt key ("wrokbook") would otherwise
 * be ignored without a word and the run would use the default, so it is refused, named with the nearest key
 * that exists.
 */

/** "$schema" lets an editor validate the file; it is not a setting. */
const NOT_SETTINGS = new Set(['$schema']);

/** Every key of the file that is no setting, dotted for nested objects ("athena.regoin"). */
function unknownKeys(config: Record<string, unknown>, known: readonly string[]): string[] {
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    if (NOT_SETTINGS.has(key) || known.includes(key)) continue;
    const nested = known.filter((k) => k.startsWith(`${key}.`));
    if (!nested.length || typeof value !== 'object' || value === null || Array.isArray(value)) {
      unknown.push(key);
      continue;
    }
    for (const inner of Object.keys(value))
      if (!nested.includes(`${key}.${inner}`)) unknown.push(`${key}.${inner}`);
  }
  return unknown;
}

/** Edit distance (insertions, deletions, substitutions, and swaps of two neighbours), case-insensitive. */
function distance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const d = Array.from({ length: s.length + 1 }, (_, i) => [i, ...Array<number>(t.length).fill(0)]);
  for (let j = 1; j <= t.length; j++) d[0][j] = j;
  for (let i = 1; i <= s.length; i++)
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[s.length][t.length];
}

/** The known key closest to `key`. */
export function nearestKey(key: string, known: readonly string[]): string {
  return known.reduce((best, k) => (distance(key, k) < distance(key, best) ? k : best));
}

/** What is wrong with the file's keys ("has an unknown setting …"), or null when every key is a setting. */
export function unknownKeysProblem(config: Record<string, unknown>, known: readonly string[]): string | null {
  const unknown = unknownKeys(config, known);
  if (!unknown.length) return null;
  const named = unknown.map((k) => `"${k}" (did you mean "${nearestKey(k, known)}"?)`).join(', ');
  return (
    `has ${unknown.length === 1 ? 'an unknown setting' : 'unknown settings'}: ${named}. ` +
    `Correct or remove ${unknown.length === 1 ? 'it' : 'them'}; the settings are ${known.join(', ')}.`
  );
}
