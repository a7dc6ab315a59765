'use strict';
// Hookline's dashboard: plain JavaScript over the processor's own API, no framework, nothing from elsewhere.
// Every URL is relative, so that it works where a reverse proxy serves the processor under a path (/hookline/).
// Pages: #/ (overview), #/job/<key> (one job), #/ops (silences, dead letters, receivers). What changed arrives on
// api/live (server-sent events); the page then reloads what it shows.

const PAGE_SIZE = 50;
const OVERVIEW_DAYS = 14;
// The overview lists the latest firing alerts and counts them all: an outage can fire one for every job.
const FIRING_SHOWN = 100;
// The ops page lists the oldest dead letters; "Replay all" sends every one (after a receiver's outage).
const DEAD_SHOWN = 100;
const JOB_DAYS = 35;
const ZONE = (Intl.DateTimeFormat().resolvedOptions().timeZone) || 'UTC';
const SYMBOL = {ok: '\u2713', warning: '!', failed: '\u2717', missed: '?', running: '\u25b6', none: '', unknown: ''};
const WORDS = {ok: 'succeeded', warning: 'warning', failed: 'failed', missed: 'missed (a run was due, none came)',
  running: 'running', none: 'nothing due', unknown: 'not known'};

const session = {csrf: '', role: null, operator: null};
let current = {render: null, jobs: null, key: null};

