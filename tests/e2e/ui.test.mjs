// The web UI in a real browser: Playwright (playwright-core) drives
// Debian's Chromium against `netcensus serve` on 127.0.0.1 with a seeded
// temporary store. Run by tests/e2e/run.sh (node --test, TAP output).
//
// Environment: NETCENSUS (the binary), NETCENSUS_SAMPLES (Open-AudIT sample
// audits), CHROMIUM (default /usr/bin/chromium), SHOTS (screenshot folder).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import dgram from 'node:dgram';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { writeNetwork, subnetCount } from './gen-network.mjs';
import { NETCENSUS, WAIT_MS, servers, sh, sqlite, startServer, launchBrowser } from './lib.mjs';

const SAMPLES = process.env.NETCENSUS_SAMPLES || '';
const SHOTS = process.env.SHOTS || path.join(path.dirname(new URL(import.meta.url).pathname), 'screenshots');
const HOSTILE = '<img src=x onerror=alert(1)>';
const SECRET = 'e2e-community-' + Math.random().toString(36).slice(2, 12);
const PERF_DEVICES = 100000;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nc-e2e-'));
let browser;
let ctx;
let page;
let main; // {url, db, password}
const dialogs = [];
const cspErrors = [];
const apiBodies = []; // every API response body the pages received
const offsite = []; // requests to anything but loopback: all refused

// Device reports of our own: the hostile host name, devices that see each
// other over ARP and LLDP, and a second audit of one of them so the change
// log has adds, removes and changes.
function writeReports() {
  const files = [];
  const rep = (name, sys, sections) => {
    const f = path.join(tmp, name + '.json');
    fs.writeFileSync(f, JSON.stringify({ report_version: 1, source: { name: 'e2e' }, sys, ...sections }));
    files.push(f);
    return f;
  };
  rep('hostile', { hostname: HOSTILE, ip: '198.18.9.66', type: 'computer', uuid: 'E2E-HOSTILE', os_family: HOSTILE, manufacturer: '"><script>alert(2)</script>' },
    { software: [{ name: '<b>bold</b>', version: '1' }] });
  rep('core-sw', { hostname: 'core-sw', ip: '198.18.9.1', mac: 'aa:bb:cc:00:00:01', type: 'switch', serial: 'E2E-SW1', sysName: 'core-sw' },
    { arp: [{ ip: '198.18.9.10', mac: 'aa:bb:cc:00:00:10' }, { ip: '198.18.9.11', mac: 'aa:bb:cc:00:00:11' }],
      lldp: [{ local_port: 'Gi0/1', remote_mac: 'aa:bb:cc:00:00:02', remote_port: 'Gi0/24', remote_name: 'edge-sw' }] });
  rep('edge-sw', { hostname: 'edge-sw', ip: '198.18.10.1', mac: 'aa:bb:cc:00:00:02', type: 'switch', serial: 'E2E-SW2', sysName: 'edge-sw' }, {});
  for (const i of [10, 11]) {
    rep('web' + i, { hostname: 'web' + i, ip: '198.18.9.' + i, mac: 'aa:bb:cc:00:00:' + i, type: 'computer', uuid: 'E2E-WEB' + i, os_family: 'Debian' },
      { ip: [{ ip: '198.18.9.' + i, mac: 'aa:bb:cc:00:00:' + i, netmask: '255.255.255.0', version: '4' }],
        software: [{ name: 'nginx', version: '1.22' }, { name: 'openssh-server', version: '9.2' }] });
  }
  // a second NIC, a serial and a software name only it has: the header
  // search finds it by each
  rep('twonic', { hostname: 'e2e-twonic', ip: '198.18.11.5', mac: 'aa:bb:cc:00:01:01', type: 'computer', serial: 'E2E-TWONIC-SN' },
    { network: [{ mac: 'aa:bb:cc:00:01:01', net_index: '1' }, { mac: 'aa:bb:cc:00:01:02', net_index: '2' }],
      software: [{ name: 'e2e-only-tool', version: '3.1' }] });
  // 1,200 software rows (a workstation's worth): a report longer than one
  // page, and a device page that must not download them all
  rep('many-sw', { hostname: 'e2e-many-sw', ip: '198.18.11.6', type: 'computer', uuid: 'E2E-MANY-SW' },
    { software: Array.from({ length: 1200 }, (_, i) => ({ name: `e2e-pkg-${String(i).padStart(4, '0')}`, version: '1' })) });
  const again = path.join(tmp, 'web10-again.json');
  fs.writeFileSync(again, JSON.stringify({ report_version: 1, source: { name: 'e2e' },
    sys: { hostname: 'web10', ip: '198.18.9.10', mac: 'aa:bb:cc:00:00:10', type: 'computer', uuid: 'E2E-WEB10', os_family: 'Debian' },
    ip: [{ ip: '198.18.9.10', mac: 'aa:bb:cc:00:00:10', netmask: '255.255.255.0', version: '4' }],
    software: [{ name: 'nginx', version: '1.24' }, { name: 'postgresql', version: '15' }] }));
  return { files, again };
}

async function shot(name, p = page) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await p.screenshot({ path: path.join(SHOTS, name + '.png'), fullPage: true });
}

function watch(p) {
  p.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  p.on('console', (m) => { if (/Content.Security.Policy|Refused to/i.test(m.text())) cspErrors.push(m.text()); });
  p.on('pageerror', (e) => cspErrors.push('page error: ' + e.message));
  p.on('response', async (r) => {
    if (!r.url().includes('/api/')) return;
    try { apiBodies.push(await r.text()); } catch (e) { /* redirected or gone */ }
  });
}

async function apiGet(p) {
  const r = await page.request.get(main.url + '/api/v1' + p);
  assert.equal(r.status(), 200, `GET ${p}: ${r.status()}`);
  return r.json();
}

// A write as the page's session does it (cookie + CSRF token).
async function apiSend(method, p, data, pg = page) {
  const me = await (await pg.request.get(main.url + '/api/v1/auth/me')).json();
  const r = await pg.request.fetch(main.url + '/api/v1' + p, { method, data, headers: { 'X-CSRF-Token': me.csrf_token } });
  return { status: r.status(), body: await r.json().catch(() => null) };
}

async function login(p, pass) {
  await p.fill('#login-user', 'admin');
  await p.fill('#login-pass', pass);
  await p.click('form.login button[type=submit]');
}

