// The dashboard in headless Chromium: starts `batchai-emulator serve` (sim backend, free ports, in
// memory, clock moved through the admin API), creates a cluster and a running job through the ARM API,
// loads the page, checks that it shows them (and says the sim job has no output files), advances the
// clock with the page's button, and fails on any console error. Keeps a screenshot.
// Environment: BATCHAI_EMULATOR (binary), EMU_DASHBOARD_ASSETS (assets dir), EMU_ARTIFACT_DIR,
// CHROMIUM (default /usr/bin/chromium). Exit codes: 0 pass, 1 fail, 77 skipped (says why).
import {spawn} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, rmSync, mkdirSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join, extname} from 'node:path';
import {createInterface} from 'node:readline';

const SKIP = 77;
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const binary = process.env.BATCHAI_EMULATOR;
const assets = process.env.EMU_DASHBOARD_ASSETS;
const artifacts = process.env.EMU_ARTIFACT_DIR || '.';

function skip(why) {
  console.log(`SKIP: ${why}`);
  process.exit(SKIP);
}

if (!existsSync(chromiumPath)) skip(`no Chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM)`);
if (!binary || !existsSync(binary)) skip(`no emulator binary (BATCHAI_EMULATOR=${binary})`);
let chromium;
try {
  ({chromium} = await import('playwright-core'));
} catch (e) {
  skip('playwright-core is not installed; run scripts/install-dashboard-deps.sh');
}

const work = mkdtempSync(join(tmpdir(), 'dashboard-test-'));
const server = spawn(binary, ['serve', '--in-memory', '--backend', 'sim', '--https-port', '0', '--http-port', '0',
                              '--time-scale', '0', '--host', '127.0.0.1', '--data-dir', join(work, 'data')],
                     {stdio: ['ignore', 'pipe', 'inherit']});
let context;
const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};

async function readyLine() {
  const lines = createInterface({input: server.stdout});
  const timer = setTimeout(() => { throw new Error('serve printed no ready line within 30 s'); }, 30000);
  for await (const line of lines) {
    if (line.startsWith('ready ')) {
      clearTimeout(timer);
      return Object.fromEntries(line.split(' ').slice(1).map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]));
    }
  }
  throw new Error('serve exited before its ready line');
}

