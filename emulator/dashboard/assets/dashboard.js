// Live dashboard of the Batch AI emulator. Uses only the emulator's own APIs: the ARM API
// (api-version 2018-05-01, any bearer token) and /emulator/v1/ (health, clock, events). Polls; no
// framework, no network beyond the page's own origin.
'use strict';

const API_VERSION = '2018-05-01';
const POLL_MS = 2000;
const MAX_EVENTS_SHOWN = 200;
const MAX_PAGES = 20;  // nextLink pages followed per list; lists longer than that are cut

const state = {
  backend: '',
  nowSeconds: NaN,          // the emulator's clock at the last poll
  subscriptions: new Set(),
  subscription: '',
  lastSequence: 0,
  events: [],               // every journal record seen, oldest first
  nodeCluster: new Map(),   // node id -> cluster id, from "allocated" records
  selectedJob: '',          // ARM id of the job whose output is shown
  outputFile: 'stdout',
  outputLength: -1,
  polling: false,
};

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null) continue;
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === undefined || c === null) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

function stateBadge(text) {
  return el('span', {class: 'state-' + String(text || '').toLowerCase()}, text || '–');
}

// Time as the emulator reports it, shortened for a table cell.
function shortTime(iso) {
  if (!iso) return '–';
  return String(iso).replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

async function request(method, path, body) {
  const headers = {'Authorization': 'Bearer dashboard', 'Accept': 'application/json'};
  const init = {method, headers, cache: 'no-store'};
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const text = await response.text();
  let json = null;
  if (text) {
    try { json = JSON.parse(text); } catch (e) { json = null; }
  }
  if (!response.ok) {
    const message = json && json.error ? `${json.error.code}: ${json.error.message}` : `HTTP ${response.status}`;
    throw new Error(`${method} ${path.split('?')[0]}: ${message}`);
  }
  return json;
}

function withVersion(path) {
  return path + (path.includes('?') ? '&' : '?') + 'api-version=' + API_VERSION;
}

// Every item of an ARM list, following nextLink (same origin, so only its path and query are used).
async function listAll(path) {
  const items = [];
  let next = withVersion(path);
  for (let page = 0; next && page < MAX_PAGES; ++page) {
    const body = await request('GET', next);
    items.push(...((body && body.value) || []));
    next = null;
    if (body && body.nextLink) {
      const url = new URL(body.nextLink, window.location.href);
      next = url.pathname + url.search;
    }
  }
  return items;
}

function idParts(id) {
  // /subscriptions/S/resourceGroups/RG/providers/Microsoft.BatchAI/workspaces/W[/kind/N[/jobs/J]]
  const seg = String(id || '').split('/');
  const at = (name) => {
    const i = seg.findIndex((s) => s.toLowerCase() === name);
    return i >= 0 && i + 1 < seg.length ? seg[i + 1] : '';
  };
  return {subscription: at('subscriptions'), group: at('resourcegroups'), workspace: at('workspaces'),
          experiment: at('experiments'), cluster: at('clusters'), fileServer: at('fileservers'),
          job: at('jobs')};
}

// ---------------------------------------------------------------------------------------------
// Clock and health

async function refreshClock() {
  const clock = await request('GET', '/emulator/v1/clock');
  state.backend = clock.backend || '';
  state.nowSeconds = Date.parse(clock.now) / 1000;
  $('clock-now').textContent = shortTime(clock.now);
  $('clock-backend').textContent = state.backend ? 'backend: ' + state.backend : '–';
  const scale = clock.timeScale;
  $('clock-scale').textContent = scale === 0 ? 'clock moves only when advanced'
                                 : (typeof scale === 'number' ? `×${scale}` : '');
  $('advance').hidden = state.backend !== 'sim';
}

async function advanceClock() {
  const seconds = Number($('advance-seconds').value);
  $('advance-button').disabled = true;
  try {
    await request('POST', '/emulator/v1/clock/advance', {seconds});
    await poll();
  } catch (error) {
    showStatus(error.message, true);
  } finally {
    $('advance-button').disabled = false;
  }
}

// ---------------------------------------------------------------------------------------------
// Event journal and the autoscale history

async function refreshEvents() {
  for (let round = 0; round < 50; ++round) {
    const body = await request('GET', `/emulator/v1/events?since=${state.lastSequence}&limit=1000`);
    const records = (body && body.value) || [];
    for (const r of records) {
      state.events.push(r);
      state.lastSequence = Math.max(state.lastSequence, r.seq);
      const sub = idParts(r.subject).subscription;
      if (sub) state.subscriptions.add(sub);
      if (r.kind === 'node' && r.details && r.details.cluster) state.nodeCluster.set(r.subject, r.details.cluster);
    }
    if (records.length < 1000) break;
  }
  renderEvents();
  renderSubscriptions();
}

function renderEvents() {
  const body = $('events').tBodies[0];
  const shown = state.events.slice(-MAX_EVENTS_SHOWN).reverse();
  $('events-count').textContent = `(${state.events.length} records, newest first)`;
  body.replaceChildren(...(shown.length ? shown.map((r) => el('tr', {},
      el('td', {}, r.seq), el('td', {}, shortTime(r.time)), el('td', {}, r.kind),
      el('td', {title: r.subject}, shortSubject(r.subject)), el('td', {}, r.from), el('td', {}, r.to),
      el('td', {}, r.reason + detailText(r.details))))
    : [emptyRow(7, 'no events yet')]));
}

function shortSubject(subject) {
  const p = idParts(subject);
  if (!p.workspace) return subject;
  return [p.group, p.workspace, p.experiment, p.cluster, p.fileServer, p.job].filter(Boolean).join('/') ||
         subject.split('/').slice(-1)[0];
}

function detailText(details) {
  const entries = Object.entries(details || {}).filter(([k]) => k !== 'cluster');
  return entries.length ? ' (' + entries.map(([k, v]) => `${k}=${v}`).join(', ') + ')' : '';
}

// Node count over time of one cluster, from node "allocated"/"deallocated" records, with the
// autoscaler's targets ("autoscale grows/shrinks") as markers.
function clusterHistory(clusterId) {
  const lower = clusterId.toLowerCase();
  const points = [];
  const targets = [];
  let nodes = 0;
  for (const r of state.events) {
    const t = Number(r.time_ns) / 1e9;
    if (r.kind === 'node') {
      const owner = (state.nodeCluster.get(r.subject) || '').toLowerCase();
      if (owner !== lower) continue;
      if (r.from === '' && r.to !== '') nodes += 1;
      else if (r.to === '' && r.from !== '') nodes = Math.max(0, nodes - 1);
      else continue;
      points.push([t, nodes]);
    } else if (r.kind === 'cluster' && String(r.subject).toLowerCase() === lower &&
               /^autoscale/.test(r.reason) && r.details && r.details.to !== undefined) {
      targets.push([t, Number(r.details.to)]);
    }
  }
  return {points, targets};
}

function renderChart(cluster, nowSeconds) {
  const {points, targets} = clusterHistory(cluster.id);
  const width = 320, height = 110, left = 28, bottom = 18, top = 8, right = 8;
  const created = Date.parse(cluster.properties.creationTime || '') / 1000;
  const start = Number.isFinite(created) ? created : (points.length ? points[0][0] : nowSeconds);
  const end = Math.max(nowSeconds, start + 1);
  const scale = cluster.properties.scaleSettings || {};
  const max = Math.max(1, ...points.map((p) => p[1]), ...targets.map((p) => p[1]),
                       (scale.autoScale && scale.autoScale.maximumNodeCount) || 0);
  const x = (t) => left + (width - left - right) * (t - start) / (end - start);
  const y = (n) => height - bottom - (height - bottom - top) * n / max;
  let d = `M${x(start).toFixed(1)},${y(0).toFixed(1)}`;
  let last = 0;
  for (const [t, n] of points) {
    d += ` L${x(t).toFixed(1)},${y(last).toFixed(1)} L${x(t).toFixed(1)},${y(n).toFixed(1)}`;
    last = n;
  }
  d += ` L${x(end).toFixed(1)},${y(last).toFixed(1)}`;
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('width', width);
  svg.setAttribute('height', height);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `nodes of ${cluster.name} over time`);
  const add = (tag, attrs, text) => {
    const node = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    svg.append(node);
  };
  add('line', {class: 'axis', x1: left, y1: y(0), x2: width - right, y2: y(0)});
  add('line', {class: 'axis', x1: left, y1: top, x2: left, y2: y(0)});
  add('text', {x: 2, y: y(max) + 4}, String(max));
  add('text', {x: 2, y: y(0) + 3}, '0');
  add('text', {x: left, y: height - 4}, shortTime(new Date(start * 1000).toISOString()).slice(11));
  add('text', {x: width - right - 60, y: height - 4}, shortTime(new Date(end * 1000).toISOString()).slice(11));
  add('path', {class: 'line', d});
  for (const [t, n] of targets) add('circle', {class: 'target', cx: x(t), cy: y(n), r: 3});
  return el('div', {class: 'chart', 'data-cluster': cluster.name},
            el('div', {}, el('strong', {}, cluster.name), ' ',
               el('span', {class: 'muted'}, 'nodes over time; dots: autoscale targets')), svg);
}