before(async () => {
  main = { db: path.join(tmp, 'ui.db') };
  const { files, again } = writeReports();
  const samples = SAMPLES && fs.existsSync(SAMPLES) ? fs.readdirSync(SAMPLES).map((f) => path.join(SAMPLES, f)) : [];
  sh(NETCENSUS, ['import', '--db', main.db, ...samples, ...files]);
  sh(NETCENSUS, ['import', '--db', main.db, again]);
  Object.assign(main, await startServer(main.db));
  browser = await launchBrowser();
  ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  ctx.setDefaultTimeout(WAIT_MS);
  // The browser reaches only loopback: anything else (the map's tile
  // server) is refused as if offline, and noted.
  await ctx.route(/.*/, (route) => {
    const u = new URL(route.request().url());
    if (['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)) return route.continue();
    offsite.push(u.href);
    return route.abort('internetdisconnected');
  });
  page = await ctx.newPage();
  watch(page);
});

after(async () => {
  if (browser) await browser.close();
  for (const s of servers) s.kill('SIGTERM');
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('login: a wrong password is refused, the right one opens the dashboard', async () => {
  assert.ok(main.password, 'the first start printed the admin password');
  await page.goto(main.url + '/');
  await page.waitForSelector('#login-user');
  await shot('login');
  await login(page, 'not the password');
  await page.waitForSelector('#login-msg .notice.error');
  assert.match(await page.textContent('#login-msg'), /Wrong user name or password/);
  await login(page, main.password);
  await page.waitForSelector('#chart-type');
  assert.match(await page.textContent('#user'), /admin/);
});

test('UI replies carry a strict Content-Security-Policy', async () => {
  const r = await page.request.get(main.url + '/');
  const csp = r.headers()['content-security-policy'] || '';
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.match(csp, /frame-ancestors 'none'/);
});

test('dashboard charts show the numbers the API gives', async () => {
  await page.goto(main.url + '/#/dashboard');
  await page.waitForSelector('#chart-changes');
  await page.waitForFunction(() => window.Chart && ['chart-type', 'chart-os_family', 'chart-manufacturer', 'chart-new', 'chart-changes']
    .every((id) => window.Chart.getChart(document.getElementById(id))));
  const charts = await page.evaluate(() => {
    const out = {};
    for (const c of document.querySelectorAll('canvas')) {
      const ch = window.Chart.getChart(c);
      out[c.id] = { labels: ch.data.labels, data: ch.data.datasets.map((d) => d.data) };
    }
    return out;
  });
  const stats = await apiGet('/stats?days=30');
  // 5 synthetic reports, plus 11 devices when the Open-AudIT samples are here
  assert.ok(stats.devices >= (SAMPLES && fs.existsSync(SAMPLES) ? 15 : 5), `seeded devices: ${stats.devices}`);
  assert.equal(stats.devices, (await apiGet('/devices?limit=1')).count, 'stats and the device list agree');
  for (const f of ['type', 'os_family', 'manufacturer']) {
    const labels = stats['by_' + f].map((r) => r.value);
    const data = stats['by_' + f].map((r) => r.count);
    if (stats.other[f] > 0) { labels.push('other'); data.push(stats.other[f]); }
    assert.deepEqual(charts['chart-' + f].labels, labels, f);
    assert.deepEqual(charts['chart-' + f].data[0], data, f);
    assert.equal(data.reduce((a, b) => a + b, 0), stats.devices, `${f} adds up to every device`);
  }
  assert.deepEqual(charts['chart-new'].data[0], stats.new_devices.map((r) => r.count));
  assert.deepEqual(charts['chart-changes'].data, ['add', 'change', 'remove'].map((k) => stats.changes.map((r) => r[k])));
  const today = stats.changes[stats.changes.length - 1];
  assert.ok(today.add + today.change + today.remove > 0, 'the second audit of web10 made changes today');
  assert.equal(await page.textContent('#kpi-devices strong'), stats.devices.toLocaleString('en-US'));
  await shot('dashboard');
});

test('devices: column filter, search and sorting match the API', async () => {
  await page.goto(main.url + '/#/devices');
  await page.waitForSelector('table.devices tbody tr[data-id]');
  // column filter
  await page.fill('input[name="type__ic"]', 'switch');
  await page.waitForSelector('#devices-status[data-query*="type__ic=switch"]');
  const api = await apiGet('/devices?type__ic=switch&limit=50');
  const types = await page.$$eval('table.devices tbody td[data-col="type"]', (tds) => tds.map((t) => t.textContent));
  assert.ok(types.length >= 2 && types.length === api.results.length, `rows ${types.length} vs API ${api.results.length}`);
  assert.ok(types.every((t) => /switch/i.test(t)));
  assert.equal(Number(await page.getAttribute('#devices-status', 'data-count')), api.count);
  await page.fill('input[name="type__ic"]', '');
  // search box: an address prefix
  await page.fill('#device-search', '198.18.9.');
  await page.waitForSelector('#devices-status[data-query*="ip__isw=198.18.9."]');
  const ips = await page.$$eval('table.devices tbody td[data-col="ip"]', (tds) => tds.map((t) => t.textContent));
  assert.ok(ips.length >= 3 && ips.every((ip) => ip.startsWith('198.18.9.')), ips.join(' '));
  await page.fill('#device-search', '');
  await page.waitForFunction(() => !(document.querySelector('#devices-status').dataset.query || '').includes('ip__isw'));
  // sorting, both ways
  for (const ordering of ['hostname', '-hostname']) {
    await page.click('th button.sort[data-field="hostname"]');
    await page.waitForSelector(`#devices-status[data-query*="ordering=${encodeURIComponent(ordering)}"]`);
    const shown = await page.$$eval('table.devices tbody td[data-col="hostname"]', (tds) => tds.map((t) => t.textContent));
    const want = (await apiGet(`/devices?ordering=${ordering}&limit=50`)).results.map((d) => d.hostname || d.ip || `device ${d.id}`);
    assert.deepEqual(shown, want, ordering);
    const sort = await page.getAttribute('th:has(button[data-field="hostname"])', 'aria-sort');
    assert.equal(sort, ordering.startsWith('-') ? 'descending' : 'ascending');
  }
  await shot('devices');
});

test('devices: CSV export holds every device of the filter', async () => {
  await page.goto(main.url + '/#/devices?type__ic=computer');
  await page.waitForSelector('#devices-status[data-query*="type__ic=computer"]');
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
  const csv = fs.readFileSync(await dl.path(), 'utf8').trim().split('\r\n');
  const api = await apiGet('/devices?type__ic=computer&limit=1');
  assert.equal(csv.length, api.count + 1, 'a header and one line per device');
  assert.match(csv[0], /"hostname"/);
});

test('a hostile host name is shown as text and runs nothing', async () => {
  await page.goto(main.url + '/#/devices?q=img');
  await page.waitForSelector('table.devices tbody tr[data-id]');
  const link = page.locator('table.devices tbody td[data-col="hostname"] a').first();
  assert.equal(await link.textContent(), HOSTILE);
  assert.equal(await page.locator('main img').count(), 0);
  assert.equal(await page.locator('main script').count(), 0);
  await link.click();
  await page.waitForSelector('#device-name');
  assert.equal(await page.textContent('#device-name'), HOSTILE);
  await page.click('[role=tab][data-tab="software"]');
  await page.waitForSelector('table.section[data-section="software"]');
  assert.equal(await page.textContent('table.section tbody td'), '<b>bold</b>');
  assert.equal(await page.locator('main b, main img, main script').count(), 0);
  await page.waitForTimeout(300);
  assert.deepEqual(dialogs, [], 'no dialog opened');
  await shot('device-hostile');
});

test('device page: fields, the software tab, history and editing', async () => {
  const list = await apiGet('/devices?hostname=web10');
  const id = list.results[0].id;
  await page.goto(main.url + `/#/device/${id}`);
  await page.waitForSelector('#device-name');
  const tabs = await page.$$eval('[role=tab]', (b) => b.map((x) => x.dataset.tab));
  for (const s of ['summary', 'software', 'network', 'history']) assert.ok(tabs.includes(s), `tab ${s} in ${tabs}`);
  assert.ok(tabs.length <= 7, `sections are grouped into a few tabs: ${tabs}`);
  // keyboard: arrows move between tabs
  await page.focus('[role=tab][data-tab="summary"]');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-selected')), 'true');
  assert.notEqual(await page.evaluate(() => document.activeElement.dataset.tab), 'summary');
  await page.click('[role=tab][data-tab="software"]');
  await page.waitForSelector('.section-block[data-section="software"] .section-status[data-count]');
  const names = await page.$$eval('table.section tbody tr', (trs) => trs.map((t) => t.children[0].textContent).sort());
  const sw = await apiGet(`/devices/${id}/software`);
  assert.deepEqual(names, sw.results.map((r) => r.data.name).sort());
  await shot('device-software');
  await page.click('[role=tab][data-tab="history"]');
  await page.waitForSelector('#timeline li.change');
  const changes = await apiGet(`/changes?device_id=${id}&limit=100`);
  assert.equal(await page.locator('#timeline li.change').count(), changes.results.length);
  await shot('device-history');
  // edit the user fields
  // status and location come from lists (the location from the
  // Locations page's list of the device's org)
  assert.equal((await apiSend('POST', '/locations', { name: 'rack 4', org_id: 1 })).status, 201);
  await page.reload();
  await page.waitForSelector('#device-name');
  await page.click('[role=tab][data-tab="summary"]');
  await page.fill('#edit-owner', 'network team');
  assert.equal(await page.evaluate(() => document.getElementById('edit-location').tagName), 'SELECT');
  assert.equal(await page.evaluate(() => document.getElementById('edit-status').tagName), 'SELECT');
  await page.selectOption('#edit-location', 'rack 4');
  await page.click('#device-edit button[type=submit]');
  await page.waitForSelector('#device-edit .notice.ok');
  const dev = await apiGet(`/devices/${id}`);
  assert.equal(dev.owner, 'network team');
  assert.equal(dev.location, 'rack 4');
});

test('a credential secret appears in no page and no API response', async () => {
  await page.goto(main.url + '/#/admin/credentials');
  await page.waitForSelector('#cred-form');
  await page.fill('#cred-form input[name="name"]', 'e2e snmp');
  await page.selectOption('#cred-form select[name="type"]', 'snmp');
  await page.fill('#cred-form input[name="community"]', SECRET);
  await page.click('#cred-form button[type=submit]');
  await page.waitForSelector('#cred-form .notice.ok');
  await page.waitForSelector('#cred-list td:text("e2e snmp")');
  const visible = await page.evaluate(() => document.documentElement.outerHTML + document.body.innerText +
    [...document.querySelectorAll('input, textarea')].map((i) => i.value).join('\n'));
  assert.ok(!visible.includes(SECRET), 'the secret is not in the page');
  const creds = await apiGet('/credentials');
  const c = (creds.results || creds).find((x) => x.name === 'e2e snmp');
  assert.ok(c && (c.secrets_set || []).includes('community'), 'the list says the secret is set');
  const one = await page.request.get(main.url + `/api/v1/credentials/${c.id}`);
  assert.ok(!(await one.text()).includes(SECRET));
  assert.ok(!JSON.stringify(creds).includes(SECRET));
  await page.reload();
  await page.waitForSelector('#cred-list td:text("e2e snmp")');
  assert.ok(apiBodies.length > 10, `API responses seen: ${apiBodies.length}`);
  assert.ok(apiBodies.every((b) => !b.includes(SECRET)), 'no API response the browser got holds the secret');
  await shot('admin-credentials');
});

test('admin: users, orgs and a token shown once', async () => {
  await page.goto(main.url + '/#/admin/tokens');
  await page.waitForSelector('#token-form');
  await page.fill('#token-form input[name="label"]', 'e2e token');
  await page.click('#token-form button[type=submit]');
  await page.waitForSelector('.token-value');
  const token = await page.inputValue('.token-value');
  assert.match(token, /^nc_/);
  const r = await page.request.get(main.url + '/api/v1/health', { headers: { Authorization: 'Bearer ' + token } });
  assert.equal(r.status(), 200);
  await shot('admin-tokens');
  await page.goto(main.url + '/#/admin/users');
  await page.waitForSelector('#user-list table');
  await page.goto(main.url + '/#/admin/orgs');
  await page.waitForSelector('#org-list td:has-text("Default")');
  await shot('admin-orgs');
});

test('discoveries: a run\'s progress and log, refreshed until done', async () => {
  const sql = (q) => sqlite(main.db, q);
  // the run is held by another live server (its lease far ahead): a
  // running run without a lease is one the server's sweep, every 30 s,
  // rightly marks interrupted, and the page stops refreshing it then
  sql(`INSERT INTO discovery (id, org_id, name, targets, created, updated) VALUES (900, 1, 'e2e lab', '198.18.0.0/24', datetime('now'), datetime('now'));
       INSERT INTO discovery_run (id, discovery_id, state, started, addresses_total, addresses_done, alive, devices_stored, lease_owner, lease_until)
       VALUES (900, 900, 'running', datetime('now', '-20 seconds'), 256, 64, 3, 1, 'another-server', '2999-01-01 00:00:00');
       INSERT INTO discovery_log (run_id, time, ip, stage, outcome, duration_ms) VALUES
       (900, datetime('now'), '198.18.0.1', 'discovery', 'alive', 2), (900, datetime('now'), '198.18.0.1', 'snmp', 'ok', 40),
       (900, datetime('now'), '198.18.0.2', 'discovery', 'dead', 1000);`);
  await page.goto(main.url + '/#/discoveries/900');
  await page.waitForSelector('.progress progress');
  assert.equal(await page.getAttribute('.progress progress', 'value'), '25');
  assert.match(await page.textContent('main'), /198\.18\.0\.2/);
  await shot('discovery-run');
  sql(`UPDATE discovery_run SET state = 'done', addresses_done = 256, finished = datetime('now') WHERE id = 900;`);
  await page.waitForSelector('.badge.done');
  assert.equal(await page.getAttribute('.progress progress', 'value'), '100');
  await page.goto(main.url + '/#/discoveries');
  await page.waitForSelector('table.runs tr[data-run="900"]');
  await shot('discoveries');
});

// A listener on 127.0.0.1 for the discovery to find (loopback only), and
// a minimal SMTP server that answers like a real one.
function listen(onConn) {
  return new Promise((resolve) => {
    const srv = net.createServer(onConn || ((c) => c.destroy()));
    srv.listen(0, '127.0.0.1', () => resolve(srv));
  });
}

function smtpSink(got) {
  return listen((c) => {
    let data = false;
    let buf = '';
    c.write('220 e2e ESMTP\r\n');
    c.on('data', (d) => {
      buf += d.toString('latin1');
      let i;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (data) {
          if (line === '.') { data = false; got.push('message'); c.write('250 2.0.0 Ok: queued as E2E42\r\n'); }
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') c.write('250-e2e\r\n250 8BITMIME\r\n');
        else if (verb === 'DATA') { data = true; c.write('354 go on\r\n'); }
        else if (verb === 'QUIT') { c.end('221 bye\r\n'); }
        else c.write('250 ok\r\n');
      }
    });
    c.on('error', () => {});
  });
}

test('discoveries: create one on 127.0.0.1 from the page, run it and watch it reach done', async () => {
  const lsn = await listen();
  const port = lsn.address().port;
  try {
    await page.goto(main.url + '/#/discoveries');
    await page.waitForSelector('#discovery-form');
    assert.ok(await page.$('#discovery-form input[name="credential"]'), 'stored credentials are offered');
    await page.fill('#discovery-form input[name="name"]', 'e2e loopback');
    await page.fill('#discovery-form input[name="targets"]', '127.0.0.1');
    await page.selectOption('#discovery-form select[name="how"]', 'ports');
    await page.fill('#discovery-form input[name="ports"]', String(port));
    await page.uncheck('#discovery-form input[name="dns"]');
    await shot('discovery-form');
    await page.click('#discovery-form button[type=submit]');
    await page.waitForSelector('#discovery-form .notice.ok');
    const defs = await apiGet('/discoveries');
    const d = (defs.results || defs).find((x) => x.name === 'e2e loopback');
    assert.ok(d, 'stored');
    assert.equal(d.targets, '127.0.0.1');
    assert.equal(String(d.options.ports), String(port));
    await page.click('button[aria-label="Run e2e loopback"]');
    await page.waitForSelector('#discovery-msg .notice.ok');
    const id = /Run (\d+) /.exec(await page.textContent('#discovery-msg'))[1];
    await page.waitForSelector(`table.runs tr[data-run="${id}"]`);
    await page.click(`table.runs tr[data-run="${id}"] a`);
    await page.waitForSelector('#run-state .badge.done');
    assert.equal(await page.getAttribute('.progress progress', 'value'), '100');
    const run = await apiGet(`/discovery-runs/${id}`);
    assert.equal(run.state, 'done');
    assert.equal(run.alive, 1);
    const log = await page.textContent('table.runlog');
    assert.match(log, /127\.0\.0\.1/);
    assert.match(log, /ports: open/);
    await shot('discovery-loopback-run');
  } finally { lsn.close(); }
});

test('discoveries: seed options from the form - stored, a bad scope refused beside its field, shown again when edited', async () => {
  await page.goto(main.url + '/#/discoveries');
  await page.waitForSelector('#discovery-form fieldset.seed');
  assert.equal(await page.isDisabled('#discovery-form input[name="seed_scope"]'), true, 'scope waits for the seed box');
  await page.fill('#discovery-form input[name="name"]', 'e2e seeded');
  await page.fill('#discovery-form input[name="targets"]', '127.0.0.1');
  await page.check('#discovery-form input[name="seed"]');
  assert.equal(await page.isDisabled('#discovery-form input[name="seed_scope"]'), false);
  await page.fill('#discovery-form input[name="seed_scope"]', '127.0.0.0/99');
  await page.fill('#discovery-form input[name="seed_depth"]', '3');
  await page.click('#discovery-form button[type=submit]');
  await page.waitForSelector('#discovery-form input[name="seed_scope"][aria-invalid="true"]');
  assert.match(await page.textContent('#discovery-form .field-error'), /seed_scope|127\.0\.0\.0\/99/);
  assert.ok(!(await apiGet('/discoveries')).results.some((x) => x.name === 'e2e seeded'), 'a refused definition is not stored');
  await page.fill('#discovery-form input[name="seed_scope"]', '127.0.0.0/30');
  await page.click('#discovery-form button[type=submit]');
  await page.waitForSelector('#discovery-form .notice.ok');
  const d = (await apiGet('/discoveries')).results.find((x) => x.name === 'e2e seeded');
  assert.ok(d, 'stored');
  assert.equal(d.options.seed, true);
  assert.equal(d.options.seed_scope, '127.0.0.0/30');
  assert.equal(Number(d.options.seed_depth), 3);
  assert.equal(await page.isChecked('#discovery-form input[name="seed"]'), false, 'the form is reset after saving');
  await page.click('button[aria-label="Edit e2e seeded"]');
  assert.equal(await page.isChecked('#discovery-form input[name="seed"]'), true, 'the stored seed options fill the form');
  assert.equal(await page.inputValue('#discovery-form input[name="seed_scope"]'), '127.0.0.0/30');
  assert.equal(await page.inputValue('#discovery-form input[name="seed_depth"]'), '3');
  await shot('discovery-seed');
  await page.uncheck('#discovery-form input[name="seed"]');
  await page.click('#discovery-form button[type=submit]');
  await page.waitForSelector('#discovery-form .notice.ok');
  const off = await apiGet(`/discoveries/${d.id}`);
  assert.ok(!off.options.seed, 'unchecked: seeding off');
});

test('discoveries: a stored one is edited from the page; a bad change is refused and changes nothing', async () => {
  await page.goto(main.url + '/#/discoveries');
  await page.waitForSelector('button[aria-label="Edit e2e loopback"]');
  const before = (await apiGet('/discoveries')).results.find((x) => x.name === 'e2e loopback');
  await page.click('button[aria-label="Edit e2e loopback"]');
  assert.match(await page.textContent('#discovery-form h2'), /Edit discovery e2e loopback/);
  assert.equal(await page.inputValue('#discovery-form input[name="targets"]'), '127.0.0.1');
  assert.equal(await page.inputValue('#discovery-form input[name="ports"]'), String(before.options.ports));
  assert.equal(await page.isChecked('#discovery-form input[name="dns"]'), false, 'the stored options fill the form');
  await page.fill('#discovery-form input[name="targets"]', '127.0.0.1/33');
  await page.click('#discovery-form button[type=submit]');
  await page.waitForSelector('#discovery-form .notice.error');
  assert.match(await page.textContent('#discovery-form .notice.error'), /targets/);
  assert.equal((await apiGet(`/discoveries/${before.id}`)).targets, '127.0.0.1', 'a refused change stores nothing');
  await page.fill('#discovery-form input[name="targets"]', '127.0.0.1, 127.0.0.2');
  await page.fill('#discovery-form input[name="exclude"]', '127.0.0.2');
  await page.click('#discovery-form button[type=submit]');
  await page.waitForSelector('#discovery-form .notice.ok');
  const after = await apiGet(`/discoveries/${before.id}`);
  assert.equal(after.name, 'e2e loopback');
  assert.equal(after.targets, '127.0.0.1, 127.0.0.2');
  assert.equal(after.exclude, '127.0.0.2');
  assert.equal(String(after.options.ports), String(before.options.ports), 'untouched fields stay');
  assert.match(await page.textContent('#discovery-form h2'), /New discovery/, 'the form is back to creating');
  await page.waitForSelector('table.discoveries td:text("127.0.0.1, 127.0.0.2")');
});

test('discoveries: the Active Directory form refuses a discovery no credential can bind with (the server\'s reason at the field) and stores a valid one', async () => {
  // an ldap credential (bind DN + password), added from the shell: the
  // password is read from stdin, never from the command line
  sh(NETCENSUS, ['admin', '--db', main.db, 'credential', 'add', '--name', 'e2e ad bind', '--type', 'ldap',
    'bind_dn=CN=reader,CN=Users,DC=lab,DC=test'], 'e2e-ldap-Pass-1\n');
  const bind = (await apiGet('/credentials')).results.find((c) => c.name === 'e2e ad bind');
  assert.ok(bind && bind.type === 'ldap', 'the ldap credential is stored');
  await page.goto(main.url + '/#/discoveries');
  await page.reload(); // the page may be open already: load the new credential
  await page.waitForSelector('#discovery-form');
  await page.selectOption('#discovery-form select[name="kind"]', 'ad');
  assert.ok(await page.isVisible('#discovery-form input[name="ad_server"]'), 'the AD fields show');
  assert.ok(!(await page.isVisible('#discovery-form input[name="targets"]')), 'the network fields hide');
  assert.ok(!(await page.isVisible('#discovery-form label[data-type="snmp"]')), 'credentials that cannot bind are not offered');
  await page.fill('#discovery-form input[name="name"]', 'e2e corp AD');
  await page.fill('#discovery-form input[name="ad_server"]', 'dc1.lab.test');
  await page.selectOption('#discovery-form select[name="ad_mode"]', 'starttls');
  await page.fill('#discovery-form input[name="ad_stale_days"]', '30');
  await page.click('#discovery-form button[type=submit]');
  await page.waitForSelector('#discovery-form [data-field="credentials"][aria-invalid="true"]');
  assert.match(await page.textContent('#discovery-form .field-error'), /needs an ldap or windows credential/);
  assert.ok(!(await apiGet('/discoveries')).results.some((d) => d.name === 'e2e corp AD'), 'a refused discovery is not stored');
  await shot('discovery-ad-error');
  await page.check(`#discovery-form input[name="credential"][value="${bind.id}"]`);
  await page.click('#discovery-form button[type=submit]');
  await page.waitForSelector('#discovery-form .notice.ok');
  assert.equal(await page.locator('#discovery-form .field-error').count(), 0);
  const d = (await apiGet('/discoveries')).results.find((x) => x.name === 'e2e corp AD');
  assert.deepEqual(d.options, { ad_server: 'ldap://dc1.lab.test', ad_stale_days: 30 });
  assert.deepEqual(d.credentials, [bind.id]);
  await page.waitForSelector('table.discoveries td:text("Active Directory: ldap://dc1.lab.test")');
  // edited: the form shows what is stored
  await page.click('button[aria-label="Edit e2e corp AD"]');
  assert.equal(await page.inputValue('#discovery-form input[name="ad_server"]'), 'dc1.lab.test');
  assert.equal(await page.inputValue('#discovery-form select[name="ad_mode"]'), 'starttls');
  await page.click('#discovery-form button:text("Cancel")');
  // a finished run of it (its row written here: the read itself is in
  // tests/lab/test_ad.sh) shows the AD result and links to the reports
  sqlite(main.db, `INSERT INTO discovery_run (id, discovery_id, state, started, finished, addresses_total, addresses_done, devices_stored, message)
    VALUES (950, ${d.id}, 'done', datetime('now'), datetime('now'), 403, 403, 403, 'Active Directory: 403 computers (1 skipped), 3 subnets, 3 new proposed discoveries');`);
  await page.goto(main.url + '/#/discoveries/950');
  await page.waitForSelector('#ad-summary');
  assert.equal(await page.textContent('#ad-facts [data-k="computers"]'), '403');
  assert.match(await page.textContent('#ad-facts [data-k="message"]'), /3 new proposed discoveries/);
  const links = await page.$$eval('#ad-summary a[data-report]', (as) => as.map((a) => a.textContent));
  assert.deepEqual(links.sort(), ['Report: In Active Directory, never seen on the network', 'Report: Windows on the network, not in Active Directory']);
  await shot('discovery-ad-run');
  await page.click('#ad-summary a:text("never seen on the network")');
  await page.waitForSelector('table.devices');
  assert.match(page.url(), /tags__ic=active_directory/);
  sqlite(main.db, 'DELETE FROM discovery_run WHERE id = 950;');
  await page.request.delete(main.url + `/api/v1/discoveries/${d.id}`, { headers: { 'X-CSRF-Token': (await apiGet('/auth/me')).csrf_token } });
});

// A collector user NAME with a token, and the collector's first call
// (plain fetch: its token, no session); its id.
async function registerCollector(name, host, subnet) {
  sh(NETCENSUS, ['admin', '--db', main.db, 'user', 'add', name, '--role', 'collector'], `pw-${name}-long-enough\n`);
  const token = /nc_[A-Za-z0-9_-]+/.exec(sh(NETCENSUS, ['admin', '--db', main.db, 'token', 'create', '--user', name]))[0];
  const reg = await fetch(main.url + '/api/v1/collectors/register', {
    method: 'POST', headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name, version: '0.1.0', host, subnets: [subnet] }),
  });
  assert.equal(reg.status, 200, `collector ${name} registered`);
  return (await reg.json()).id;
}

test('collectors: a registered collector listed with its state; a discovery assigned to it from the form; its page shows the run; disabled, renamed and deleted there', async () => {
  const cid = await registerCollector('e2e-site', 'gw-e2e', '198.18.40.0/24');
  await page.goto(main.url + '/#/collectors');
  const row = page.locator('table.collectors tbody tr', { hasText: 'e2e-site' });
  await row.waitFor();
  const cells = await row.locator('td').allTextContents();
  assert.match(cells[1], /online/);
  assert.deepEqual(cells.slice(3, 8), ['0.1.0', 'gw-e2e', '198.18.40.0/24', '0 queued', '0 queued, 0 running']);
  await shot('collectors');
  // assigned from the discovery form, and run: queued for the collector
  // (which never calls again: nothing is probed)
  await page.goto(main.url + '/#/discoveries');
  await page.waitForSelector('#discovery-form');
  await page.fill('#discovery-form input[name="name"]', 'e2e remote site');
  await page.fill('#discovery-form input[name="targets"]', '198.18.40.0/28');
  await page.selectOption('#discovery-form select[name="collector"]', String(cid));
  await page.click('#discovery-form button[type=submit]');
  await page.waitForSelector('#discovery-form .notice.ok');
  const d = (await apiGet('/discoveries')).results.find((x) => x.name === 'e2e remote site');
  assert.equal(d.collector, cid, 'assigned to the collector');
  await page.click('button[aria-label="Run e2e remote site"]');
  await page.waitForSelector('#discovery-msg .notice.ok');
  const run = /Run (\d+) /.exec(await page.textContent('#discovery-msg'))[1];
  await page.click(`table.discoveries a[href="#/collectors/${cid}"]`);
  await page.waitForSelector('#collector-runs');
  const runRow = page.locator('#collector-runs tbody tr', { hasText: 'e2e remote site' });
  await runRow.waitFor();
  assert.equal(await runRow.locator('a').getAttribute('href'), `#/discoveries/${run}`);
  assert.match(await runRow.textContent(), /queued/);
  assert.match(await page.textContent('#collector-facts [data-k="jobs"]'), /1 queued/);
  await shot('collector');
  await page.click('#collector-toggle');
  await page.waitForSelector('#collector-toggle:text("Enable")');
  assert.equal((await apiGet(`/collectors/${cid}`)).enabled, false);
  await page.fill('#collector-form input[name="name"]', 'e2e-site-b');
  await page.click('#collector-form button[type=submit]');
  await page.waitForSelector('h1:text("Collector e2e-site-b")');
  assert.equal((await apiGet(`/collectors/${cid}`)).name, 'e2e-site-b');
  const del = page.locator('button.danger:text("Delete")');
  await del.click();
  await page.click('button.danger:text("Really delete")');
  await page.waitForSelector('#collectors');
  await page.waitForSelector('table.collectors td.empty');
  assert.equal((await apiGet('/collectors')).count, 0, 'deleted');
  assert.equal((await apiGet(`/discovery-runs/${run}`)).state, 'cancelled', 'its queued run is cancelled');
});

test('admin: a task listed with its next run; reports, mail and directory pages', async () => {
  await page.goto(main.url + '/#/admin/tasks');
  await page.waitForSelector('#task-form');
  await page.fill('#task-form input[name="name"]', 'e2e nightly scan');
  await page.selectOption('#task-form select[name="type"]', 'discovery');
  await page.fill('#task-form input[name="schedule"]', '30 2 * * *');
  await page.selectOption('#task-form select[name="discovery"]', { label: 'e2e loopback' });
  await page.click('#task-form button[type=submit]');
  await page.waitForSelector('#task-list td:text("e2e nightly scan")');
  const tasks = await apiGet('/tasks');
  const t = (tasks.results || tasks).find((x) => x.name === 'e2e nightly scan');
  assert.ok(t && / 02:30:00$/.test(t.next_run), `next_run ${t && t.next_run}`);
  const row = page.locator('#task-list tr', { hasText: 'e2e nightly scan' });
  assert.equal((await row.locator('td[data-col="next_run"]').textContent()).trim(), t.next_run);
  await shot('admin-tasks');

  await page.goto(main.url + '/#/admin/reports');
  await page.waitForSelector('#report-list td:text("Software by name")');
  await page.click('button[aria-label="Run Software by name"]');
  await page.waitForSelector('#report-out table');
  const rep = await apiGet('/reports');
  const sw = (rep.results || rep).find((x) => x.name === 'Software by name');
  const res = await apiGet(`/reports/${sw.id}/run?limit=500`);
  assert.match(await page.textContent('#report-out h3'), new RegExp(`: ${res.count.toLocaleString('en-US')} rows`));
  await shot('admin-reports');

  const got = [];
  const sink = await smtpSink(got);
  const pw = 'e2e-smtp-' + Math.random().toString(36).slice(2, 10);
  try {
    await page.goto(main.url + '/#/admin/smtp');
    await page.waitForSelector('#smtp-form');
    await page.fill('#smtp-form input[name="host"]', '127.0.0.1');
    await page.fill('#smtp-form input[name="port"]', String(sink.address().port));
    await page.selectOption('#smtp-form select[name="security"]', 'none');
    await page.fill('#smtp-form input[name="from"]', 'netcensus@example.org');
    await page.fill('#smtp-form input[name="password"]', pw);
    await page.click('#smtp-form button[type=submit]');
    await page.waitForSelector('#smtp-msg .notice');
    assert.match(await page.textContent('#smtp-msg'), /saved/, await page.textContent('#smtp-msg'));
    assert.match(await page.textContent('#smtp-password-state'), /password is set/);
    await page.fill('#smtp-test input[name="to"]', 'me@example.org');
    await page.click('#smtp-test button[type=submit]');
    await page.waitForSelector('#smtp-test-msg .notice', { timeout: 35000 });
    assert.match(await page.textContent('#smtp-test-msg'), /queued as E2E42/);
    assert.equal(got.length, 1, 'the sink got one message');
    assert.ok(apiBodies.every((b) => !b.includes(pw)), 'no API response holds the SMTP password');
    await shot('admin-smtp');
  } finally { sink.close(); }

  await page.goto(main.url + '/#/admin/ldap');
  await page.waitForSelector('#ldap-form');
  await page.fill('#ldap-form input[name="name"]', 'e2e-dir');
  await page.fill('#ldap-form input[name="url"]', 'ldap://127.0.0.1:389');
  await page.fill('#ldap-form input[name="base_dn"]', 'dc=example,dc=org');
  await page.fill('#ldap-form input[name="user_dn_template"]', 'uid=%s,ou=People,dc=example,dc=org');
  await page.fill('#ldap-form input[name="map_group"]', 'cn=netadmins,ou=Groups,dc=example,dc=org');
  await page.selectOption('#ldap-form select[name="map_role"]', 'admin');
  await page.click('#ldap-form button[type=submit]');
  await page.waitForSelector('#ldap-msg .notice');
  assert.match(await page.textContent('#ldap-msg'), /saved/, await page.textContent('#ldap-msg'));
  await page.waitForSelector('#ldap-list td:text("e2e-dir")');
  assert.match(await page.textContent('#ldap-list'), /netadmins.*→ admin/);
  await page.click('button[aria-label="Edit e2e-dir"]');
  assert.equal(await page.inputValue('#ldap-form input[name="url"]'), 'ldap://127.0.0.1:389');
  await shot('admin-ldap');
});

test('admin: the Open-AudIT intake allow-list is edited from the page', async () => {
  await page.goto(main.url + '/#/admin/intake');
  await page.waitForSelector('#intake-form');
  await page.fill('#intake-form textarea[name="allow"]', '198.18.0.0/15\n10.0.0.0/33');
  await page.click('#intake-form button[type=submit]');
  await page.waitForSelector('#intake-msg .notice');
  assert.match(await page.textContent('#intake-msg'), /entry 2/, 'a bad network is named');
  assert.equal(await page.getAttribute('#intake-form textarea[name="allow"]', 'aria-invalid'), 'true');
  assert.deepEqual((await apiGet('/settings/intake')).allow, [], 'nothing stored from a refused save');
  await page.fill('#intake-form textarea[name="allow"]', '198.18.0.0/15, 198.19.7.0/24');
  await page.click('#intake-form button[type=submit]');
  await page.waitForSelector('#intake-msg .notice.ok');
  assert.match(await page.textContent('#intake-msg'), /2 network/);
  assert.deepEqual((await apiGet('/settings/intake')).allow, ['198.18.0.0/15', '198.19.7.0/24']);
  await page.reload();
  await page.waitForSelector('#intake-form');
  assert.equal(await page.inputValue('#intake-form textarea[name="allow"]'), '198.18.0.0/15\n198.19.7.0/24');
  await shot('admin-intake');
  await page.fill('#intake-form textarea[name="allow"]', '');
  await page.click('#intake-form button[type=submit]');
  await page.waitForSelector('#intake-msg .notice.ok');
  assert.deepEqual((await apiGet('/settings/intake')).allow, []);
});

test('admin: the admin of a sub-org gets no global settings pages', async () => {
  sh(NETCENSUS, ['admin', '--db', main.db, 'org', 'add', 'e2e-east']);
  sh(NETCENSUS, ['admin', '--db', main.db, 'user', 'add', 'eastboss', '--role', 'admin', '--org', 'e2e-east'], 'east-boss-password\n');
  const c = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const p = await c.newPage();
  watch(p);
  await p.goto(main.url + '/');
  await p.fill('#login-user', 'eastboss');
  await p.fill('#login-pass', 'east-boss-password');
  await p.click('form.login button[type=submit]');
  await p.waitForSelector('#chart-type');
  await p.goto(main.url + '/#/admin/intake');
  await p.waitForSelector('#tab-intake[aria-selected="true"]');
  await p.waitForSelector('text=Open-AudIT audit scripts');
  assert.equal(await p.locator('#intake-form').count(), 0, 'no allow-list form');
  assert.equal(await p.locator('#tab-smtp').count(), 0, 'no Mail tab');
  assert.equal(await p.locator('#tab-ldap').count(), 0, 'no Directory sign-in tab');
  const r = await p.request.get(main.url + '/api/v1/settings/smtp');
  assert.equal(r.status(), 403);
  assert.match((await r.json()).error, /admin of the root org/);
  await c.close();
});

test('network picture: subnets and ARP/LLDP links are drawn', async () => {
  await page.goto(main.url + '/#/network?ip__isw=198.18.');
  await page.waitForSelector('#net-graph canvas');
  const net = await apiGet('/network?ip__isw=198.18.&limit=250');
  assert.ok(net.links.some((l) => l.kind === 'lldp') && net.links.some((l) => l.kind === 'arp'), JSON.stringify(net.links));
  assert.equal(Number(await page.getAttribute('#net-status', 'data-links')), net.links.length);
  const subnets = await page.$$eval('.subnet-card', (s) => s.map((x) => x.dataset.subnet));
  assert.ok(subnets.includes('198.18.9.0/24'), subnets.join(' '));
  await page.waitForTimeout(300);
  await shot('network');
});

test('keyboard: "/" focuses the search box', async () => {
  await page.goto(main.url + '/#/devices');
  await page.waitForSelector('table.devices tbody tr[data-id]');
  await page.locator('main h1').click();
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'device-search');
});

test('phone width: pages fit without sideways scrolling', async () => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, storageState: await ctx.storageState(), isMobile: true, hasTouch: true });
  phone.setDefaultTimeout(WAIT_MS);
  const p = await phone.newPage();
  watch(p);
  for (const [hash, sel, name] of [['#/dashboard', '#chart-type', 'phone-dashboard'], ['#/devices', 'table.devices tbody tr[data-id]', 'phone-devices']]) {
    await p.goto(main.url + '/' + hash);
    await p.waitForSelector(sel);
    const [sw, w] = await p.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert.ok(sw <= w + 1, `${hash}: page is ${sw}px wide in a ${w}px window`);
    await shot(name, p);
  }
  await p.click('#menu');
  assert.ok(await p.isVisible('#nav a[href="#/devices"]'), 'the menu opens');
  await phone.close();
});