// ---- text and time -------------------------------------------------------------------------------------------
function esc(value) {
  return (value === null || value === undefined ? '' : String(value))
    .replace(/[&<>"']/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]));
}
function ago(iso) {
  if (!iso) return '';
  const s = Math.round((Date.now() - Date.parse(iso)) / 1000);
  const future = s < 0;
  const a = Math.abs(s);
  const text = a < 90 ? a + ' s' : a < 5400 ? Math.round(a / 60) + ' min' : a < 129600 ? Math.round(a / 3600) + ' h'
    : Math.round(a / 86400) + ' d';
  return future ? 'in ' + text : text + ' ago';
}
function when(iso) {
  if (!iso) return '';
  // The words ("5 min ago") are filled in after drawing and every 10 s, so that the HTML stays the same while
  // the data does.
  return '<time datetime="' + esc(iso) + '" title="' + esc(new Date(iso).toLocaleString()) + '"></time>';
}
function duration(ms) {
  if (ms === null || ms === undefined) return '';
  const s = Math.round(ms / 1000);
  if (s < 120) return s + ' s';
  if (s < 7200) return Math.round(s / 60) + ' min';
  return (s / 3600).toFixed(1) + ' h';
}
function bytes(n) {
  if (n === null || n === undefined) return '';
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let v = n, i = 0;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return (i === 0 ? v : v.toFixed(v < 10 ? 2 : 1)) + ' ' + units[i];
}
function status(word, extra) {
  return '<span class="status ' + esc(word) + (extra ? ' ' + esc(extra) : '') + '">' + esc(word) + '</span>';
}
function jobLink(key, text) {
  return '<a href="#/job/' + encodeURIComponent(key) + '">' + esc(text || key) + '</a>';
}
function table(headers, rows, empty, caption) {
  if (rows.length === 0) return '<div class="empty">' + empty + '</div>';
  return '<div class="scroll"><table>' + (caption ? '<caption class="sr">' + esc(caption) + '</caption>' : '')
    + '<thead><tr>' + headers.map(h => '<th scope="col">' + h + '</th>').join('') + '</tr></thead><tbody>'
    + rows.map(cells => '<tr>' + cells.map((c, i) => '<td data-label="' + esc(headers[i].replace(/<[^>]*>/g, '')) + '">'
      + c + '</td>').join('') + '</tr>').join('')
    + '</tbody></table></div>';
}
const operates = () => session.role === 'operate' || session.role === 'anonymous';

// ---- the API ---------------------------------------------------------------------------------------------------
class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}
async function api(path, options) {
  const init = Object.assign({credentials: 'same-origin', headers: {}}, options || {});
  if (init.method && init.method !== 'GET') {
    init.headers['X-CSRF-Token'] = session.csrf;
    if (init.body !== undefined) init.headers['Content-Type'] = 'application/json';
  }
  const response = await fetch('api/' + path, init);
  const text = await response.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
  if (response.status === 401) {
    showLogin(true);
    throw new ApiError(401, (body && body.error) || 'log in first');
  }
  if (!response.ok) {
    throw new ApiError(response.status, (body && body.error) || ('api/' + path + ' answered ' + response.status));
  }
  return {body, headers: response.headers};
}
function notice(text) {
  document.getElementById('notice').textContent = text || '';
}
// What an action said it did ("Silenced this job for 1 hour."), kept across redraws until the page changes.
let flashes = {};
function done(id, text) {
  flashes[id] = text;
  showFlashes();
}
function showFlashes() {
  for (const [id, text] of Object.entries(flashes)) {
    const el = document.getElementById(id);
    if (el) el.textContent = text;
  }
}
function tick() {
  document.querySelectorAll('time[datetime]').forEach(t => { t.textContent = ago(t.getAttribute('datetime')); });
}
setInterval(tick, 10000);
async function act(button, work, doneId, doneText) {
  button.disabled = true;
  try {
    await work();
    notice('');
    await refresh();
    if (doneId) done(doneId, doneText);
  } catch (e) {
    notice(e.message);
  } finally {
    button.disabled = false;
  }
}

// ---- login -----------------------------------------------------------------------------------------------------
function showLogin(shown) {
  document.getElementById('login').hidden = !shown;
  document.getElementById('view').hidden = shown;
  if (shown) document.getElementById('token').focus();
}
function loggedIn(who) {
  session.csrf = who.csrf || '';
  session.role = who.role;
  session.operator = who.operator;
  showLogin(false);
  document.getElementById('who').textContent = who.operator + ' (' + (who.role === 'read' ? 'read only' : who.role) + ')';
  document.getElementById('logout').hidden = false;
}
document.getElementById('login').addEventListener('submit', async event => {
  event.preventDefault();
  try {
    const answer = await api('session', {method: 'POST', body: JSON.stringify({token: document.getElementById('token').value})});
    document.getElementById('token').value = '';
    loggedIn(answer.body);
    notice('');
    live();
    route();
  } catch (e) {
    notice(e.status === 401 ? 'That token is not an operator\'s.' : e.message);
  }
});
document.getElementById('logout').addEventListener('click', async () => {
  try { await api('session', {method: 'DELETE'}); } catch (e) { /* logged out either way */ }
  session.role = null;
  document.getElementById('who').textContent = '';
  document.getElementById('logout').hidden = true;
  showLogin(true);
});

// ---- the run calendar ------------------------------------------------------------------------------------------
function dayLabel(date) {
  const d = new Date(date + 'T12:00:00');
  return d.toLocaleDateString(undefined, {weekday: 'short', month: 'short', day: 'numeric'});
}
function calendar(days, big) {
  if (!days) return '';
  return '<span class="cal' + (big ? ' big' : '') + '" role="list">' + days.map(d => {
    const counts = d.runs ? ' (' + d.runs + ' run' + (d.runs > 1 ? 's' : '') + ': ' + [d.succeeded && d.succeeded + ' succeeded',
      d.warnings && d.warnings + ' with warnings', d.failed && d.failed + ' failed'].filter(Boolean).join(', ') + ')' : '';
    const label = dayLabel(d.date) + ': ' + WORDS[d.outcome] + counts;
    return '<span role="listitem" class="d ' + esc(d.outcome) + '" data-date="' + esc(d.date) + '" data-outcome="'
      + esc(d.outcome) + '" title="' + esc(label) + '" aria-label="' + esc(label) + '">' + (SYMBOL[d.outcome] || '') + '</span>';
  }).join('') + '</span>';
}
function legend() {
  return '<div class="legend" aria-hidden="true">' + ['ok', 'warning', 'failed', 'missed', 'running', 'none', 'unknown']
    .map(o => '<span><span class="d ' + o + '">' + (SYMBOL[o] || '') + '</span>' + esc(WORDS[o]) + '</span>').join('')
    + '<span>days in ' + esc(ZONE) + ', today on the right</span></div>';
}

// ---- overview --------------------------------------------------------------------------------------------------
function params() {
  const hash = location.hash.replace(/^#\/?/, '');
  const q = hash.indexOf('?');
  return new URLSearchParams(q >= 0 ? hash.substring(q + 1) : '');
}
function setParams(next) {
  const clean = new URLSearchParams();
  for (const [k, v] of next) if (v) clean.set(k, v);
  const text = clean.toString();
  history.replaceState(null, '', '#/' + (text ? '?' + text : ''));
}
let cursors = [];
async function overview() {
  const p = params();
  const query = new URLSearchParams();
  for (const k of ['source', 'kind', 'host', 'status', 'q']) if (p.get(k)) query.set(k, p.get(k));
  query.set('limit', PAGE_SIZE);
  query.set('calendar', OVERVIEW_DAYS);
  query.set('tz', ZONE);
  const after = cursors.length ? cursors[cursors.length - 1] : null;
  if (after) query.set('after', after);
  const [jobs, summary, alerts] = await Promise.all([api('jobs?' + query), api('jobs/summary'), api('alerts?status=firing&limit=' + FIRING_SHOWN)]);
  const total = Number(jobs.headers.get('X-Total-Count') || jobs.body.length);
  const more = !!jobs.headers.get('Link');
  const counts = {};
  const facets = {source: [], kind: [], host: []};
  for (const row of summary.body) {
    if (row.field === 'status') counts[row.value] = row.count;
    else if (facets[row.field]) facets[row.field].push(row.value);
  }
  const all = Object.values(counts).reduce((a, b) => a + b, 0);
  const firing = alerts.body;
  const firingTotal = Number(alerts.headers.get('X-Total-Count') || firing.length);
  const view = document.getElementById('view');
  const statusButtons = [['', 'all jobs', all], ['failing', 'failing', counts.failing || 0], ['warning', 'warning', counts.warning || 0],
    ['running', 'running', counts.running || 0], ['ok', 'ok', counts.ok || 0], ['new', 'new', counts.new || 0]]
    .map(([value, word, n]) => '<button type="button" data-status="' + value + '" aria-pressed="' + ((p.get('status') || '') === value)
      + '"><span class="n">' + n + '</span> ' + esc(word) + '</button>').join('');
  const option = (name, values, label) => '<div><label for="f-' + name + '">' + label + '</label><select id="f-' + name
    + '" name="' + name + '"><option value="">any</option>' + values.map(v => '<option' + (p.get(name) === v ? ' selected' : '')
    + ' value="' + esc(v) + '">' + esc(v) + '</option>').join('') + '</select></div>';
  const first = cursors.length * PAGE_SIZE + 1;
  current.jobs = new Set(jobs.body.map(j => j.jobKey));
  if (!paint(view, '<h1>Backup jobs</h1>'
    + '<div class="counts" role="group" aria-label="Jobs by status">' + statusButtons
    + '<a class="status firing" href="#alerts" id="firing-count">' + firingTotal + ' alert' + (firingTotal === 1 ? '' : 's') + ' firing</a></div>'
    + '<h2 id="alerts">Firing alerts</h2>'
    + table(['Severity', 'Condition', 'Job', 'Summary', 'Since', 'Silenced'], firing.map(a => [
      status(a.severity), esc(a.condition), jobLink(a.jobKey), esc(a.summary), when(a.startsAt),
      a.silencedBy ? '<span class="status silenced">silenced</span>' : '']), 'No alert is firing.', 'Firing alerts')
    + (firingTotal > firing.length ? '<p class="muted small" id="firing-more">The ' + firing.length + ' latest of ' + firingTotal
      + ' firing alerts. A job\'s page lists its own; <code>/api/alerts?status=firing</code> lists them all, a page at a time.</p>' : '')
    + '<h2>Jobs</h2>'
    + '<form class="filters" id="filters" role="search" aria-label="Filter the jobs">'
    + '<div class="text"><label for="f-q">Job, name or host contains</label><input id="f-q" name="q" type="search" value="'
    + esc(p.get('q') || '') + '" placeholder="e.g. esxi"></div>'
    + option('source', facets.source, 'Source') + option('kind', facets.kind, 'Kind') + option('host', facets.host, 'Host')
    + option('status', ['failing', 'warning', 'running', 'ok', 'new'], 'Status')
    + '<div><button type="button" id="clear">Clear filters</button></div></form>'
    + legend()
    + '<div id="jobs">' + table(['Status', 'Job', 'Host', 'Last run', 'Last ' + OVERVIEW_DAYS + ' days'],
      jobs.body.map(j => [status(j.status), jobLink(j.jobKey) + (j.name && j.name !== j.job ? '<br><span class="muted small">' + esc(j.name) + '</span>' : ''),
        esc(j.host),
        j.lastRun ? status(j.lastRun.outcome) + ' ' + when(j.lastRun.finishedAt)
          + (j.lastRun.errorMessage ? '<br><span class="muted small">' + esc(j.lastRun.errorMessage) + '</span>' : '') : '<span class="muted">no run yet</span>',
        calendar(j.days)]),
      all === 0 ? 'No job has sent a hook yet. <code>./hookline up</code> prints one example per kind of source.' : 'No job matches these filters.',
      'Jobs') + '</div>'
    + '<div class="pager"><button type="button" id="prev"' + (cursors.length ? '' : ' disabled') + '>Previous page</button>'
    + '<span>' + (jobs.body.length ? 'jobs ' + first + '\u2013' + (first + jobs.body.length - 1) + ' of ' + total : total + ' jobs') + '</span>'
    + '<button type="button" id="next"' + (more ? '' : ' disabled') + '>Next page</button></div>')) return;
  view.querySelectorAll('.counts button').forEach(b => b.addEventListener('click', () => {
    const next = params(); next.set('status', b.dataset.status); cursors = []; setParams(next); overview().catch(failed);
  }));
  const form = document.getElementById('filters');
  let typing = null;
  const apply = () => {
    const next = new URLSearchParams();
    for (const el of form.elements) if (el.name && el.value) next.set(el.name, el.value);
    cursors = [];
    setParams(next);
    overview().then(() => {
      const input = document.getElementById('f-q');
      if (document.activeElement === document.body && input) { input.focus(); input.setSelectionRange(input.value.length, input.value.length); }
    }).catch(failed);
  };
  form.addEventListener('submit', e => { e.preventDefault(); apply(); });
  form.querySelectorAll('select').forEach(s => s.addEventListener('change', apply));
  document.getElementById('f-q').addEventListener('input', () => { clearTimeout(typing); typing = setTimeout(apply, 300); });
  document.getElementById('clear').addEventListener('click', () => { cursors = []; setParams(new URLSearchParams()); overview().catch(failed); });
  document.getElementById('next').addEventListener('click', () => {
    if (jobs.body.length) { cursors.push(jobs.body[jobs.body.length - 1].jobKey); overview().catch(failed); }
  });
  document.getElementById('prev').addEventListener('click', () => { cursors.pop(); overview().catch(failed); });
}

// ---- a job -----------------------------------------------------------------------------------------------------
function chart(points, field, median, format, label) {
  const values = points.filter(p => p[field] !== null && p[field] !== undefined);
  if (values.length < 2) return '<figure><figcaption>' + esc(label) + '</figcaption><p class="muted">Not enough runs with a ' + esc(label.toLowerCase()) + ' yet.</p></figure>';
  const W = 600, H = 180, L = 58, R = 10, T = 10, B = 26;
  // Runs evenly spaced, oldest on the left (a night's retry would otherwise hide behind its first run).
  const times = points.map(p => Date.parse(p.at));
  const t0 = Math.min(...times), t1 = Math.max(...times);
  const place = new Map(points.map((p, i) => [p, i]));
  const all = values.map(p => p[field]).concat(points.map(p => p[median]).filter(v => v !== null && v !== undefined));
  const top = Math.max(...all) * 1.1 || 1;
  const x = p => L + (points.length < 2 ? (W - L - R) / 2 : place.get(p) / (points.length - 1) * (W - L - R));
  const y = v => T + (H - T - B) * (1 - v / top);
  const line = (list, key) => list.map((p, i) => (i ? 'L' : 'M') + x(p).toFixed(1) + ' ' + y(p[key]).toFixed(1)).join(' ');
  const medians = points.filter(p => p[median] !== null && p[median] !== undefined);
  const svg = '<svg class="chart" viewBox="0 0 ' + W + ' ' + H + '" preserveAspectRatio="none" role="img" aria-label="'
    + esc(label + ' of the last ' + values.length + ' runs' + (medians.length ? ', with the median the anomaly rule compares with' : '')) + '">'
    + '<line class="axis" x1="' + L + '" y1="' + (H - B) + '" x2="' + (W - R) + '" y2="' + (H - B) + '"/>'
    + '<line class="axis" x1="' + L + '" y1="' + T + '" x2="' + L + '" y2="' + (H - B) + '"/>'
    + '<text x="' + (L - 4) + '" y="' + (T + 10) + '" text-anchor="end">' + esc(format(top)) + '</text>'
    + '<text x="' + (L - 4) + '" y="' + (H - B) + '" text-anchor="end">0</text>'
    + '<text x="' + L + '" y="' + (H - 8) + '">' + esc(new Date(t0).toLocaleDateString()) + '</text>'
    + '<text x="' + (W - R) + '" y="' + (H - 8) + '" text-anchor="end">' + esc(new Date(t1).toLocaleDateString()) + '</text>'
    + (medians.length > 1 ? '<path class="median" d="' + line(medians, median) + '"/>' : '')
    + '<path class="value" d="' + line(values, field) + '"/>'
    + values.map(p => '<circle class="pt ' + esc(p.outcome) + '" r="4" cx="' + x(p).toFixed(1) + '" cy="' + y(p[field]).toFixed(1)
      + '"><title>' + esc(new Date(p.at).toLocaleString() + ': ' + format(p[field]) + ' (' + p.outcome + ')') + '</title></circle>').join('')
    + '</svg>';
  const rows = values.map(p => [esc(new Date(p.at).toLocaleString()), esc(format(p[field])), esc(p[median] === null ? '' : format(p[median])), status(p.outcome)]);
  return '<figure><figcaption>' + esc(label) + ' <span class="muted small">(solid: each run; dashed: the median of the successful runs before it, what the anomaly rule compares with)</span></figcaption>'
    + svg + '<details><summary>As a table</summary>' + table(['Run', label, 'Median before', 'Outcome'], rows, '') + '</details></figure>';
}
function silenceControls(job) {
  if (!operates()) return '<p class="muted small">Your role is read only: silences, pins and replays need the operate role.</p>';
  return '<form class="actions" id="silence-form" aria-label="Silence this job or its host">'
    + '<div><label for="s-what">Silence</label><select id="s-what"><option value="job">this job</option>'
    + (job.host ? '<option value="host">every job of host ' + esc(job.host) + '</option>' : '') + '</select></div>'
    + '<div><label for="s-for">for</label><select id="s-for"><option value="1h">1 hour</option><option value="4h">4 hours</option>'
    + '<option value="12h">12 hours</option><option value="1d">1 day</option><option value="7d">7 days</option></select></div>'
    + '<div><label for="s-why">Comment</label><input id="s-why" maxlength="1000" placeholder="why (shown with the silence)"></div>'
    + '<div><button type="submit" class="primary" id="silence">Silence</button></div>'
    + '<div class="done" id="silence-done" role="status"></div></form>';
}
async function jobPage(key) {
  const enc = key.split('/').map(encodeURIComponent).join('/');
  const [jobAnswer, retention, alerts, silences] = await Promise.all([
    api('jobs/' + enc + '?calendar=' + JOB_DAYS + '&tz=' + encodeURIComponent(ZONE)),
    api('jobs/' + enc + '/retention').catch(() => null),
    api('alerts?job=' + encodeURIComponent(key)),
    api('silences')]);
  const job = jobAnswer.body;
  const mine = silences.body.filter(s => !s.expired && ((s.matchers.job && globMatch(s.matchers.job, key)) || (s.matchers.host && job.host && globMatch(s.matchers.host, job.host))));
  const schedule = job.schedule;
  const runs = job.recentRuns || [];
  current.key = key;
  const view = document.getElementById('view');
  const points = retention && retention.body ? retention.body.restorePoints : [];
  const pending = retention && retention.body ? retention.body.pendingPrunes : [];
  if (!paint(view, '<p><a href="#/">\u2190 All jobs</a></p>'
    + '<h1>' + status(job.status) + ' ' + esc(job.jobKey) + '</h1>'
    + '<dl class="facts">'
    + fact('Name', esc(job.name)) + fact('Host', esc(job.host)) + fact('Source', esc(job.source) + ' <span class="muted">(' + esc(job.sourceKind) + ')</span>')
    + fact('Schedule', schedule && schedule.schedule ? esc(schedule.schedule) + ' <span class="muted small">(rule ' + esc(schedule.rule) + ')</span>' : '<span class="muted">none in the rules: no missed-run alert</span>')
    + fact('Next run expected', schedule && schedule.nextExpectedAt ? when(schedule.nextExpectedAt) + ' <span class="muted small">late after ' + esc(new Date(schedule.lateAfter).toLocaleString()) + '</span>' : '<span class="muted">\u2014</span>')
    + fact('Last success', job.lastSuccessAt ? when(job.lastSuccessAt) : '<span class="muted">never</span>')
    + fact('Runs', esc(job.runs) + ' <span class="muted small">(' + esc(job.succeeded) + ' ok, ' + esc(job.warnings) + ' warnings, ' + esc(job.failed) + ' failed)</span>')
    + fact('Failures in a row', esc(job.consecutiveFailures))
    + fact('Running', job.running ? 'since ' + when(job.running.startedAt) : '<span class="muted">no</span>')
    + '</dl>'
    + silenceControls(job)
    + (mine.length ? '<h2>Silences muting it</h2>' + table(['Matches', 'Until', 'By', 'Comment', ''], mine.map(s => [
      esc(Object.entries(s.matchers).map(([k, v]) => k + '=' + v).join(', ')), s.endsAt ? esc(new Date(s.endsAt).toLocaleString()) : 'until ended',
      esc(s.createdBy), esc(s.comment), operates() ? '<button type="button" class="danger" data-unsilence="' + esc(s.id) + '">End silence</button>' : '']), '') : '')
    + '<h2>Last ' + JOB_DAYS + ' days</h2>' + legend() + calendar(job.days, true)
    + '<h2>Alerts</h2>' + table(['Status', 'Severity', 'Condition', 'Summary', 'Since', 'Updated'], alerts.body.map(a => [
      status(a.status) + (a.silencedBy ? ' <span class="status silenced">silenced</span>' : ''), esc(a.severity), esc(a.condition),
      esc(a.summary), when(a.startsAt), when(a.updatedAt)]), 'No alert for this job.', 'Alerts of this job')
    + '<h2>Duration and size</h2><div class="charts">'
    + chart(job.series || [], 'durationMs', 'medianDurationMs', duration, 'Duration')
    + chart(job.series || [], 'bytes', 'medianBytes', bytes, 'Size') + '</div>'
    + '<h2>Runs</h2>' + table(['Outcome', 'Started', 'Finished', 'Duration', 'Size', 'Files', 'Errors', 'Caused by'], runs.map(r => [
      status(r.outcome), r.startedAt ? esc(new Date(r.startedAt).toLocaleString()) : '', when(r.finishedAt), esc(duration(r.durationMs)),
      esc(bytes(r.bytes)), esc(r.files), errors(r),
      r.causedBy ? 'rule ' + esc(r.causedBy.rule) + ' after ' + r.causedBy.upstream.map(u => jobLink(u.jobKey)).join(', ') : '']),
      'No run has ended yet.', 'Runs of this job')
    + '<h2>Restore points</h2>' + restorePoints(job, retention ? retention.body : null, points, pending)
    + '<h2>Chained runs</h2>' + chained(job))) return;
  const form = document.getElementById('silence-form');
  if (form) form.addEventListener('submit', e => {
    e.preventDefault();
    const what = document.getElementById('s-what').value;
    const matchers = what === 'host' ? {host: job.host} : {job: key};
    const forText = document.getElementById('s-for').selectedOptions[0].textContent;
    const body = JSON.stringify({matchers, duration: document.getElementById('s-for').value,
      comment: document.getElementById('s-why').value});
    act(document.getElementById('silence'), async () => {
      await api('silences', {method: 'POST', body, headers: {'Idempotency-Key': silenceKey(body)}});
      pendingSilence = null;
    }, 'silence-done', 'Silenced ' + (what === 'host' ? 'host ' + job.host : 'this job') + ' for ' + forText + '.');
  });
  view.querySelectorAll('[data-unsilence]').forEach(b => b.addEventListener('click', () =>
    act(b, () => api('silences/' + encodeURIComponent(b.dataset.unsilence), {method: 'DELETE'}))));
  view.querySelectorAll('[data-pin]').forEach(b => b.addEventListener('click', () =>
    act(b, () => api('jobs/' + enc + '/restore-points/' + encodeURIComponent(b.dataset.pin) + '/pin', {method: b.dataset.pinned === 'true' ? 'DELETE' : 'POST'}))));
}
// The silence being asked for and its Idempotency-Key: the same silence asked again (after a 503 while Kafka did not
// answer, which may still have made it) keeps its key, so the processor makes it once.
let pendingSilence = null;
function silenceKey(body) {
  if (!pendingSilence || pendingSilence.body !== body) {
    const random = crypto.getRandomValues(new Uint8Array(16));
    pendingSilence = {body, key: Array.from(random, b => b.toString(16).padStart(2, '0')).join('')};
  }
  return pendingSilence.key;
}
function fact(name, value) {
  return '<div><dt>' + esc(name) + '</dt><dd>' + value + '</dd></div>';
}
function errors(run) {
  const list = run.errors || [];
  if (!run.errorMessage && list.length === 0) return '';
  const head = esc(run.errorMessage || list[0]);
  if (list.length <= 1 && (!run.errorMessage || list.length === 0 || list[0] === run.errorMessage)) return head;
  return '<details><summary>' + head + ' <span class="muted">(' + (run.errorCount || list.length) + ')</span></summary><pre>'
    + list.map(esc).join('\n') + '</pre></details>';
}
function restorePoints(job, retention, points, pending) {
  if (!retention) return '<div class="empty">Not available.</div>';
  const policy = retention.policy;
  const head = policy ? '<p>Policy <code>' + esc(policy.match) + '</code> (' + esc(policy.style) + ', line ' + esc(policy.line) + ')'
    + (policy.enforce ? ': <strong>enforced</strong>, pruned through ' + esc(policy.prune && (policy.prune.agent ? policy.prune.agent + ' ' + policy.prune.action : 'webhook ' + policy.prune.webhook)) : ': reported only (enforce: false)') + '</p>'
    : '<p class="muted">No retention policy matches this job: every point is kept.</p>';
  const waiting = {};
  for (const p of pending) waiting[p.restorePoint] = p;
  return head + table(['Restore point', 'Created', 'Decision', 'Why', 'Location', ''], points.map(p => [
    esc(p.id) + (p.pinned ? ' <span class="status ok">pinned</span>' : ''), esc(new Date(p.time).toLocaleString()),
    (p.keep ? status('ok').replace('>ok<', '>keep<') : status('failed').replace('>failed<', '>prune<'))
      + (waiting[p.id] ? '<br><span class="status ' + esc(waiting[p.id].status) + '">prune ' + esc(waiting[p.id].status) + '</span>'
        + (waiting[p.id].error ? ' <span class="small muted">' + esc(waiting[p.id].error) + '</span>' : '') : '')
      + (p.flag ? '<br><span class="small muted">' + esc(p.flag) + '</span>' : ''),
    esc((p.reasons || []).join(', ') || (p.wouldKeep || []).map(w => 'would keep as ' + w).join(', ')), esc(p.location),
    operates() ? '<button type="button" data-pin="' + esc(p.id) + '" data-pinned="' + p.pinned + '">' + (p.pinned ? 'Unpin' : 'Pin') + '</button>' : '']),
  'No restore point yet.', 'Restore points');
}
function chained(job) {
  const to = (job.commands || []).map(c => [status(c.status), 'rule ' + esc(c.rule), esc(c.agent ? c.agent + ' ' + c.action : ''),
    (c.upstream || []).map(u => jobLink(u.jobKey)).join(', '), when(c.queuedAt)]);
  const from = (job.triggered || []).map(c => [status(c.status), 'rule ' + esc(c.rule), esc(c.agent ? c.agent + ' ' + c.action : c.kind),
    jobLink(c.jobKey), when(c.createdAt)]);
  return '<h3 class="small">Its runs started</h3>' + table(['Status', 'Rule', 'Action', 'Job', 'Queued'], from, 'None of its runs started another job.', 'Chained runs it started')
    + '<h3 class="small">Started by</h3>' + table(['Status', 'Rule', 'Action', 'After', 'Queued'], to, 'No chain starts this job.', 'Chained commands addressed to it');
}
function globMatch(glob, text) {
  const re = new RegExp('^' + glob.split('').map(c => c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')).join('') + '$');
  return re.test(text);
}

// ---- silences, dead letters, receivers -------------------------------------------------------------------------
async function ops() {
  const [silences, dead, rules] = await Promise.all([api('silences'), api('dead-letters?limit=' + DEAD_SHOWN), api('rules')]);
  const deadTotal = Number(dead.headers.get('X-Total-Count') || dead.body.length);
  const view = document.getElementById('view');
  const active = silences.body.filter(s => !s.expired);
  if (!paint(view, '<h1>Silences, dead letters, receivers</h1><div class="done" id="ops-done" role="status"></div>'
    + '<h2>Silences</h2>' + table(['Matches', 'From', 'Until', 'By', 'Comment', 'Now', ''], active.map(s => [
      esc(Object.entries(s.matchers).map(([k, v]) => k + '=' + v).join(', ') || (s.untilResolved ? 'until ' + s.untilResolved + ' resolves' : '')),
      esc(new Date(s.startsAt).toLocaleString()), s.endsAt ? esc(new Date(s.endsAt).toLocaleString()) : 'until ended', esc(s.createdBy), esc(s.comment),
      s.activeNow ? '<span class="status silenced">muting</span>' : '<span class="muted">not now</span>',
      operates() ? '<button type="button" class="danger" data-unsilence="' + esc(s.id) + '">End silence</button>' : '']),
    'No silence. Silence a job or a host from its job page.', 'Silences')
    + '<h2>Dead letters</h2><p class="muted small">Notifications given up on after their retries. A replay sends the same message again, with the same idempotency key.</p>'
    + (deadTotal > dead.body.length ? '<p class="muted small" id="dead-more">The ' + dead.body.length + ' oldest of ' + deadTotal + ' dead letters.</p>' : '')
    + (operates() && deadTotal > 1 ? '<p><button type="button" id="replay-all">Replay all ' + deadTotal + ' dead letters</button></p>' : '')
    + table(['Receiver', 'Alert', 'Attempts', 'Last answer', 'Given up', ''], dead.body.map(d => [
      esc(d.receiver) + ' <span class="muted">(' + esc(d.channel) + ')</span>', esc(d.summary) + '<br><span class="muted small">' + esc(d.alertKey) + '</span>',
      esc(d.attempts), esc(d.lastStatus) + ' ' + esc(d.lastMessage), when(d.deadAt),
      operates() ? '<button type="button" data-replay="' + esc(d.notificationId) + '">Replay</button>' : '']),
    'No dead letter: every notification was delivered.', 'Dead letters')
    + '<h2>Receivers</h2>' + table(['Receiver', 'Type', ''], rules.body.receivers.map(r => [esc(r.name), esc(r.type),
      operates() ? '<button type="button" data-test="' + esc(r.name) + '">Send a test message</button>' : '']),
    'The rules have no receiver.', 'Receivers'))) return;
  view.querySelectorAll('[data-unsilence]').forEach(b => b.addEventListener('click', () =>
    act(b, () => api('silences/' + encodeURIComponent(b.dataset.unsilence), {method: 'DELETE'}), 'ops-done', 'Silence ended.')));
  view.querySelectorAll('[data-replay]').forEach(b => b.addEventListener('click', () =>
    act(b, () => api('dead-letters/' + encodeURIComponent(b.dataset.replay) + '/replay', {method: 'POST'}), 'ops-done', 'Replaying the dead letter.')));
  const all = document.getElementById('replay-all');
  if (all) all.addEventListener('click', () =>
    act(all, () => api('dead-letters/replay', {method: 'POST'}), 'ops-done', 'Replaying every dead letter, the oldest first.'));
  view.querySelectorAll('[data-test]').forEach(b => b.addEventListener('click', async () => {
    b.disabled = true;
    try {
      const answer = await api('receivers/' + encodeURIComponent(b.dataset.test) + '/test', {method: 'POST'});
      notice('');
      done('ops-done', 'Test message to ' + b.dataset.test + ': delivered' + (answer.body.httpStatus ? ' (HTTP ' + answer.body.httpStatus + ')' : '') + '.');
    } catch (e) {
      notice('Test message to ' + b.dataset.test + ' failed: ' + e.message);
    } finally {
      b.disabled = false;
    }
  }));
}

// Puts a page's HTML in place unless it is what is there already (then the elements, their focus and anything
// typed stay as they are); answers whether it did. Focus and a text field's caret survive a redraw.
let painted = null;
function paint(view, html) {
  if (html === painted && view.firstChild) return false;
  const active = document.activeElement;
  const id = active && active.id && view.contains(active) ? active.id : null;
  const caret = id && typeof active.selectionStart === 'number' ? [active.selectionStart, active.selectionEnd] : null;
  const typed = id && active.tagName === 'INPUT' ? active.value : null;
  painted = html;
  view.innerHTML = html;
  tick();
  showFlashes();
  if (id) {
    const again = document.getElementById(id);
    if (again) {
      if (typed !== null) again.value = typed;
      again.focus({preventScroll: true});
      if (caret) try { again.setSelectionRange(caret[0], caret[1]); } catch (e) { /* not a text field */ }
    }
  }
  return true;
}

// ---- routing and live updates ----------------------------------------------------------------------------------
function failed(e) {
  if (e.status !== 401) notice(e.message);
}
async function route() {
  const hash = location.hash.replace(/^#/, '') || '/';
  let page = 'overview';
  painted = null;
  flashes = {};
  current = {render: null, jobs: null, key: null};
  if (hash.startsWith('/job/')) {
    const key = decodeURIComponent(hash.substring(5));
    page = 'job';
    current.render = () => jobPage(key);
    document.title = key + ' \u00b7 Hookline';
  } else if (hash.startsWith('/ops')) {
    page = 'ops';
    current.render = ops;
    document.title = 'Silences, dead letters, receivers \u00b7 Hookline';
  } else {
    if (!hash.startsWith('/?') && hash !== '/') cursors = [];
    current.render = overview;
    document.title = 'Backup jobs \u00b7 Hookline';
  }
  document.querySelectorAll('[data-nav]').forEach(a => {
    if (a.dataset.nav === page) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  });
  try {
    await current.render();
    notice('');
  } catch (e) {
    failed(e);
  }
}
window.addEventListener('hashchange', () => {
  if (!location.hash.startsWith('#/?') && location.hash !== '#/') cursors = [];
  if (location.hash === '#alerts') return;
  route().then(() => document.getElementById('main').focus({preventScroll: true}));
});
let pending = null, lastRefresh = 0, source = null, polling = null;
async function refresh() {
  if (current.render) {
    try { await current.render(); } catch (e) { failed(e); }
  }
}
// Reloads what the page shows, at most every two seconds however much changes.
function changed(change) {
  const ours = change.all || change.alerts || change.silences || change.deadLetters
    || (current.key ? change.jobs.includes(current.key) : true);
  if (!ours || pending) return;
  const wait = Math.max(0, 2000 - (Date.now() - lastRefresh));
  pending = setTimeout(() => {
    pending = null;
    lastRefresh = Date.now();
    // Not while someone types or picks in a form: the next change will do.
    const busy = document.activeElement && document.activeElement.closest && document.activeElement.closest('form.actions');
    if (!busy) refresh();
  }, wait);
}
function live() {
  if (source) source.close();
  const badge = document.getElementById('live');
  source = new EventSource('api/live');
  let down = false;
  source.addEventListener('hello', () => {
    badge.textContent = 'live';
    badge.className = 'live on';
    if (polling) { clearInterval(polling); polling = null; }
    // Back after a break (the processor restarted, the network dropped): what changed meanwhile was not told.
    if (down) refresh();
    down = false;
  });
  source.addEventListener('change', e => changed(JSON.parse(e.data)));
  source.onerror = () => {
    down = true;
    badge.textContent = 'reconnecting';
    badge.className = 'live';
    // Without the stream (a proxy that refuses it), read again every 30 s.
    if (!polling) polling = setInterval(refresh, 30000);
  };
}
api('session').then(answer => { loggedIn(answer.body); live(); return route(); }).catch(e => {
  if (e.status !== 401) notice(e.message);
});