// ---------------------------------------------------------------------------------------------
// Resources

function renderSubscriptions() {
  const select = $('subscription');
  const known = [...state.subscriptions].sort();
  const have = [...select.options].map((o) => o.value);
  if (known.join('|') !== have.join('|')) {
    select.replaceChildren(...known.map((s) => el('option', {value: s}, s)));
  }
  if (!state.subscription && known.length) state.subscription = known[0];
  select.value = state.subscription;
}

function emptyRow(columns, text) {
  return el('tr', {}, el('td', {class: 'empty', colspan: columns}, text));
}

function nodeCounts(counts) {
  const c = counts || {};
  const parts = [['idle', c.idleNodeCount], ['running', c.runningNodeCount], ['preparing', c.preparingNodeCount],
                 ['leaving', c.leavingNodeCount], ['unusable', c.unusableNodeCount]];
  return el('span', {class: 'nodes'},
            ...parts.map(([name, n]) => el('span', {class: n ? 'state-' + name : 'muted'}, `${name} ${n || 0}`)));
}

function scaleText(scale) {
  if (!scale) return '–';
  if (scale.manual) return `manual → ${scale.manual.targetNodeCount}`;
  if (scale.autoScale) return `auto ${scale.autoScale.minimumNodeCount}..${scale.autoScale.maximumNodeCount}`;
  return '–';
}