test('an expired session goes back to the login page with a notice', async () => {
  await page.goto(main.url + '/#/devices');
  await page.waitForSelector('table.devices tbody tr[data-id]');
  await ctx.clearCookies();
  await page.click('#nav a[href="#/dashboard"]');
  await page.waitForSelector('#login-msg .notice');
  assert.match(await page.textContent('#login-msg'), /session has expired/i);
  await shot('session-expired');
  await login(page, main.password);
  await page.waitForSelector('#chart-type');
});

// ---- the header search (docs/ui.md, "Search") ----
async function headerSearch(q) {
  await page.fill('#global-search', q);
  await page.press('#global-search', 'Enter');
  await page.waitForSelector('#search-status');
  return page.textContent('#search-status');
}

test('search: a device by its second NIC\'s MAC typed without separators, by serial, by a software name', async (t) => {
  await page.goto(main.url + '/#/dashboard');
  await page.waitForSelector('#global-search');
  const t0 = Date.now();
  const status = await headerSearch('aabbcc000102');
  t.diagnostic(`header search answered in ${Date.now() - t0} ms as Playwright saw it (${status})`);
  const row = page.locator('#search-devices tbody tr').first();
  assert.equal(await row.locator('td[data-col="hostname"]').textContent(), 'e2e-twonic');
  assert.match(await row.locator('td[data-col="match"]').textContent(), /MAC address: aa:bb:cc:00:01:02/);
  await shot('search-mac');
  await headerSearch('e2e-twonic-sn');
  assert.equal(await page.textContent('#search-devices tbody tr td[data-col="hostname"]'), 'e2e-twonic');
  assert.match(await page.textContent('#search-devices tbody tr td[data-col="match"]'), /serial: E2E-TWONIC-SN/);
  await headerSearch('e2e-only');
  assert.match(await page.textContent('#search-software .software-hit'), /e2e-only-tool\s+installed on 1 device/);
  await page.click('#search-software a:text("e2e-twonic")');
  await page.waitForSelector('#device-name:text("e2e-twonic")');
  // a software name several devices have lists them all
  await headerSearch('nginx');
  const names = await page.$$eval('#search-software .software-hit li a', (as) => as.map((a) => a.textContent).sort());
  assert.deepEqual(names, ['web10', 'web11']);
  const none = await headerSearch('no-such-thing-anywhere');
  assert.match(none, /Nothing found/);
});

