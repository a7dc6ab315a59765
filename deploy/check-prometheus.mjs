// Checks what Prometheus and Grafana are given (run by the deploy module of ./mvnw verify: node check-prometheus.mjs):
//  - Prometheus's own promtool: `promtool test rules prometheus/hookline-rules.test.yml` (each rule fires on the series
//    of its incident, only after its `for`, with its labels and summary as rendered) and `promtool check config
//    prometheus/prometheus.yml`;
//  - prometheus/hookline-rules.yml: every expression parses as PromQL (Prometheus's own Lezer grammar), names the
//    scrape job it is about, and every rule has a severity, a summary and a description; prometheus.yml loads it,
//    docker-compose.yml mounts it, and k8s/base/monitoring.yaml holds the same rules;
//  - grafana/hookline.json: every panel's query parses.
// That every metric a rule or a panel uses is exported is checked by each service's DashboardMetricsTest.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { parseAllDocuments, parse } from 'yaml';
import { parser } from '@prometheus-io/lezer-promql';

const problems = [];
const JOBS = /job(=|=~)"hookline-(gateway|processor|\.\*)"/;
const SEVERITIES = new Set(['critical', 'warning']);

/** The positions where PromQL's grammar found an error in `expr`, empty when it parses. */
function promqlErrors(expr) {
  const errors = [];
  parser.parse(expr).iterate({ enter: node => { if (node.type.isError) errors.push(node.from); } });
  return errors;
}

function checkExpr(where, expr) {
  if (typeof expr !== 'string' || expr.trim() === '') {
    problems.push(`${where}: no expression`);
    return;
  }
  const errors = promqlErrors(expr);
  if (errors.length > 0) {
    problems.push(`${where}: not PromQL at ${errors.map(at => `column ${at + 1} ("${expr.slice(at, at + 12)}")`).join(', ')}: ${expr}`);
  }
  if (!JOBS.test(expr)) {
    problems.push(`${where}: names no Hookline scrape job (job="hookline-gateway" or job="hookline-processor"): ${expr}`);
  }
}

const rulesText = readFileSync('prometheus/hookline-rules.yml', 'utf8');
const rules = parse(rulesText);
const names = new Set();
let count = 0;
for (const group of rules?.groups ?? []) {
  for (const rule of group.rules ?? []) {
    count++;
    const where = `prometheus/hookline-rules.yml, ${rule.alert ?? `rule ${count}`}`;
    if (!/^Hookline[A-Za-z]+$/.test(rule.alert ?? '')) {
      problems.push(`${where}: an alert's name is Hookline followed by letters`);
    }
    if (names.has(rule.alert)) {
      problems.push(`${where}: named twice`);
    }
    names.add(rule.alert);
    checkExpr(where, rule.expr);
    if (rule.for !== undefined && !/^\d+[smh]$/.test(rule.for)) {
      problems.push(`${where}: for is a duration such as 5m, not ${rule.for}`);
    }
    if (!SEVERITIES.has(rule.labels?.severity)) {
      problems.push(`${where}: severity is critical or warning, not ${rule.labels?.severity}`);
    }
    for (const annotation of ['summary', 'description']) {
      if (!(rule.annotations?.[annotation] ?? '').trim()) {
        problems.push(`${where}: no ${annotation}`);
      }
    }
  }
}
if (count === 0) {
  problems.push('prometheus/hookline-rules.yml: no rules under groups[].rules');
}

const prometheus = parse(readFileSync('prometheus/prometheus.yml', 'utf8'));
if (!(prometheus.rule_files ?? []).includes('hookline-rules.yml')) {
  problems.push('prometheus/prometheus.yml: rule_files does not load hookline-rules.yml');
}
const compose = parse(readFileSync('../docker-compose.yml', 'utf8'));
const mounts = compose.services?.prometheus?.volumes ?? [];
if (!mounts.some(m => String(m).startsWith('./deploy/prometheus/hookline-rules.yml:/etc/prometheus/hookline-rules.yml'))) {
  problems.push('docker-compose.yml: the prometheus service does not mount deploy/prometheus/hookline-rules.yml beside its prometheus.yml');
}
const k8sRules = parseAllDocuments(readFileSync('../k8s/base/monitoring.yaml', 'utf8')).map(doc => doc.toJS())
  .filter(object => object?.kind === 'ConfigMap' && object.data?.['hookline-rules.yml'] !== undefined)
  .map(object => parse(object.data['hookline-rules.yml']));
if (k8sRules.length !== 1 || !isDeepStrictEqual(k8sRules[0], rules)) {
  problems.push('k8s/base/monitoring.yaml: its hookline-rules.yml is not the same as deploy/prometheus/hookline-rules.yml: copy it');
}

const dashboard = JSON.parse(readFileSync('grafana/hookline.json', 'utf8'));
let queries = 0;
for (const panel of dashboard.panels ?? []) {
  for (const target of panel.targets ?? []) {
    queries++;
    checkExpr(`grafana/hookline.json, panel "${panel.title}"`, target.expr);
  }
}

for (const args of [['test', 'rules', 'prometheus/hookline-rules.test.yml'], ['check', 'config', 'prometheus/prometheus.yml']]) {
  try {
    process.stdout.write(execFileSync('promtool', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
  } catch (e) {
    if (e.code === 'ENOENT') {
      problems.push('promtool is not installed: it comes with Prometheus (apt install prometheus) and tests the alerting rules about Hookline');
      break;
    }
    problems.push(`promtool ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`${count} alerting rules and ${queries} dashboard queries parse as PromQL; prometheus.yml, the compose file and k8s load the rules`);
