// Builds the front end into bybit_widgets/static/: one self-contained ES module per widget
// (anywidget loads each from a string, so a widget's module cannot import siblings at run
// time) and the shared stylesheet. `node js/build.mjs` writes; `node js/build.mjs --check`
// fails when a committed file is out of date. No dependencies: a fresh install needs no
// JS step, and the tests (node --test js/tests/) run the same code.
//
// The "bundler" is deliberately small and strict, not general: sources are ES modules that
// use only `import { a, b as c } from "./relative.js"` and `export function|const|let|class`
// (and `export default` in a widget entry). Each library module is wrapped in a function
// scope whose return value is its exports, so names never collide between modules.

import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const JS_DIR = dirname(fileURLToPath(import.meta.url));
export const OUT_DIR = resolve(JS_DIR, "..", "bybit_widgets", "static");
export const ENTRIES = ["ticker", "watchlist", "book", "ticket", "trades", "positions", "pnl", "candles", "depth", "heatmap", "replay"];
export const STYLESHEET = "widgets.css";

const IMPORT_RE = /^import\s*(\{[^}]*\}|\*\s+as\s+[A-Za-z_$][\w$]*)\s*from\s*["'](\.{1,2}\/[^"']+)["'];?[ \t]*$/gm;
const EXPORT_DECL_RE = /^export\s+((?:async\s+)?function\*?|const|let|class)\s+([A-Za-z_$][\w$]*)/gm;

function moduleVar(path) {
  return "__" + relative(JS_DIR, path).replace(/\.js$/, "").replace(/[^A-Za-z0-9]/g, "_");
}

function parseModule(path) {
  const source = readFileSync(path, "utf8");
  const imports = [];
  for (const match of source.matchAll(IMPORT_RE)) {
    imports.push({ text: match[0], clause: match[1], path: resolve(dirname(path), match[2]) });
  }
  if (/^import\s/m.test(source.replace(IMPORT_RE, ""))) {
    throw new Error(`${path}: only \`import { ... } from "./relative.js"\` is supported`);
  }
  return { path, source, imports };
}

function importToConst({ clause, path }) {
  const target = moduleVar(path);
  if (clause.startsWith("*")) return `const ${clause.replace(/^\*\s+as\s+/, "")} = ${target};`;
  const names = clause
    .slice(1, -1)
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => s.replace(/\s+as\s+/, ": "));
  return `const { ${names.join(", ")} } = ${target};`;
}

function rewriteImports(module) {
  let text = module.source;
  for (const imp of module.imports) text = text.replace(imp.text, importToConst(imp));
  return text;
}

function wrapLibrary(module) {
  const exported = [];
  let body = rewriteImports(module).replace(EXPORT_DECL_RE, (_, kind, name) => {
    exported.push(name);
    return `${kind} ${name}`;
  });
  if (/^export\s/m.test(body)) {
    throw new Error(`${module.path}: a library module may only use \`export function|const|let|class\``);
  }
  body = body.trimEnd();
  const name = relative(JS_DIR, module.path);
  return `// ---- ${name}\nconst ${moduleVar(module.path)} = (() => {\n${body}\nreturn { ${exported.join(", ")} };\n})();\n`;
}

/** The bundled text of one entry module (a widget), deterministic for a given source tree. */
export function bundle(entry) {
  const entryPath = join(JS_DIR, `${entry}.js`);
  const order = [];
  const seen = new Map();
  const visit = (path, stack) => {
    if (stack.includes(path)) throw new Error(`import cycle: ${[...stack, path].join(" -> ")}`);
    if (seen.has(path)) return;
    const module = parseModule(path);
    for (const imp of module.imports) visit(imp.path, [...stack, path]);
    seen.set(path, module);
    order.push(module);
  };
  visit(entryPath, []);
  const libraries = order.slice(0, -1).map(wrapLibrary);
  const main = rewriteImports(order[order.length - 1]).trimEnd();
  return [
    `// bybit-widgets: ${entry} view. Built by js/build.mjs from js/${entry}.js; do not edit.`,
    ...libraries,
    `// ---- ${entry}.js`,
    main,
    "",
  ].join("\n");
}

/** Every output file: name -> text. */
export function buildAll() {
  const files = {};
  for (const entry of ENTRIES) files[`${entry}.js`] = bundle(entry);
  files[STYLESHEET] = readFileSync(join(JS_DIR, STYLESHEET), "utf8");
  return files;
}

function main() {
  const check = process.argv.includes("--check");
  const files = buildAll();
  mkdirSync(OUT_DIR, { recursive: true });
  const stale = [];
  for (const [name, text] of Object.entries(files)) {
    const target = join(OUT_DIR, name);
    let current = null;
    try {
      current = readFileSync(target, "utf8");
    } catch {
      current = null;
    }
    if (current === text) continue;
    if (check) stale.push(name);
    else writeFileSync(target, text);
  }
  if (stale.length) {
    console.error(`out of date in bybit_widgets/static/: ${stale.join(", ")} (run: node js/build.mjs)`);
    process.exit(1);
  }
  console.log(check ? "static files are up to date" : `wrote ${Object.keys(files).length} files to ${OUT_DIR}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
