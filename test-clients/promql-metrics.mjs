// Parses PromQL expressions (a JSON array of strings on standard input) with the parser of Prometheus's own web UI,
// and prints, as a JSON array, each expression with the metric names it selects and its first syntax error (null
// when it parses). Exits 1 when any does not parse.
import { parser } from "@prometheus-io/lezer-promql";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const expressions = JSON.parse(Buffer.concat(chunks).toString("utf8"));

const results = expressions.map((expr) => {
  const metrics = new Set();
  let error = null;
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError && error === null) {
        error = `syntax error at ${node.from}: '${expr.slice(Math.max(0, node.from - 20), node.from + 20)}'`;
      }
      if (node.name === "VectorSelector") {
        const name = node.node.getChild("Identifier");
        if (name) metrics.add(expr.slice(name.from, name.to));
      }
    },
  });
  return { expr, error, metrics: [...metrics].sort() };
});
console.log(JSON.stringify(results));
process.exit(results.every((result) => result.error === null) ? 0 : 1);