test('changes: the page filtered to one device and one week; readable rows; CSV', async (t) => {
  await page.goto(main.url + '/#/dashboard');
  await page.waitForSelector('#kpi-changes');
  assert.match(await page.getAttribute('#kpi-changes', 'href'), /^#\/changes/);
  await page.click('#kpi-changes');
  await page.waitForSelector('#changes-status');
  await page.waitForSelector('#timeline li.change');
  const today = new Date();
  const weekAgo = new Date(today.getTime() - 6 * 86400000);
  const day = (d) => d.toISOString().slice(0, 10);
  await page.fill('#changes-filters input[name="device"]', 'web10');
  await page.fill('#changes-filters input[name="from"]', day(weekAgo));
  await page.fill('#changes-filters input[name="to"]', day(today));
  const t0 = Date.now();
  await page.click('#changes-filters button[type=submit]');
  await page.waitForFunction(() => /device=web10/.test(location.hash));
  await page.waitForFunction(() => [...document.querySelectorAll('#timeline li.change a.dev')].every((a) => a.textContent === 'web10'));
  t.diagnostic(`changes page filtered to one device and one week in ${Date.now() - t0} ms`);
  const api = await apiGet(`/changes?hostname__ic=web10&time__gte=${day(weekAgo)}%2000:00:00&limit=1000`);
  assert.ok(api.count > 0, 'web10 has changes this week');
  assert.match(await page.textContent('#changes-status'), new RegExp(`^${api.count} change`));
  assert.equal(await page.locator('#timeline li.change').count(), Math.min(api.count, 100));
  const textAll = await page.textContent('#timeline');
  assert.ok(!/[\u0000-\u0008\u000b-\u001f]/.test(textAll), 'no control character is shown');
  assert.ok(!textAll.includes('{"'), 'no raw JSON is shown');
  assert.match(textAll, /nginx · 1\.24/, 'a key reads as its fields');
  assert.match(textAll, /changed/);
  // one colour per kind: the dots of an added and a removed row differ
  const dot = (kind) => page.$eval(`#timeline li.kind-${kind}`, (li) => getComputedStyle(li, '::before').backgroundColor);
  const [add, remove] = [await dot('add'), await dot('remove')];
  assert.notEqual(add, remove);
  await shot('changes-week');
  // another device's changes are not in the filtered view
  assert.ok(!(await page.locator('#timeline a.dev:text("web11")').count()));
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#changes-csv')]);
  const csv = fs.readFileSync(await dl.path(), 'utf8');
  const lines = csv.trim().split('\r\n');
  assert.equal(lines[0], 'time,device_id,hostname,section,kind,item,details');
  assert.equal(lines.length - 1, api.count, 'the CSV has every change of the view');
  assert.ok(!/[\u001f]/.test(csv) && lines.slice(1).every((l) => l.includes(',web10,')));
  // the device page's History draws the same rows with the same filters
  const id = api.results[0].device_id;
  await page.goto(main.url + `/#/device/${id}/history`);
  await page.waitForSelector('#timeline li.change');
  await page.selectOption('#changes-filters select[name="kind"]', 'add');
  await page.click('#changes-filters button[type=submit]');
  const adds = (await apiGet(`/changes?device_id=${id}&action=add`)).count;
  await page.waitForFunction((n) => document.querySelectorAll('#timeline li.change').length === Math.min(n, 100) &&
    [...document.querySelectorAll('#timeline li.change')].every((li) => li.classList.contains('kind-add')), adds);
});

test('errors: the credential form shows the server\'s reason next to the field, cleared by a later save', async () => {
  await page.goto(main.url + '/#/admin/credentials');
  await page.waitForSelector('#cred-form');
  await page.fill('#cred-form input[name="name"]', 'e2e no community');
  await page.selectOption('#cred-form select[name="type"]', 'snmp');
  await page.click('#cred-form button[type=submit]');
  await page.waitForSelector('#cred-form .field-error');
  const note = await page.textContent('#cred-form .field-error');
  assert.match(note, /missing community: required for snmp/);
  assert.equal(await page.getAttribute('#cred-form [name="community"]', 'aria-invalid'), 'true');
  assert.ok(!/server log/i.test(await page.textContent('#cred-form')), 'no "see the server log"');
  await shot('credential-error');
  // the same name as a stored one: the reason names it
  await page.fill('#cred-form input[name="name"]', 'e2e snmp');
  await page.fill('#cred-form input[name="community"]', 'e2e-other-' + Date.now());
  await page.click('#cred-form button[type=submit]');
  await page.waitForSelector('#cred-form [name="name"][aria-invalid="true"]');
  assert.match(await page.textContent('#cred-form .field-error'), /already exists/);
  // fixed: saved, and no red outline or message stays
  await page.fill('#cred-form input[name="name"]', 'e2e fixed ' + Date.now());
  await page.fill('#cred-form input[name="community"]', 'e2e-other-' + Date.now());
  await page.click('#cred-form button[type=submit]');
  await page.waitForSelector('#cred-form .notice.ok');
  assert.equal(await page.locator('#cred-form [aria-invalid]').count(), 0);
  assert.equal(await page.locator('#cred-form .field-error').count(), 0);
});

test('reports: the true total, pages from the server, linked host names, CSV of every row', async () => {
  const rep = await apiGet('/reports');
  const sw = (rep.results || rep).find((x) => x.name === 'Software by name');
  const one = await apiGet(`/reports/${sw.id}/run?limit=1`);
  assert.ok(one.count > 150, `the report has ${one.count} rows`);
  assert.equal(one.results.length, 1, 'limit pages the rows; count stays the total');
  await page.goto(main.url + '/#/admin/reports');
  await page.click('button[aria-label="Run Software by name"]');
  await page.waitForSelector('#report-total');
  assert.equal(await page.textContent('#report-total'), `Software by name: ${one.count.toLocaleString('en-US')} rows`);
  assert.equal(await page.locator('#report-out table tbody tr').count(), 100);
  await page.click('#report-next');
  await page.waitForSelector('#report-rows:text("rows 101")');
  assert.match(await page.textContent('#report-rows'), new RegExp(`^rows 101–${Math.min(200, one.count)} of ${one.count.toLocaleString('en-US')}$`));
  const href = await page.getAttribute('#report-out td[data-col="hostname"] a', 'href');
  assert.match(href, /^#\/device\/\d+$/, 'host names link to their device');
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#report-csv')]);
  const lines = fs.readFileSync(await dl.path(), 'utf8').trim().split('\r\n');
  assert.equal(lines.length - 1, one.count, 'the CSV holds every row');
  await page.waitForSelector('#report-out [role=status]:text("rows saved")');
  await shot('report-paged');
});

// ---- reports: the filter builder and "schedule this report" ----
test('reports: the filter builder writes the filter language; the report runs with linked host names', async () => {
  await page.goto(main.url + '/#/admin/reports');
  await page.waitForSelector('#report-builder select[name="b_field"] option[value="hostname"]', { state: 'attached' });
  // the field picker lists the resource's own fields
  const fieldsOf = () => page.$$eval('#report-builder select[name="b_field"] option', (o) => o.map((x) => x.value));
  assert.ok((await fieldsOf()).includes('os_family'));
  await page.selectOption('#report-form select[name="resource"]', 'changes');
  assert.ok((await fieldsOf()).includes('section') && !(await fieldsOf()).includes('os_family'), 'changes have their own fields');
  await page.selectOption('#report-form select[name="resource"]', 'devices');
  const cond = async (f, op, v) => {
    await page.selectOption('#report-builder select[name="b_field"]', f);
    await page.selectOption('#report-builder select[name="b_lookup"]', op);
    await page.fill('#report-builder input[name="b_value"]', v);
    await page.click('#b-add');
  };
  await cond('hostname', 'isw', 'web');
  await cond('os_family', '', 'Debian');
  await page.selectOption('#report-builder select[name="b_order"]', 'hostname');
  await page.selectOption('#report-builder select[name="b_dir"]', '-');
  await page.click('#b-order');
  const q = '#report-form input[name="query"]';
  assert.equal(await page.inputValue(q), 'hostname__isw=web&os_family=Debian&ordering=-hostname');
  // a value with & and a space is encoded so the server reads it back whole
  await cond('manufacturer', 'nic', 'A&B Co');
  assert.equal(await page.inputValue(q), 'hostname__isw=web&os_family=Debian&ordering=-hostname&manufacturer__nic=A%26B%20Co');
  // still editable by hand: the last condition taken out again
  await page.fill(q, 'hostname__isw=web&os_family=Debian&ordering=-hostname');
  await page.fill('#report-form input[name="name"]', 'e2e web servers');
  await page.fill('#report-form input[name="columns"]', 'hostname, ip, os_family');
  await page.click('#report-form button[type=submit]');
  await page.waitForSelector('#report-list td:text("e2e web servers")');
  const want = await apiGet('/devices?hostname__isw=web&os_family=Debian&ordering=-hostname');
  assert.deepEqual(want.results.map((d) => d.hostname), ['web11', 'web10']);
  await page.click('button[aria-label="Run e2e web servers"]');
  await page.waitForSelector('#report-total:text("e2e web servers")');
  assert.equal(await page.textContent('#report-total'), 'e2e web servers: 2 rows');
  const links = await page.$$eval('#report-out td[data-col="hostname"] a', (as) => as.map((a) => [a.textContent, a.getAttribute('href')]));
  assert.deepEqual(links, want.results.map((d) => [d.hostname, `#/device/${d.id}`]), 'each host name links to its own device');
  await shot('report-builder');
});

test('reports: "schedule this report" writes the task\'s schedule from a frequency picker; cron still allowed', async () => {
  await page.goto(main.url + '/#/admin/reports');
  await page.click('button[aria-label="Schedule e2e web servers"]');
  await page.waitForSelector('#schedule-form');
  const f = (sel) => '#schedule-form ' + sel;
  await page.selectOption(f('select[name="frequency"]'), 'weekly');
  await page.selectOption(f('select[name="weekday"]'), '3');
  await page.fill(f('input[name="time"]'), '07:30');
  assert.equal(await page.inputValue(f('input[name="schedule"]')), '30 7 * * 3');
  await page.fill(f('input[name="recipients"]'), 'noc@example.org, ops@example.org');
  await page.click(f('button[type=submit]'));
  await page.waitForSelector('#report-schedule .notice.ok');
  const tasks = (await apiGet('/tasks')).results || [];
  const task = tasks.find((t) => t.name === 'Mail: e2e web servers');
  assert.ok(task, 'the task is stored');
  const rep = ((await apiGet('/reports')).results).find((r) => r.name === 'e2e web servers');
  assert.equal(task.schedule, '30 7 * * 3');
  assert.equal(task.type, 'report');
  assert.equal(Number(task.options.report), rep.id);
  assert.deepEqual(task.options.recipients, ['noc@example.org', 'ops@example.org']);
  assert.match(await page.textContent('#report-schedule'), new RegExp(task.next_run));
  // the task form reads it back into the picker, and writes monthly
  await page.goto(main.url + '/#/admin/tasks');
  await page.click(`button[aria-label="Edit ${task.name}"]`);
  const t = (sel) => '#task-form ' + sel;
  assert.equal(await page.inputValue(t('select[name="frequency"]')), 'weekly');
  assert.equal(await page.inputValue(t('select[name="weekday"]')), '3');
  assert.equal(await page.inputValue(t('input[name="time"]')), '07:30');
  await page.selectOption(t('select[name="frequency"]'), 'monthly');
  await page.fill(t('input[name="monthday"]'), '15');
  await page.fill(t('input[name="time"]'), '23:05');
  assert.equal(await page.inputValue(t('input[name="schedule"]')), '5 23 15 * *');
  assert.ok(await page.isHidden(t('select[name="weekday"]')), 'no weekday for a monthly task');
  // an expert's cron: the picker says so and the text is kept
  await page.fill(t('input[name="schedule"]'), '*/15 8-18 * * 1-5');
  assert.equal(await page.inputValue(t('select[name="frequency"]')), 'cron');
  await page.click(t('button[type=submit]'));
  await page.waitForSelector('#task-msg .notice.ok');
  const saved = ((await apiGet('/tasks')).results).find((x) => x.id === task.id);
  assert.equal(saved.schedule, '*/15 8-18 * * 1-5');
  await shot('task-schedule');
});

// ---- accessibility ----
const AXE = fs.readFileSync(new URL('./node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');
// axe-core's findings on the page as it is: "rule (impact): elements".
// Its source goes in through the DevTools protocol (evaluate), which the
// page's CSP does not govern, and is gone with the next load.
async function axeFindings(p) {
  await p.evaluate(AXE + ';0');
  const r = await p.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

// Every page of the UI (every route of ui/main.js, each tab of the tabbed
// ones), with what shows it is drawn. A collector of its own (registered
// once) gives the collector page something to show; the discovery run
// page shows a run the discovery tests left.
let a11yCollector = null;
async function uiPages() {
  const dev = (await apiGet('/devices?hostname=web10')).results[0].id;
  const panel = '[role=tabpanel] h2';
  if (!a11yCollector) a11yCollector = await registerCollector('e2e-a11y-site', 'gw-a11y', '198.18.41.0/24');
  // (there is one in the whole file's run; a subset of its tests may have none)
  const run = (await apiGet('/discovery-runs?limit=1')).results[0];
  return [
    ['#/dashboard', '#kpi-changes'], ['#/devices', 'table.devices tbody tr[data-id]'], [`#/device/${dev}`, '#device-name'],
    [`#/device/${dev}/history`, '#timeline li.change'], ['#/changes', '#timeline li.change'], ['#/search?q=web', '#search-status'],
    ['#/discoveries', '#discovery-form'], ...(run ? [[`#/discoveries/${run.id}`, '#run-state']] : []),
    ['#/collectors', 'table.collectors tbody tr'], [`#/collectors/${a11yCollector}`, '#collector-runs'],
    ['#/network?ip__isw=198.18.', '#net-graph[data-draw-ms]'],
    ['#/data/import', '#csv-form'], ['#/data/new', '#new-device'], ['#/data/fields', '#field-form'],
    ['#/locations', 'table.locations'],
    ...['credentials', 'users', 'orgs', 'tokens', 'intake', 'tasks', 'reports', 'smtp', 'ldap'].map((tab) => [`#/admin/${tab}`, panel]),
  ];
}

test('accessibility: axe-core finds nothing on any page; a skip link; focus ring and input borders of 3:1', async (t) => {
  const found = [];
  const c = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const p = await c.newPage();
  watch(p);
  await p.goto(main.url + '/');
  await p.waitForSelector('#login-user');
  found.push(...(await axeFindings(p)).map((f) => `login: ${f}`));
  await c.close();
  const pages = await uiPages();
  for (const [hash, sel] of pages) {
    await page.goto(main.url + '/' + hash);
    await page.waitForSelector(sel);
    await page.waitForLoadState('networkidle');
    found.push(...(await axeFindings(page)).map((f) => `${hash}: ${f}`));
  }
  t.diagnostic(`axe-core ${JSON.parse(fs.readFileSync(new URL('./node_modules/axe-core/package.json', import.meta.url))).version} on ${pages.length + 1} pages: ${found.length} findings`);
  assert.deepEqual(found, []);

  // the skip link comes first, before the header's controls; it moves the
  // focus to the content without leaving the page
  await page.goto(main.url + '/#/devices');
  await page.waitForSelector('table.devices tbody tr[data-id]');
  assert.equal(await page.evaluate(() => document.querySelector('a[href], button, input, select, textarea').className), 'skip-link');
  await page.focus('.brand'); // (the menu button between them shows on phones only)
  await page.keyboard.press('Shift+Tab');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'skip-link');
  assert.ok(await page.isVisible('.skip-link'), 'visible once focused');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'main');
  assert.match(page.url(), /#\/devices$/);

  // contrast (WCAG 1.4.11): the focus ring against what is around it, an
  // input's border against the background it sits on
  const contrast = async (sel, prop) => page.$eval(sel, (el, which) => {
    const rgb = (s) => (s.match(/[\d.]+/g) || []).slice(0, 3).map(Number);
    const lum = (c) => {
      const [r, g, b] = c.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    let bgEl = el.parentElement;
    while (bgEl && /rgba\(0, 0, 0, 0\)|transparent/.test(getComputedStyle(bgEl).backgroundColor)) bgEl = bgEl.parentElement;
    const bg = rgb(bgEl ? getComputedStyle(bgEl).backgroundColor : 'rgb(255,255,255)');
    const fg = rgb(getComputedStyle(el)[which]);
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    return (a + 0.05) / (b + 0.05);
  }, prop);
  for (const sel of ['#device-search', '#global-search', 'tr.filters input']) {
    const r = await contrast(sel, 'borderTopColor');
    assert.ok(r >= 3, `${sel}: border contrast ${r.toFixed(2)}`);
  }
  for (const sel of ['#device-search', '#global-search', '#nav a[href="#/devices"]', 'main button']) {
    // a key pressed first: the focus then counts as the keyboard's
    // (:focus-visible), and the ring is the outline
    await page.keyboard.press('Shift');
    await page.focus(sel);
    const r = await contrast(sel + ':focus', 'outlineColor');
    const style = await page.$eval(sel + ':focus', (el) => getComputedStyle(el).outlineStyle);
    assert.notEqual(style, 'none', `${sel} shows a focus ring`);
    assert.ok(r >= 3, `${sel}: focus ring contrast ${r.toFixed(2)}`);
  }
});

// Words of the page's text that the browser broke across two lines (a
// break inside a word, not at a space or hyphen: "web1 / 0" of "web10")
// although the word fits on one line of its box. A word longer than the
// box (a long URL in a code example) has to break somewhere.
async function midWordBreaks(p) {
  return p.evaluate(() => {
    const out = [];
    const rectsOf = (n, from, to) => {
      const r = document.createRange();
      r.setStart(n, from);
      r.setEnd(n, to);
      return [...r.getClientRects()].filter((x) => x.width > 0);
    };
    const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      const el = n.parentElement;
      if (!el || !el.offsetParent || el.closest('.sr-only, option, script, style')) continue;
      let box = el;
      while (box.parentElement && getComputedStyle(box).display.startsWith('inline')) box = box.parentElement;
      const words = /\S+/g;
      for (let w = words.exec(n.data); w; w = words.exec(n.data)) {
        if (rectsOf(n, w.index, w.index + w[0].length).reduce((a, x) => a + x.width, 0) > box.clientWidth) continue;
        // a line may end after a hyphen or a slash; any other break in a
        // word that fits its box is one in the middle
        const parts = /[^\-/]+/g;
        for (let m = parts.exec(w[0]); m; m = parts.exec(w[0])) {
          const from = w.index + m.index;
          const tops = new Set(rectsOf(n, from, from + m[0].length).map((x) => Math.round(x.top)));
          if (tops.size > 1) out.push(m[0]);
        }
      }
    }
    return out;
  });
}

test('phone width: every page fits without sideways scrolling and breaks no word in the middle', async () => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, storageState: await ctx.storageState(), isMobile: true, hasTouch: true });
  phone.setDefaultTimeout(WAIT_MS);
  const p = await phone.newPage();
  watch(p);
  const bad = [];
  for (const [hash, sel] of await uiPages()) {
    await p.goto(main.url + '/' + hash);
    await p.waitForSelector(sel, { state: 'attached' });
    await p.waitForLoadState('networkidle');
    const [sw, w] = await p.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    if (sw > w + 1) bad.push(`${hash}: the page is ${sw}px wide in a ${w}px window`);
    const words = await midWordBreaks(p);
    if (words.length) bad.push(`${hash}: words broken in the middle: ${words.slice(0, 5).join(', ')}`);
    await shot('phone-' + hash.replace(/\W+/g, '-').replace(/^-|-$/g, ''), p);
  }
  await phone.close();
  assert.deepEqual(bad, []);
});

