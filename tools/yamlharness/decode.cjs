// Decode YAML with the npm `yaml` package (eemeli/yaml), with the options yaml-language-server
// parses with: YAML 1.2, core schema, strict: false. Integers come as BigInt so that none loses
// digits. Usage: node decode.cjs <folder holding node_modules/yaml>
//
// stdin: one request per line, a JSON array of YAML texts. stdout: one line per request, a JSON
// array with, for each text, {"docs": [doc, ...]} or {"error": "..."}; values typed as
// yamlharness/main.go types them: null, true/false, "string", {"i": "123"}, {"f": "1e-05"},
// [items], {"m": [[key, value], ...]}.
"use strict";
const path = require("path");
const readline = require("readline");
const YAML = require(path.join(process.argv[2], "node_modules", "yaml"));

const OPTIONS = { version: "1.2", strict: false, intAsBigInt: true, uniqueKeys: true };

function typed(node) {
  if (node === null || node === undefined) return null;
  if (YAML.isScalar(node)) {
    const v = node.value;
    if (v === null || typeof v === "boolean" || typeof v === "string") return v;
    if (typeof v === "bigint") return { i: v.toString() };
    if (typeof v === "number") return { f: String(v) };
    return { "?": `${typeof v} ${String(v)}` };
  }
  if (YAML.isSeq(node)) return node.items.map(typed);
  if (YAML.isMap(node)) return { m: node.items.map((p) => [typed(p.key), typed(p.value)]) };
  if (YAML.isAlias(node)) throw new Error(`alias *${node.source}`);
  return { "?": String(node) };
}

function decode(text) {
  try {
    const docs = YAML.parseAllDocuments(text, OPTIONS);
    const list = Array.isArray(docs) ? docs : []; // an empty stream has no documents
    const errors = list.flatMap((d) => d.errors.map((e) => e.message));
    if (!Array.isArray(docs) && docs.errors) errors.push(...docs.errors.map((e) => e.message));
    if (errors.length) return { error: errors.join("; ") };
    return { docs: list.map((d) => typed(d.contents)) };
  } catch (e) {
    return { error: String(e && e.message ? e.message : e) };
  }
}

const lines = readline.createInterface({ input: process.stdin, terminal: false });
lines.on("line", (line) => {
  if (!line.trim()) return;
  const texts = JSON.parse(line);
  process.stdout.write(JSON.stringify(texts.map(decode)) + "\n");
});
