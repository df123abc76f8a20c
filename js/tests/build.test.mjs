import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildAll, OUT_DIR, ENTRIES } from "../build.mjs";

test("the committed static files are what js/build.mjs makes from the sources", () => {
  for (const [name, text] of Object.entries(buildAll())) {
    const committed = readFileSync(join(OUT_DIR, name), "utf8");
    assert.equal(committed, text, `bybit_widgets/static/${name} is stale: run node js/build.mjs`);
  }
});

test("every built view is a module with a render function and no leftover imports", async () => {
  for (const entry of ENTRIES) {
    const path = join(OUT_DIR, `${entry}.js`);
    assert.doesNotMatch(readFileSync(path, "utf8"), /^import\s/m, `${entry}.js still imports`);
    const module = await import(path);
    assert.equal(typeof module.default.render, "function", `${entry}.js has no render`);
  }
});
