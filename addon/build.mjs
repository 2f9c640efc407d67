/**
 * Builds the Apps Script project that clasp pushes (rootDir "dist"):
 *
 *   dist/Code.js          addon/main.ts + core, bundled by esbuild as an IIFE assigned to the global
 *                         `CreditDesk`, followed by one real top-level
 *                         `function name(...args) { return CreditDesk.name(...args); }` per export of
 *                         addon/main.ts. Apps Script only calls top-level function declarations (menus,
 *                         triggers, google.script.run), and esbuild has no "keep globals" mode.
 *   dist/Sidebar.html     ONE self-contained file: HtmlService cannot serve separate JS or CSS files.
 *   dist/appsscript.json  the manifest, copied.
 *
 * The entry-point names come from ONE place: the exports of addon/main.ts, read from esbuild's metafile.
 *
 * Sidebar convention (addon/sidebar/): sidebar.html contains `<!-- inline:style -->` inside
 * <head> and `<!-- inline:script -->` before </body>; the build puts addon/sidebar/sidebar.css (if it
 * exists) in a <style> at the first marker and the bundled addon/sidebar/sidebar.ts in a <script> at the
 * second. Template literals are lowered to string concatenation in the sidebar bundle because HtmlService
 * strips what looks like comments (`//`, `/*`) inside template literals of inline scripts
 * (enuchi/React-Google-Apps-Script#157); Code.js is not served as HTML, so it keeps them.
 *
 * Usage: node addon/build.mjs [--out <dir>]   (default: dist/ at the repository root)
 */
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const GLOBAL_NAME = 'CreditDesk';
const TARGET = 'es2020'; // Apps Script's V8 runtime; ES2020 for the core's BigInt (exact money checks)
const ENTRY = join(ROOT, 'addon/main.ts');
const SIDEBAR_DIR = join(ROOT, 'addon/sidebar');

function outDirFromArgs(argv) {
  const at = argv.indexOf('--out');
  return at >= 0 && argv[at + 1] ? resolve(argv[at + 1]) : join(ROOT, 'dist');
}

/** The export names of addon/main.ts: a throwaway ESM build whose metafile lists them. */
async function entryPointNames() {
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    format: 'esm',
    target: TARGET,
    write: false,
    metafile: true,
    outfile: 'entry-names.js',
    logLevel: 'silent',
  });
  const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint);
  const names = [...(output?.exports ?? [])].sort();
  if (names.length === 0) throw new Error('addon/main.ts exports nothing: there would be no entry points.');
  for (const n of names) {
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(n))
      throw new Error(`addon/main.ts export "${n}" is not a plain function name.`);
  }
  return names;
}

async function buildCode(outDir) {
  const names = await entryPointNames();
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    format: 'iife',
    globalName: GLOBAL_NAME,
    target: TARGET,
    platform: 'neutral',
    mainFields: ['module', 'main'],
    minify: false,
    write: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const stubs = names
    .map((n) => `function ${n}(...args) {\n  return ${GLOBAL_NAME}.${n}(...args);\n}`)
    .join('\n');
  const code = `${result.outputFiles[0].text}\n// Entry points for Apps Script (generated from the exports of addon/main.ts).\n${stubs}\n`;
  if (/^\s*(import|export)\s/m.test(code))
    throw new Error('dist/Code.js still has an import/export statement.');
  writeFileSync(join(outDir, 'Code.js'), code);
  return names;
}

/** `</script` inside inlined code would end the element early. */
function escapeForElement(text, tag) {
  return text.replace(new RegExp(`</(${tag})`, 'gi'), '<\\/$1');
}

async function buildSidebar(outDir) {
  const htmlPath = join(SIDEBAR_DIR, 'sidebar.html');
  const tsPath = join(SIDEBAR_DIR, 'sidebar.ts');
  const cssPath = join(SIDEBAR_DIR, 'sidebar.css');
  if (!existsSync(htmlPath) || !existsSync(tsPath)) {
    console.warn(
      'build: addon/sidebar/sidebar.html or sidebar.ts is missing; writing a placeholder Sidebar.html.',
    );
    writeFileSync(
      join(outDir, 'Sidebar.html'),
      '<!doctype html><html><body><p>The Credit Desk sidebar was not built (addon/sidebar is missing).</p></body></html>\n',
    );
    return;
  }
  const js = await build({
    entryPoints: [tsPath],
    bundle: true,
    format: 'iife',
    target: TARGET,
    platform: 'browser',
    supported: { 'template-literal': false },
    minify: false,
    write: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const script = js.outputFiles[0].text;
  const css = existsSync(cssPath) ? readFileSync(cssPath, 'utf8') : '';
  let html = readFileSync(htmlPath, 'utf8');
  for (const marker of ['<!-- inline:style -->', '<!-- inline:script -->']) {
    if (!html.includes(marker))
      throw new Error(`addon/sidebar/sidebar.html has no ${marker} marker (see addon/build.mjs).`);
  }
  // Function replacements: a `$&` or `$'` in the code must not be read as a replacement pattern.
  html = html.replace('<!-- inline:style -->', () => `<style>\n${escapeForElement(css, 'style')}\n</style>`);
  html = html.replace(
    '<!-- inline:script -->',
    () => `<script>\n${escapeForElement(script, 'script')}\n</script>`,
  );
  writeFileSync(join(outDir, 'Sidebar.html'), html);
}

export async function buildAddon(outDir = join(ROOT, 'dist')) {
  mkdirSync(outDir, { recursive: true });
  const names = await buildCode(outDir);
  await buildSidebar(outDir);
  copyFileSync(join(ROOT, 'appsscript.json'), join(outDir, 'appsscript.json'));
  return { outDir, entryPoints: names };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildAddon(outDirFromArgs(process.argv.slice(2))).then(
    ({ outDir, entryPoints }) => console.log(`build: ${entryPoints.length} entry points → ${outDir}`),
    (err) => {
      console.error(`build failed: ${err.message}`);
      process.exitCode = 1;
    },
  );
}