async function refreshResources(nowSeconds) {
  const sub = state.subscription;
  if (!sub) {
    for (const id of ['workspaces', 'clusters', 'fileservers', 'jobs']) {
      $(id).tBodies[0].replaceChildren(emptyRow(9, 'nothing yet: create a workspace through the ARM API'));
    }
    return;
  }
  const workspaces = await listAll(`/subscriptions/${sub}/providers/Microsoft.BatchAI/workspaces`);
  const clusters = [], fileServers = [], experiments = [], jobs = [];
  await Promise.all(workspaces.map(async (ws) => {
    const [c, f, e] = await Promise.all([listAll(ws.id + '/clusters'), listAll(ws.id + '/fileServers'),
                                         listAll(ws.id + '/experiments')]);
    clusters.push(...c);
    fileServers.push(...f);
    experiments.push(...e);
    await Promise.all(e.map(async (exp) => jobs.push(...await listAll(exp.id + '/jobs'))));
  }));
  const byName = (a, b) => String(a.id).localeCompare(String(b.id));
  [clusters, fileServers, experiments, jobs].forEach((list) => list.sort(byName));

  $('workspaces').tBodies[0].replaceChildren(...(workspaces.length ? workspaces.sort(byName).map((ws) =>
    el('tr', {'data-name': ws.name}, el('td', {}, ws.name), el('td', {}, idParts(ws.id).group),
       el('td', {}, ws.location), el('td', {}, stateBadge(ws.properties.provisioningState)),
       el('td', {}, shortTime(ws.properties.creationTime)))) : [emptyRow(5, 'no workspaces')]));

  $('clusters').tBodies[0].replaceChildren(...(clusters.length ? clusters.map((c) => {
    const p = c.properties;
    const errors = (p.errors || []).map((e) => e.code).join(', ');
    return el('tr', {'data-name': c.name}, el('td', {}, c.name), el('td', {}, idParts(c.id).workspace),
              el('td', {}, p.vmSize), el('td', {}, scaleText(p.scaleSettings)),
              el('td', {}, stateBadge(p.allocationState), ` (${p.currentNodeCount || 0} nodes)`),
              el('td', {}, nodeCounts(p.nodeStateCounts)), el('td', {}, errors || '–'));
  }) : [emptyRow(7, 'no clusters')]));
  $('charts').replaceChildren(...clusters.map((c) => renderChart(c, nowSeconds)));

  // Usage comes from the emulator's own API: the ARM resource has no such field.
  const usages = await Promise.all(fileServers.map((f) =>
    request('GET', `/emulator/v1/storage?fileServerId=${encodeURIComponent(f.id)}`).catch(() => null)));
  $('fileservers').tBodies[0].replaceChildren(...(fileServers.length ? fileServers.map((f, i) => {
    const p = f.properties;
    const disks = p.dataDisks || {};
    const capacity = disks.diskCount && disks.diskSizeInGB ? `${disks.diskCount} × ${disks.diskSizeInGB} GB` : '–';
    const usage = usages[i] ? formatUsage(usages[i]) : 'not reported';
    const mount = p.mountSettings ? `${p.mountSettings.fileServerInternalIP || ''}:${p.mountSettings.mountPoint || ''}` : '–';
    return el('tr', {'data-name': f.name}, el('td', {}, f.name), el('td', {}, idParts(f.id).workspace),
              el('td', {}, p.vmSize), el('td', {}, capacity), el('td', {}, usage), el('td', {}, mount),
              el('td', {}, stateBadge(p.provisioningState)));
  }) : [emptyRow(7, 'no file servers')]));

  const expWithoutJobs = experiments.filter((e) => !jobs.some((j) => j.id.toLowerCase().startsWith(e.id.toLowerCase() + '/')));
  const rows = jobs.map((j) => {
    const p = j.properties;
    const info = p.executionInfo || {};
    const exit = info.exitCode !== undefined && info.exitCode !== null ? info.exitCode : '–';
    const row = el('tr', {'data-name': j.name, class: 'selectable' + (j.id === state.selectedJob ? ' selected' : ''),
                          onclick: () => selectJob(j.id)},
                   el('td', {}, j.name), el('td', {}, idParts(j.id).experiment),
                   el('td', {}, idParts(p.cluster && p.cluster.id).cluster), el('td', {}, p.nodeCount),
                   el('td', {}, stateBadge(p.executionState)), el('td', {}, shortTime(p.creationTime)),
                   el('td', {}, shortTime(info.startTime)), el('td', {}, shortTime(info.endTime)), el('td', {}, exit));
    return row;
  });
  for (const e of expWithoutJobs) rows.push(emptyRow(9, `experiment ${e.name}: no jobs`));
  $('jobs').tBodies[0].replaceChildren(...(rows.length ? rows : [emptyRow(9, 'no experiments')]));

  // Follow the newest running job until the user picks one.
  if (!state.selectedJob) {
    const running = jobs.filter((j) => j.properties.executionState === 'running');
    if (running.length) state.selectedJob = running[running.length - 1].id;
  }
  const selected = jobs.find((j) => j.id === state.selectedJob);
  if (selected) await refreshJobOutput(selected);
  else $('job-detail').hidden = true;
}