// ---- issue #18 items 4-5 (branch uidev) ----

test('devices: the column chooser is remembered for the user across a reload and a new login', async () => {
  await page.goto(main.url + '/#/devices');
  await page.waitForSelector('table.devices tbody tr[data-id]');
  assert.match(await page.textContent('#devices-count'), /^\(\d+\)$/, 'the count at the top');
  assert.equal(await page.locator('table.devices th[data-col="serial"]').count(), 0);
  await page.click('#columns-toggle');
  await page.check('#col-serial');
  await page.check('#col-org_id');
  await page.uncheck('#col-model');
  await page.waitForFunction(() => /saved/.test(document.getElementById('columns-msg').textContent));
  // the field columns (th[data-col]), not the selection column that
  // data.js adds once its module is loaded (before or after this reads)
  const heads = async () => page.$$eval('table.devices thead tr:first-child th[data-col]', (t) => t.map((x) => x.textContent.replace(/[▲▼]/g, '').trim()));
  let h1 = await heads();
  assert.ok(h1.includes('Serial') && h1.includes('Org') && !h1.includes('Model'), `columns ${h1}`);
  assert.ok(h1.every((x) => !x.includes('_')), `readable labels: ${h1}`);
  // the org shows by name
  const orgCells = await page.$$eval('table.devices tbody td[data-col="org_id"]', (t) => t.map((x) => x.textContent));
  assert.ok(orgCells.length && orgCells.every((x) => x === 'Default'), `org names: ${orgCells.slice(0, 3)}`);
  await page.reload();
  await page.waitForSelector('table.devices th[data-col="serial"]');
  assert.deepEqual(await heads(), h1, 'the same columns after a reload');
  // a new login (a fresh session, as from another browser)
  await ctx.clearCookies();
  await page.reload();
  await page.waitForSelector('#login-user');
  await login(page, main.password);
  await page.waitForSelector('table.devices th[data-col="serial"]');
  assert.deepEqual(await heads(), h1, 'the same columns after logging in again');
  assert.deepEqual((await apiGet('/preferences'))['devices.columns'].includes('serial'), true);
  await shot('devices-columns');
  await page.click('#columns-toggle');
  await page.click('#columns-default');
  await page.waitForFunction(() => !document.querySelector('table.devices th[data-col="serial"]'));
});

