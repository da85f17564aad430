// The vendored idb must be exactly the npm package the lock file pins, so the
// browser (which loads src/vendor) runs the code the tests ran.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const vendor = here("../src/vendor/idb/");
const build = here("../node_modules/idb/build/");

/** The ES module build: index.js and every file it imports, relatively. */
function moduleFiles(entry = "index.js", seen = new Set()) {
  if (seen.has(entry)) return seen;
  seen.add(entry);
  const text = readFileSync(build + entry, "utf8");
  for (const [, path] of text.matchAll(/(?:import|export)[^'"]*from\s*['"]\.\/([^'"]+)['"]/g)) moduleFiles(path, seen);
  return seen;
}

test("the vendored idb files are byte-identical to node_modules/idb/build's ES module build", () => {
  const expected = [...moduleFiles()].sort();
  const vendored = readdirSync(vendor).filter((f) => f.endsWith(".js")).sort();
  assert.deepEqual(vendored, expected);
  for (const file of expected) assert.ok(readFileSync(vendor + file).equals(readFileSync(build + file)), `${file} differs`);
  assert.ok(readFileSync(vendor + "LICENSE").equals(readFileSync(here("../node_modules/idb/LICENSE"))), "LICENSE differs");
});

test("the vendored VERSION is the installed idb's version, which the lock file pins", () => {
  const installed = JSON.parse(readFileSync(here("../node_modules/idb/package.json"), "utf8")).version;
  const lock = JSON.parse(readFileSync(here("../package-lock.json"), "utf8"));
  assert.equal(readFileSync(vendor + "VERSION", "utf8").trim(), installed);
  assert.equal(lock.packages["node_modules/idb"].version, installed);
});