function formatUsage(u) {
  const gib = (n) => (Number(n) / 2 ** 30).toFixed(2) + ' GiB';
  const used = u.capacityBytes ? `${gib(u.usedBytes)} of ${gib(u.capacityBytes)}` : gib(u.usedBytes);
  return u.available === false ? `${used} (outage)` : used;
}

// ---------------------------------------------------------------------------------------------
// Job output: listOutputFiles(stdouterr), then the chosen file through its download URL.

function selectJob(id) {
  if (state.selectedJob !== id) state.outputLength = -1;
  state.selectedJob = id;
  poll();
}

async function refreshJobOutput(job) {
  $('job-detail').hidden = false;
  const p = job.properties;
  const info = p.executionInfo || {};
  $('job-detail-title').textContent = `${job.name} (${p.executionState})`;
  const errors = (info.errors || []).map((e) => `${e.code}: ${e.message}`).join('; ');
  $('job-detail-info').textContent =
      `started ${shortTime(info.startTime)}, ended ${shortTime(info.endTime)}, exit code ` +
      `${info.exitCode !== undefined ? info.exitCode : '–'}` + (errors ? ` — ${errors}` : '');
  for (const tab of document.querySelectorAll('.tab')) {
    tab.setAttribute('aria-pressed', String(tab.dataset.file === state.outputFile));
  }
  const output = $('job-output');
  const listing = await request('POST', withVersion(job.id + '/listOutputFiles') +
                                        '&outputdirectoryid=stdouterr&linkexpiryinminutes=60');
  const files = ((listing && listing.value) || []).filter((f) => f.fileType !== 'directory');
  $('job-files').textContent = files.length ? files.map((f) => f.name).join(', ') : '';
  if (!files.length) {
    output.className = 'note';
    output.textContent = state.backend === 'sim'
        ? 'No output files: the sim backend runs nothing, so its jobs write no stdout or stderr. ' +
          'Start the emulator with --backend container to see real output here.'
        : (p.executionState === 'queued' ? 'The job is queued; its output appears once it runs.'
                                         : 'No output files yet.');
    return;
  }
  const wanted = files.find((f) => f.name === `${state.outputFile}.txt`) ||
                 files.find((f) => f.name.startsWith(state.outputFile)) || files[0];
  const length = wanted.properties ? Number(wanted.properties.contentLength) : -1;
  if (length === state.outputLength && output.dataset.file === wanted.name) return;
  const url = new URL(wanted.downloadUrl, window.location.href);
  const response = await fetch(url.pathname + url.search, {cache: 'no-store'});
  const text = response.ok ? await response.text() : `could not download ${wanted.name}: HTTP ${response.status}`;
  const atBottom = output.scrollTop + output.clientHeight >= output.scrollHeight - 4;
  output.className = '';
  output.dataset.file = wanted.name;
  output.textContent = text || `(${wanted.name} is empty)`;
  state.outputLength = length;
  if (atBottom) output.scrollTop = output.scrollHeight;
}