test('device page: no section rows in the first answer; the software section (1,200 rows) read a page at a time, sorted by the server', async () => {
  const id = (await apiGet('/devices?hostname=e2e-many-sw')).results[0].id;
  // what the page asks for the device, and every section request after
  const devAnswers = [];
  const sectionUrls = [];
  const seen = (res) => {
    const u = new URL(res.url());
    if (u.pathname === `/api/v1/devices/${id}`) devAnswers.push(res.json().then((j) => ({ query: u.search, j })));
    if (u.pathname.startsWith(`/api/v1/devices/${id}/`)) sectionUrls.push(u.pathname.slice(`/api/v1/devices/${id}/`.length) + u.search);
  };
  page.on('response', seen);
  try {
    await page.goto(main.url + `/#/device/${id}`);
    await page.waitForSelector('#device-summary');
    await page.waitForSelector('#tab-software');
    assert.equal(devAnswers.length, 1);
    const first = await devAnswers[0];
    assert.match(first.query, /sections=/, 'the page asks for the device without its sections');
    assert.equal(first.j.components.software, undefined, 'the first answer carries no software rows');
    assert.equal(first.j.section_counts.software, 1200, 'only their count');
    assert.match(await page.textContent('#tab-software'), /1,200/);
    assert.deepEqual(sectionUrls, [], 'no section is read before its tab is opened');
    // the API's default stays the full answer (API clients, the CLI)
    assert.equal((await apiGet(`/devices/${id}`)).components.software.length, 1200);

    await page.click('#tab-software');
    const status = '.section-block[data-section="software"] .section-status';
    await page.waitForSelector(`${status}[data-count="1200"]`);
    assert.match(await page.textContent(status), /^1–25 of 1,200 rows$/);
    assert.equal(await page.locator('table.section[data-section="software"] tbody tr').count(), 25, 'one page of 25, not 1,200');
    assert.ok(sectionUrls.some((u) => /^software\?.*limit=25&offset=0/.test(u)), `page 1 read from the server: ${sectionUrls}`);
    const firstCell = () => page.textContent('table.section[data-section="software"] tbody tr td');
    assert.equal(await firstCell(), 'e2e-pkg-0000');
    const sortBtn = 'table.section[data-section="software"] th button[data-field="name"]';
    await page.click(sortBtn);
    await page.click(sortBtn);
    await page.waitForFunction(() => document.querySelector('table.section[data-section="software"] tbody tr td').textContent === 'e2e-pkg-1199');
    assert.ok(sectionUrls.some((u) => /^software\?.*ordering=-name/.test(u)), `sorting by name asked the server: ${sectionUrls}`);
    assert.equal(await page.getAttribute('table.section[data-section="software"] th:has(button[data-field="name"])', 'aria-sort'), 'descending');
    await page.click('.section-block[data-section="software"] .section-next');
    await page.waitForFunction(() => document.querySelector('table.section[data-section="software"] tbody tr td').textContent === 'e2e-pkg-1174');
    assert.match(await page.textContent(status), /^26–50 of 1,200 rows$/);
    const api = await apiGet(`/devices/${id}/software?ordering=-name&limit=25&offset=25`);
    assert.deepEqual(await page.$$eval('table.section[data-section="software"] tbody tr', (t) => t.map((r) => r.children[0].textContent)),
      api.results.map((r) => r.data.name), 'the page shows the rows the server sorted');
  } finally {
    page.off('response', seen);
  }
  await shot('device-software-paged');
});

