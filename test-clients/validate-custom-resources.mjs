// Validates custom resources (a JSON array on standard input) against the schemas of their CRDs, as published in the
// kubernetes-models packages: cert-manager's and the Prometheus Operator's. One line a resource; exits 1 when any
// is invalid or of a kind no package knows.
const packages = {
  "cert-manager.io": "@kubernetes-models/cert-manager",
  "monitoring.coreos.com": "@kubernetes-models/prometheus-operator",
};

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const resources = JSON.parse(Buffer.concat(chunks).toString("utf8"));

let invalid = 0;
for (const resource of resources) {
  const [group, version] = resource.apiVersion.split("/");
  const name = `${resource.kind}/${resource.metadata.name}`;
  const modelPackage = packages[group];
  if (!modelPackage) {
    console.log(`unknown ${name}: no schema for ${resource.apiVersion}`);
    invalid++;
    continue;
  }
  const model = await import(`${modelPackage}/${group}/${version}/${resource.kind}`);
  try {
    new model[resource.kind](resource).validate();
    console.log(`valid ${name}`);
  } catch (error) {
    console.log(`invalid ${name}: ${error.message}`);
    invalid++;
  }
}
process.exit(invalid === 0 ? 0 : 1);