try {
  const ready = await readyLine();
  const base = ready.http;
  const api = async (method, path, body) => {
    const sep = path.includes('?') ? '&' : '?';
    const url = path.startsWith('/emulator/') ? base + path : `${base}${path}${sep}api-version=2018-05-01`;
    const response = await fetch(url, {method, headers: {'Authorization': 'Bearer test', 'Content-Type': 'application/json'},
                                       body: body === undefined ? undefined : JSON.stringify(body)});
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
  const advance = (seconds) => api('POST', '/emulator/v1/clock/advance', {seconds});

  const sub = '00000000-0000-0000-0000-0000000000aa';
  const ws = `/subscriptions/${sub}/resourceGroups/demo/providers/Microsoft.BatchAI/workspaces/demo-ws`;
  await api('PUT', ws, {location: 'eastus'});
  await api('PUT', `${ws}/experiments/demo-exp`, {});
  await api('PUT', `${ws}/clusters/gpu-cluster`, {properties: {
    vmSize: 'STANDARD_NC6', scaleSettings: {manual: {targetNodeCount: 2}},
    userAccountSettings: {adminUserName: 'demo', adminUserPassword: 'Secret-123'}}});
  await api('PUT', `${ws}/fileServers/nfs`, {properties: {
    vmSize: 'STANDARD_D2', dataDisks: {diskCount: 2, diskSizeInGB: 10, storageAccountType: 'Standard_LRS'},
    sshConfiguration: {userAccountSettings: {adminUserName: 'demo', adminUserPassword: 'Secret-123'}}}});
  await advance(900);
  await api('PUT', `${ws}/experiments/demo-exp/jobs/train`, {properties: {
    cluster: {id: `${ws}/clusters/gpu-cluster`}, nodeCount: 1, stdOutErrPathPrefix: '$AZ_BATCHAI_JOB_MOUNT_ROOT',
    customToolkitSettings: {commandLine: 'python train.py'},
    environmentVariables: [{name: 'EMULATOR_SIM_DURATION', value: 'PT30M'}]}});
  await advance(120);
  const job = await api('GET', `${ws}/experiments/demo-exp/jobs/train`);
  check(job.properties.executionState === 'running', `the job runs before the page loads (${job.properties.executionState})`);

  // The page itself: from the server when it is wired in, else the same files from the source tree.
  const root = await fetch(base + '/');
  const served = root.ok && (root.headers.get('content-type') || '').startsWith('text/html');
  console.log(served ? 'the server serves the dashboard at /' : 'the server does not serve / yet: the test serves the assets');

  mkdirSync(artifacts, {recursive: true});
  context = await chromium.launchPersistentContext(join(work, 'profile'), {
    executablePath: chromiumPath, headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: {width: 1400, height: 1100}});
  const page = context.pages()[0] || await context.newPage();
  const consoleErrors = [];
  page.on('console', (message) => { if (message.type() === 'error') consoleErrors.push(message.text()); });
  page.on('pageerror', (error) => consoleErrors.push(String(error)));
  if (!served) {
    const types = {'.html': 'text/html', '.css': 'text/css', '.js': 'text/javascript'};
    await page.route(/\/(dashboard\/[^?]*)?(\?.*)?$/, async (route) => {
      const path = new URL(route.request().url()).pathname;
      if (path !== '/' && !path.startsWith('/dashboard')) return route.continue();
      const name = path === '/' || path === '/dashboard' || path === '/dashboard/' ? 'index.html' : path.slice('/dashboard/'.length);
      const file = join(assets, name);
      if (!existsSync(file)) return route.fulfill({status: 404, body: 'no such file'});
      return route.fulfill({status: 200, contentType: types[extname(name)] || 'application/octet-stream', body: readFileSync(file)});
    });
  }

  await page.goto(base + '/', {waitUntil: 'load'});
  await page.waitForSelector('body[data-ready="true"]', {timeout: 20000});
  await page.waitForSelector('#clusters tr[data-name="gpu-cluster"]', {timeout: 10000});
  const clusterRow = await page.textContent('#clusters tr[data-name="gpu-cluster"]');
  check(/STANDARD_NC6/.test(clusterRow) && /idle 1/.test(clusterRow) && /running 1/.test(clusterRow),
        `the cluster row shows its size and nodes by state: ${clusterRow.replace(/\s+/g, ' ')}`);
  check(await page.$('#charts .chart[data-cluster="gpu-cluster"] svg path.line') !== null, 'the cluster has a node-count chart');
  const jobRow = await page.textContent('#jobs tr[data-name="train"]');
  check(/running/.test(jobRow), `the job row shows it running: ${jobRow.replace(/\s+/g, ' ')}`);
  check(/demo-ws/.test(await page.textContent('#workspaces')), 'the workspace is listed');
  check(/nfs/.test(await page.textContent('#fileservers')) && /2 × 10 GB/.test(await page.textContent('#fileservers')),
        'the file server is listed with its capacity');
  check(/0\.00 GiB of 20\.00 GiB/.test(await page.textContent('#fileservers')),
        'the file server shows its usage from /emulator/v1/storage');
  await page.waitForSelector('#job-detail:not([hidden])', {timeout: 10000});
  const output = await page.textContent('#job-output');
  check(/sim backend/.test(output), `the running job's output panel says why it is empty: ${output}`);
  const events = await page.$$eval('#events tbody tr', (rows) => rows.length);
  check(events > 5, `the journal shows events (${events})`);
  check(/backend: sim/.test(await page.textContent('#clock-backend')), 'the clock shows the sim backend');

  const before = await page.textContent('#clock-now');
  await page.selectOption('#advance-seconds', '3600');
  await page.click('#advance-button');
  await page.waitForFunction((old) => document.getElementById('clock-now').textContent !== old, before, {timeout: 10000});
  check(true, `advancing the clock moves it (${before} -> ${await page.textContent('#clock-now')})`);
  await page.waitForFunction(() => /succeeded/.test(document.querySelector('#jobs tr[data-name="train"]').textContent),
                             null, {timeout: 10000}).then(() => check(true, 'an hour later the job has succeeded'),
                                                          () => check(false, 'the job succeeded after the advance'));
  await page.screenshot({path: join(artifacts, 'dashboard.png'), fullPage: true});
  console.log(`screenshot: ${join(artifacts, 'dashboard.png')}`);
  check(consoleErrors.length === 0, `no console errors${consoleErrors.length ? ': ' + consoleErrors.join(' | ') : ''}`);
} catch (error) {
  failures.push(String(error && error.stack || error));
  console.log(`FAIL ${error && error.stack || error}`);
} finally {
  if (context) await context.close().catch(() => {});
  server.kill('SIGKILL');
  rmSync(work, {recursive: true, force: true});
}
process.exit(failures.length ? 1 : 0);