test('admin: a user edited (role, org, name) and signed out everywhere; roles explained', async () => {
  assert.equal((await apiSend('POST', '/users', { username: 'e2e-edit', password: 'pw-e2e-edit-long', role: 'user', org_id: 1 })).status, 201);
  // the user signs in from another browser
  const other = await browser.newContext();
  const r = await other.request.post(main.url + '/api/v1/auth/login', { data: { username: 'e2e-edit', password: 'pw-e2e-edit-long' } });
  assert.equal(r.status(), 200);
  assert.equal((await other.request.get(main.url + '/api/v1/auth/me')).status(), 200);
  await page.goto(main.url + '/#/admin/users');
  await page.waitForSelector('#role-help dt:text("org_admin")');
  await page.click('#user-list button.edit[data-user="e2e-edit"]');
  await page.selectOption('#user-edit select[name="role"]', 'org_admin');
  await page.fill('#user-edit input[name="full_name"]', 'Edited Person');
  await page.click('#user-edit button[type=submit]');
  await page.waitForSelector('#user-edit .notice.ok');
  const u = (await apiGet('/users')).results.find((x) => x.username === 'e2e-edit');
  assert.equal(u.role, 'org_admin');
  assert.equal(u.full_name, 'Edited Person');
  await page.waitForSelector('#user-list td:text("Edited Person")');
  await page.click('#user-revoke');
  await page.waitForSelector('#user-edit .notice.ok:has-text("signed out everywhere")');
  assert.match(await page.textContent('#user-edit .notice.ok'), /1 session ended/);
  assert.equal((await other.request.get(main.url + '/api/v1/auth/me')).status(), 401, 'the other browser is signed out');
  await other.close();
  await shot('admin-user-edit');
});

test('admin: a credential rotated, then tested on loopback with the server\'s reason shown; a windows one too', async () => {
  const NEW = 'e2e-rotated-' + Math.random().toString(36).slice(2, 10);
  assert.equal((await apiSend('POST', '/credentials', { name: 'e2e rotate', type: 'snmp', community: SECRET + '-old', org_id: 1 })).status, 201);
  await page.goto(main.url + '/#/admin/credentials');
  await page.click('#cred-list button.edit[data-cred="e2e rotate"]');
  await page.waitForSelector('#cred-form small:has-text("leave empty to keep it")');
  await page.fill('#cred-form input[name="community"]', NEW);
  await page.click('#cred-form button[type=submit]');
  await page.waitForSelector('#cred-form .notice.ok:has-text("new secret replaces")');
  assert.equal(await page.inputValue('#cred-form input[name="community"]'), '', 'the secret leaves the page');
  // a UDP socket on loopback that takes requests and never answers: the
  // server's own reason
  const mute = dgram.createSocket('udp4');
  await new Promise((resolve) => mute.bind(0, '127.0.0.1', resolve));
  const port = mute.address().port;
  await page.click('#cred-list button.test[data-cred="e2e rotate"]');
  await page.fill('#cred-test input[name="address"]', '127.0.0.1');
  await page.fill('#cred-test input[name="port"]', String(port));
  await page.click('#cred-test button[type=submit]');
  await page.waitForSelector('#cred-test-result .notice.error');
  assert.match(await page.textContent('#cred-test-result'), /did not work: snmp 127\.0\.0\.1: no credential worked: .*no answer/);
  mute.close();
  // an address that is not one: the reason next to the field
  await page.fill('#cred-test input[name="address"]', 'not-an-address');
  await page.click('#cred-test button[type=submit]');
  await page.waitForSelector('#cred-test .field-error');
  assert.match(await page.textContent('#cred-test .field-error'), /address must be one IPv4 or IPv6 address/);
  // a windows credential has the Test button too: one SMB login through
  // the RPC worker; nothing listens on 445 of 127.0.0.2, and the reason is
  // the refused connection (or, on a machine too busy to start Python in
  // 10 s, the worker's deadline)
  const WPW = 'e2e-win-' + Math.random().toString(36).slice(2, 10);
  assert.equal((await apiSend('POST', '/credentials', { name: 'e2e win', type: 'windows', username: 'auditor', password: WPW, org_id: 1 })).status, 201);
  await page.reload(); // the list as it is now
  await page.click('#cred-list button.test[data-cred="e2e win"]');
  await page.waitForSelector('#cred-test h3:has-text("(windows)")');
  await page.fill('#cred-test input[name="address"]', '127.0.0.2');
  await page.click('#cred-test button[type=submit]');
  await page.waitForSelector('#cred-test-result .notice.error');
  assert.match(await page.textContent('#cred-test-result'), /did not work: (wkssvc: 445\/tcp: Connection refused|no answer from the RPC worker)/);
  const all = await page.evaluate(() => document.documentElement.outerHTML);
  assert.ok(!all.includes(NEW) && !apiBodies.some((b) => b.includes(NEW)), 'the new secret is in no page and no reply');
  assert.ok(!all.includes(WPW) && !apiBodies.some((b) => b.includes(WPW)), 'the windows password is in no page and no reply');
  await shot('admin-credential-test');
});

test('locations: a marker and the list with no tile server reachable', async () => {
  assert.equal((await apiSend('POST', '/locations', { name: 'e2e Brisbane DC', city: 'Brisbane', country: 'AU', latitude: -27.4698, longitude: 153.0251, type: 'site', org_id: 1 })).status, 201);
  await page.goto(main.url + '/#/locations');
  await page.waitForSelector('#location-map[data-markers="1"]');
  assert.equal(await page.locator('#location-map path.location-marker').count(), 1, 'one marker drawn');
  assert.equal(await page.locator('#location-list td:text("e2e Brisbane DC")').count(), 1);
  // the tiles were asked for, refused (offline), and the page says so
  await page.waitForFunction(() => /cannot be loaded/.test(document.getElementById('map-note').textContent));
  assert.ok(offsite.length > 0 && offsite.every((u) => u.startsWith('https://tile.openstreetmap.org/')), `only tiles went offsite: ${offsite.slice(0, 3)}`);
  // editing still works: a click on the marker opens it in the form
  await page.click('#location-list tr:has-text("e2e Brisbane DC") button.edit');
  await page.selectOption('#location-form select[name="type"]', 'building');
  await page.click('#location-form button[type=submit]');
  await page.waitForSelector('#location-form .notice.ok');
  const loc = (await apiGet('/locations')).results.find((l) => l.name === 'e2e Brisbane DC');
  assert.equal(loc.type, 'building');
  await shot('locations-offline');
});