// ---------------------------------------------------------------------------------------------

function showStatus(text, bad) {
  const status = $('status');
  status.textContent = text;
  status.style.color = bad ? 'var(--bad)' : '';
}

async function poll() {
  if (state.polling) return;
  state.polling = true;
  try {
    await refreshClock();
    await refreshEvents();
    const last = state.events.length ? Number(state.events[state.events.length - 1].time_ns) / 1e9 : 0;
    await refreshResources(Number.isFinite(state.nowSeconds) ? state.nowSeconds : last);
    showStatus('live, updated ' + new Date().toLocaleTimeString(), false);
    document.body.dataset.ready = 'true';
  } catch (error) {
    showStatus(error.message, true);
  } finally {
    state.polling = false;
  }
}

function start() {
  const params = new URLSearchParams(window.location.search);
  if (params.get('subscription')) {
    state.subscription = params.get('subscription');
    state.subscriptions.add(state.subscription);
  }
  $('subscription').addEventListener('change', (e) => {
    state.subscription = e.target.value;
    state.selectedJob = '';
    poll();
  });
  $('advance-button').addEventListener('click', advanceClock);
  for (const tab of document.querySelectorAll('.tab')) {
    tab.addEventListener('click', () => {
      state.outputFile = tab.dataset.file;
      state.outputLength = -1;
      poll();
    });
  }
  poll();
  setInterval(poll, POLL_MS);
}

document.addEventListener('DOMContentLoaded', start);
