// Validate an AsyncAPI document with the official parser (@asyncapi/parser).
// Usage: node validate.mjs FILE   (or "-" for stdin). Exit 0 when valid, 1 with the
// diagnostics on stderr when it has errors, 2 on a usage or I/O problem.
import { readFileSync } from "node:fs";
import { Parser, DiagnosticSeverity } from "@asyncapi/parser";

const path = process.argv[2];
if (!path) {
  console.error("usage: node validate.mjs FILE|-");
  process.exit(2);
}

let text;
try {
  text = readFileSync(path === "-" ? 0 : path, "utf8");
} catch (error) {
  console.error(`cannot read ${path}: ${error.message}`);
  process.exit(2);
}

const parser = new Parser();
const { document, diagnostics } = await parser.parse(text);
const severities = ["error", "warning", "info", "hint"];
for (const d of diagnostics) {
  const where = (d.path || []).join("/");
  console.error(`${severities[d.severity] ?? d.severity} ${d.code} at /${where}: ${d.message}`);
}
const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
if (!document || errors.length > 0) {
  console.error(`invalid AsyncAPI document: ${errors.length} error(s)`);
  process.exit(1);
}
console.log(`valid AsyncAPI ${document.version()} document: ${document.channels().length} channel(s), ${document.messages().length} message(s)`);