test('no dialog opened and no Content-Security-Policy violation', () => {
  assert.deepEqual(dialogs, []);
  assert.deepEqual(cspErrors, []);
});

test(`with ${PERF_DEVICES.toLocaleString('en-US')} devices the devices page shows rows (time printed; under a second on a quiet machine)`, async (t) => {
  const db = path.join(tmp, 'perf.db');
  sh(NETCENSUS, ['status', '--db', db]);
  const t0 = Date.now();
  sqlite(db, `
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${PERF_DEVICES})
    INSERT INTO device (org_id, hostname, ip, mac, type, os_family, manufacturer, first_seen, last_seen)
    SELECT 1, printf('host-%06d', i), printf('198.%d.%d.%d', 18 + i / 65536, (i / 256) % 256, i % 256),
      printf('02:00:00:%02x:%02x:%02x', i / 65536, (i / 256) % 256, i % 256),
      CASE i % 5 WHEN 0 THEN 'computer' WHEN 1 THEN 'switch' WHEN 2 THEN 'router' WHEN 3 THEN 'printer' ELSE 'wap' END,
      CASE i % 4 WHEN 0 THEN 'Debian' WHEN 1 THEN 'Windows' WHEN 2 THEN 'Cisco IOS' ELSE NULL END,
      CASE i % 3 WHEN 0 THEN 'Dell' WHEN 1 THEN 'Cisco Systems' ELSE 'HP' END,
      datetime('now', printf('-%d minutes', i % 40000)), datetime('now', printf('-%d seconds', i % 86400))
    FROM n;`);
  t.diagnostic(`seeded ${PERF_DEVICES} devices with sqlite3 in ${Date.now() - t0} ms`);
  const perf = await startServer(db);
  const c = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  c.setDefaultTimeout(WAIT_MS);
  const p = await c.newPage();
  watch(p);
  const r = await p.request.post(perf.url + '/api/v1/auth/login', { data: { username: 'admin', password: perf.password } });
  assert.equal(r.status(), 200);
  // Full page loads (HTML, scripts, /auth/me, the first page of devices):
  // three in id order, three newest first. The browser's own clock: from
  // the start of the navigation to the first rows in the table
  // (performance.mark in devices.js). The median of each three must be
  // under a second, so that one load slowed by a busy machine does not
  // decide; every figure is printed.
  const medians = [];
  for (const hash of ['#/devices', '#/devices?ordering=-last_seen']) {
    const runs = [];
    for (let i = 0; i < 3; i++) {
      const start = Date.now();
      await p.goto(`${perf.url}/?load=${medians.length}${i}${hash}`);
      await p.waitForSelector('table.devices tbody tr[data-id]');
      const wall = Date.now() - start;
      runs.push([Math.round(await p.evaluate(() => performance.getEntriesByName('devices-first-rows')[0].startTime)), wall]);
    }
    const median = runs.map((r) => r[0]).sort((a, b) => a - b)[1];
    medians.push([hash, median]);
    t.diagnostic(`devices page ${hash.slice(1)} with ${PERF_DEVICES} devices: first rows after ${runs.map((r) => r[0]).join(', ')} ms from the start of navigation (median ${median} ms; ${runs.map((r) => r[1]).join(', ')} ms as Playwright saw it)`);
  }
  const status = await p.textContent('#devices-status');
  assert.match(status, /of 100,000 devices/);
  await shot('devices-100k', p);
  await c.close();
  // The figure is a benchmark, printed above (bench/RESULTS.md records it on
  // a quiet machine: under a second). As a pass/fail check it only catches a
  // page that degrades by an order of magnitude (a scan of every row, say):
  // a busy CI machine must not decide it.
  for (const [hash, ms] of medians) assert.ok(ms < 10000, `${hash}: first rows after ${ms} ms (median)`);
});

test('network picture with 1,000 devices: subnets closed until opened, no overlapping labels, attachments kept (times printed)', async (t) => {
  const N = 1000;
  const dir = path.join(tmp, 'net-reports');
  const db = path.join(tmp, 'net.db');
  const t0 = Date.now();
  sh(NETCENSUS, ['-q', 'import', '--db', db, ...writeNetwork(dir, N)]);
  t.diagnostic(`imported ${N} device reports (${subnetCount(N)} subnets) in ${Date.now() - t0} ms`);
  const srv = await startServer(db);
  const c = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  c.setDefaultTimeout(WAIT_MS);
  const p = await c.newPage();
  watch(p);
  const r = await p.request.post(srv.url + '/api/v1/auth/login', { data: { username: 'admin', password: srv.password } });
  assert.equal(r.status(), 200);
  const net = await (await p.request.get(srv.url + '/api/v1/network?limit=1000')).json();
  assert.equal(net.nodes.length, N);
  const attach = net.links.filter((l) => l.kind === 'attach').length;
  assert.equal(attach, N - subnetCount(N), 'every device but the switches is plugged in');

  const graph = (q) => p.evaluate((q2) => {
    const cy = document.getElementById('net-graph')._cyreg.cy;
    const g = document.getElementById('net-graph').dataset;
    // every label's box (model coordinates): none may overlap another
    const boxes = cy.nodes().map((n) => {
      const b = n.boundingBox({ includeNodes: false, includeEdges: false, includeLabels: true });
      return { id: n.id(), x1: b.x1, x2: b.x2, y1: b.y1, y2: b.y2 };
    }).filter((b) => b.x2 > b.x1).sort((a, b) => a.x1 - b.x1);
    const overlaps = [];
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length && boxes[j].x1 < boxes[i].x2; j++) {
        if (boxes[j].y1 < boxes[i].y2 && boxes[i].y1 < boxes[j].y2) overlaps.push(`${boxes[i].id} / ${boxes[j].id}`);
      }
    }
    const sel = q2 ? cy.$(q2) : null;
    return { drawMs: Number(g.drawMs), fetchMs: Number(g.fetchMs), nodes: cy.nodes().length, devices: cy.nodes('[device]').length,
      subnets: cy.nodes('.subnet').length, closed: cy.nodes('.closed').length, attach: cy.edges('.attach').length,
      lldp: cy.edges('.lldp').length, labels: boxes.length, overlaps, pos: sel && sel.nonempty() ? sel.renderedPosition() : null };
  }, q);

  // closed: one node per subnet, the LLDP chain between them merged
  const loads = [];
  for (let i = 0; i < 3; i++) {
    await p.goto(`${srv.url}/?load=${i}#/network`);
    await p.waitForSelector('#net-graph[data-draw-ms]');
    const g = await graph();
    loads.push(`${g.fetchMs} + ${g.drawMs}`);
    assert.equal(g.subnets, subnetCount(N));
    assert.equal(g.closed, subnetCount(N), 'every subnet starts closed');
    assert.equal(g.devices, 0);
    assert.equal(g.lldp, subnetCount(N) - 1);
    assert.deepEqual(g.overlaps, []);
  }
  t.diagnostic(`network picture, ${N} devices, subnets closed: fetch + draw ${loads.join(', ')} ms`);
  await p.waitForTimeout(300); // the screenshot only
  await shot('network-1000-closed', p);

  // a click on a closed subnet opens it: its devices, and the port links.
  // The picture is a canvas, so the click goes where the subnet is drawn,
  // read just before. The page handles a click some frames after
  // Playwright sent it, so the test counts, in the page, the mouse-ups it
  // handled, and looks at the result after its click's: a click that
  // reached the subnet has changed the address by then (the tap handler
  // does that first). Session 10 saw clicks on a subnet's middle open
  // nothing: the hover had raised the subnet's links above it, and a link
  // took the click (links now take none).
  await p.evaluate(() => { window.ncMouseUps = 0; window.addEventListener('mouseup', () => { window.ncMouseUps++; }, true); });
  const one = await graph('node.closed[subnet = "198.19.3.0/24"]');
  assert.ok(one.pos, 'the closed subnet 198.19.3.0/24 is drawn');
  const box = await p.locator('#net-graph').boundingBox();
  const at = { x: box.x + one.pos.x, y: box.y + one.pos.y };
  await p.mouse.click(at.x, at.y);
  await p.waitForFunction(() => window.ncMouseUps >= 1);
  const after = await p.evaluate(([x, y]) => {
    const g = document.getElementById('net-graph');
    let under = '?'; // what Cytoscape finds there (its renderer's own lookup)
    try {
      const r = g._cyreg.cy.renderer();
      const el = r.findNearestElement(...r.projectIntoViewport(x, y), true, false);
      under = el ? `${el.group()} ${el.id()}` : 'nothing';
    } catch (e) { under = String(e); }
    return { hash: location.hash, open: g.dataset.open, under };
  }, [at.x, at.y]);
  assert.match(after.hash, /open=198\.19\.3\.0%2F24/,
    `the click at ${JSON.stringify(at)} (picture at ${JSON.stringify(box)}) opened nothing: address ${after.hash}, data-open ${after.open}, under the pointer ${after.under}`);
  // the picture redrawn with the subnet open; if not, what the page shows
  await p.waitForSelector('#net-graph[data-open="1"]').catch(async (err) => {
    const state = await p.evaluate(() => {
      const g = document.getElementById('net-graph');
      return `address ${location.hash}, data-open ${g.dataset.open}, drawn in ${g.dataset.drawMs} ms, ${g.querySelectorAll('canvas').length} canvases`;
    });
    throw new Error(`${err.message}\nthe page: ${state}`);
  });
  await p.waitForFunction(() => /open=198\.19\.3\.0%2F24/.test(location.hash));
  let g = await graph();
  assert.equal(g.devices, 100);
  assert.equal(g.attach, 99, 'the switch-port attachments of the opened subnet are drawn');
  assert.deepEqual(g.overlaps, []);
  await shot('network-1000-one-open', p);

  // all open: 1,000 devices, every label apart, every attachment drawn
  const opens = [];
  for (let i = 0; i < 3; i++) {
    await p.click('#net-close-all');
    await p.waitForSelector('#net-graph[data-open="0"]');
    await p.click('#net-open-all');
    await p.waitForSelector(`#net-graph[data-open="${subnetCount(N)}"]`);
    opens.push((await graph()).drawMs);
  }
  g = await graph();
  assert.equal(g.devices, N);
  assert.equal(g.attach, attach);
  assert.equal(g.labels, N + subnetCount(N));
  assert.deepEqual(g.overlaps.slice(0, 5), []);
  t.diagnostic(`network picture, ${N} devices, every subnet open: drawn in ${opens.join(', ')} ms`);
  // the text list offers the same, by keyboard
  await p.click('#net-close-all');
  await p.waitForSelector('#net-graph[data-open="0"]');
  await p.click('.subnet-card[data-subnet="198.19.5.0/24"] button.net-toggle');
  await p.waitForSelector('#net-graph[data-open="1"]');
  assert.equal(await p.getAttribute('.subnet-card[data-subnet="198.19.5.0/24"] button.net-toggle', 'aria-pressed'), 'true');
  assert.match(await p.textContent('.subnet-card[data-subnet="198.19.5.0/24"]'), /net-005-002 .*on sw-005 Gi0\/2/);
  await c.close();
  // a benchmark, printed above and in bench/RESULTS.md; as a check it only
  // catches a picture slower by an order of magnitude
  for (const ms of opens) assert.ok(ms < 20000, `all open drawn in ${ms} ms`);
});
