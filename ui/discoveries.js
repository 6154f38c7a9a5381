// Discoveries: stored definitions (GET/POST/PATCH/DELETE
// /api/v1/discoveries) with a form to create or edit one — a network
// discovery (targets, ports, the collector that runs it) or an Active
// Directory one (options.ad_*, docs/active-directory.md) — and a Run
// button (POST .../run), the runs the server knows (GET
// /api/v1/discovery-runs) with a progress bar, counts and ETA, refreshed
// while one is running, a Cancel button, and a run's log with one line per
// address (GET /api/v1/discovery-runs/ID/log); an AD run's page adds its
// result and links to the two AD difference reports.
import { state, h, clear, api, fmtNum, text, notice, badge, field, select, errorBox, confirmButton, showFieldErrors, clearFieldErrors } from './core.js';
import { seedFields } from './seed.js';

const active = (r) => r.state === 'running' || r.state === 'queued';

function eta(run) {
  if (run.progress && typeof run.progress.eta_s === 'number') {
    const s = run.progress.eta_s;
    return s < 60 ? `about ${Math.ceil(s)} s left` : `about ${Math.ceil(s / 60)} min left`;
  }
  if (run.state !== 'running' || !run.started || !run.addresses_done || !run.addresses_total) return '';
  const started = Date.parse(run.started.replace(' ', 'T') + 'Z');
  const elapsed = (Date.now() - started) / 1000;
  if (!(elapsed > 0)) return '';
  const left = (elapsed / run.addresses_done) * (run.addresses_total - run.addresses_done);
  if (left < 60) return `about ${Math.ceil(left)} s left`;
  return `about ${Math.ceil(left / 60)} min left`;
}

// An Active Directory run's live counters (runner.c): pages and objects
// while it reads the directory, then computers stored of those read.
function adProgress(run, live) {
  if (live.phase === 'reading') {
    return h('div', { class: 'progress' },
      h('progress', { 'aria-label': `run ${run.id}: reading the directory` }),
      h('span', {}, `reading the directory: ${fmtNum(live.objects)} objects, ${fmtNum(live.pages)} pages`));
  }
  const pct = live.total ? Math.round((live.done * 100) / live.total) : 0;
  return h('div', { class: 'progress' },
    h('progress', { max: 100, value: pct, 'aria-label': `run ${run.id}: ${pct}% of computers stored` }),
    h('span', {}, `storing: ${fmtNum(live.done)} / ${fmtNum(live.total)} computers`));
}

export function progress(run) {
  const live = run.progress || {};
  if (live.active_directory) return adProgress(run, live);
  const total = live.total || run.addresses_total || 0;
  const done = Math.min(live.done || run.addresses_done || 0, total);
  const pct = total ? Math.round((done * 100) / total) : (run.state === 'done' ? 100 : 0);
  return h('div', { class: 'progress' },
    h('progress', { max: 100, value: pct, 'aria-label': `run ${run.id}: ${pct}% of addresses done` }),
    h('span', {}, `${fmtNum(done)} / ${fmtNum(total)}`, run.state === 'running' ? ` · ${eta(run)}` : ''));
}

const canWrite = () => state.user && state.user.role !== 'user' && state.user.role !== 'collector';

function cancelButton(run, onChange) {
  return confirmButton('Cancel', 'Really cancel?', async () => {
    await api('POST', `/discovery-runs/${run.id}/cancel`);
    await onChange();
  });
}

export function runsTable(runs, onChange) {
  if (!runs.length) {
    return h('p', { class: 'empty', id: 'runs-empty' }, 'No discovery runs yet. Runs started here or with netcensus discover show here with their progress.');
  }
  const rows = runs.map((r) => h('tr', { dataset: { run: r.id } },
    h('td', {}, h('a', { href: `#/discoveries/${r.id}` }, `#${r.id}`)),
    h('td', {}, text(r.discovery) || 'one-shot'),
    h('td', {}, badge(r.state)),
    h('td', {}, progress(r)),
    h('td', { class: 'num' }, fmtNum(r.alive)),
    h('td', { class: 'num' }, fmtNum(r.devices_stored)),
    h('td', {}, text(r.started)),
    h('td', {}, text(r.finished)),
    h('td', {}, onChange && active(r) && canWrite() ? cancelButton(r, onChange) : '')));
  return h('div', { class: 'table-wrap' }, h('table', { class: 'grid runs' },
    h('thead', {}, h('tr', {}, ['Run', 'Discovery', 'State', 'Progress', 'Alive', 'Stored', 'Started', 'Finished', ''].map((c) => h('th', { scope: 'col' }, c || h('span', { class: 'sr-only' }, 'Actions'))))),
    h('tbody', {}, rows)));
}

// A two-column table of facts [label, key, value], the value's cell
// marked data-k=key.
export function facts(id, rows) {
  return h('div', { class: 'table-wrap' }, h('table', { class: 'grid facts', id },
    h('tbody', {}, rows.map(([label, key, value]) => h('tr', {},
      h('th', { scope: 'row' }, label), h('td', { 'data-k': key }, value))))));
}

// Whether run r read a directory: its discovery has options.ad_server
// (a deleted discovery: no).
async function isAd(r) {
  if (!r.discovery_id) return false;
  try {
    const d = await api('GET', `/discoveries/${r.discovery_id}`);
    return !!(d.options && d.options.ad_server);
  } catch (e) { return false; }
}

// What an Active Directory run gave: the computers read and stored, the
// proposed discoveries, and links to the AD devices and to the saved
// difference reports (their own queries, shown on the devices page).
async function adSummary(r) {
  const reports = await api('GET', '/reports').catch(() => ({ results: [] }));
  const adReports = (reports.results || reports).filter((x) => /active_directory/.test(x.query || ''));
  return h('section', { class: 'card', id: 'ad-summary' },
    h('h2', {}, 'Active Directory'),
    facts('ad-facts', [
      ['Computers read', 'computers', fmtNum(r.addresses_total)],
      ['Computers stored', 'stored', fmtNum(r.devices_stored)],
      ['Result', 'message', text(r.message)]]),
    h('ul', { class: 'links' },
      h('li', {}, h('a', { href: '#/devices?tags__ic=active_directory' }, 'Devices read from Active Directory')),
      h('li', {}, h('a', { href: '#/discoveries' }, 'Proposed discoveries (named "AD site …", disabled until enabled)')),
      adReports.map((x) => h('li', {}, h('a', { href: '#/devices?' + x.query, 'data-report': x.id }, `Report: ${x.name}`)))));
}

async function runPage(el, id) {
  let timer = null;
  const run = await api('GET', `/discovery-runs/${id}`);
  document.title = `Discovery run ${run.id} — netcensus`;
  const head = h('div', {});
  const body = h('div', {});
  el.append(h('p', { class: 'crumbs' }, h('a', { href: '#/discoveries' }, 'Discoveries'), ` / run ${run.id}`), head, body);
  async function draw() {
    const r = await api('GET', `/discovery-runs/${id}`);
    const log = await api('GET', `/discovery-runs/${id}/log?limit=1000`);
    clear(head);
    head.append(h('h1', {}, `Run ${r.id}: `, text(r.discovery) || 'one-shot'), progress(r),
      h('p', { id: 'run-state' }, badge(r.state), ' ', text(r.message), ' ',
        active(r) && canWrite() ? cancelButton(r, async () => { clearTimeout(timer); await tick(); }) : null));
    // One line per address: its stages in order and the last outcome.
    const byIp = new Map();
    for (const l of log.results) {
      const k = l.ip || '(run)';
      if (!byIp.has(k)) byIp.set(k, []);
      byIp.get(k).push(l);
    }
    clear(body);
    body.appendChild(h('h2', {}, `Addresses (${fmtNum(byIp.size)})`));
    const rows = [...byIp.entries()].map(([ip, ls]) => h('tr', {},
      h('td', {}, ip), h('td', {}, badge(ls[ls.length - 1].outcome)),
      h('td', {}, ls.map((l) => h('span', { class: 'stage' }, `${l.stage}: ${l.outcome}` + (l.duration_ms !== null ? ` (${l.duration_ms} ms)` : '')))),
      h('td', {}, ls.map((l) => text(l.message)).filter(Boolean).join('; '))));
    body.appendChild(h('div', { class: 'table-wrap' }, h('table', { class: 'grid runlog' },
      h('thead', {}, h('tr', {}, ['Address', 'Last outcome', 'Stages', 'Messages'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: 4, class: 'empty' }, 'No log lines yet.'))))));
    if (log.count > log.results.length) body.appendChild(h('p', { class: 'muted' }, `The first ${fmtNum(log.results.length)} of ${fmtNum(log.count)} log lines.`));
    if (!active(r) && await isAd(r)) head.appendChild(await adSummary(r));
    return active(r);
  }
  const tick = async () => { if (await draw()) timer = setTimeout(tick, 2000); };
  await tick();
  return () => clearTimeout(timer);
}

const presets = ['ultrafast', 'superfast', 'fast', 'medium'];
// How an AD discovery reaches its domain controller (docs/active-directory.md):
// a bare HOST[:PORT] is LDAPS, ldap:// is StartTLS unless ad_allow_plain.
const adModes = [['ldaps', 'LDAPS (636)'], ['starttls', 'LDAP + StartTLS (389)'], ['plain', 'plain LDAP: the password crosses the network in clear']];
const adBindTypes = ['ldap', 'windows'];

function adServerSplit(server, plain) {
  const m = /^(ldaps?):\/\/(.*)$/.exec(server || '');
  if (!m) return { mode: 'ldaps', host: server || '' };
  if (m[1] === 'ldaps') return { mode: 'ldaps', host: m[2] };
  return { mode: plain ? 'plain' : 'starttls', host: m[2] };
}

function adServerJoin(mode, host) {
  if (!host || /:\/\//.test(host)) return host;
  return mode === 'ldaps' ? host : 'ldap://' + host;
}

// The AD options as the form shows them: input name = option name, so
// the server's {field} lands next to its input.
const adNumbers = [
  ['ad_stale_days', 'stale after (days)', 'no logon for longer: flagged ad_stale (default 90)'],
  ['ad_page_size', 'page size', 'entries per page of the paged read, 10-1000 (default 500)'],
  ['ad_deadline_ms', 'deadline (ms)', 'the whole read, 1000-3600000 (default 300000)'],
];

// The form for a new discovery, and for changing a stored one (edit(d)
// fills it and the next save is a PATCH): the server checks the whole
// definition and names the field it refuses.
async function discoveryForm(onAdded) {
  const msg = h('div', {});
  const [orgs, creds, colls] = await Promise.all([api('GET', '/orgs'), api('GET', '/credentials'),
    api('GET', '/collectors').catch(() => ({ results: [] }))]);
  const name = h('input', { name: 'name', required: true });
  const kind = select('kind', [['network', 'network: probe addresses'], ['ad', 'Active Directory: read a domain controller']], 'network');
  const targets = h('input', { name: 'targets', placeholder: '10.1.0.0/24, 10.1.1.10-10.1.1.20' });
  const exclude = h('input', { name: 'exclude', placeholder: '10.1.0.1' });
  const how = select('how', [['preset', 'a preset'], ['ports', 'these ports']], 'preset');
  const preset = select('preset', presets, 'ultrafast');
  const ports = h('input', { name: 'ports', placeholder: '22,80,443,161/udp', disabled: true });
  const dns = h('input', { type: 'checkbox', name: 'dns', checked: true });
  const seed = seedFields();
  const collector = select('collector', [['', 'the server itself']].concat((colls.results || []).map((c) => [c.id, `collector ${c.name} (${c.state})`])), '');
  const adHost = h('input', { name: 'ad_server', placeholder: 'dc1.corp.example.com' });
  const adMode = select('ad_mode', adModes, 'ldaps');
  const adCa = h('input', { name: 'ad_ca', placeholder: '/etc/netcensus/corp-ca.pem' });
  const adBase = h('input', { name: 'ad_base', placeholder: 'OU=Corp,DC=corp,DC=example,DC=com' });
  const adNums = adNumbers.map(([k]) => h('input', { name: k, type: 'number', min: 1 }));
  const adEnabled = h('input', { type: 'checkbox', name: 'ad_subnets_enabled' });
  const org = select('org_id', (orgs.results || orgs).map((o) => [o.id, o.name]), state.user.org_id);
  const credBox = h('fieldset', { class: 'creds', 'data-field': 'credentials', tabindex: '-1' }, h('legend', {}, 'Credentials, tried in this order'));
  const credList = creds.results || creds;
  const adCredNote = h('p', { class: 'muted', hidden: true }, 'The first ldap or windows credential binds to the domain controller.');
  credBox.appendChild(adCredNote);
  if (!credList.length) credBox.appendChild(h('p', { class: 'muted' }, 'No stored credentials (Administration → Credentials).'));
  for (const c of credList) {
    credBox.appendChild(h('label', { class: 'check', dataset: { type: c.type } },
      h('input', { type: 'checkbox', name: 'credential', value: String(c.id) }), `${c.name} (${c.type})`));
  }
  const net = h('div', { id: 'network-fields' },
    field('targets', targets, 'addresses, CIDRs and ranges, separated by commas or spaces'),
    field('exclude', exclude, 'optional, same form'), field('scan', how), field('preset', preset),
    field('ports', ports, 'e.g. 22,80,443,161/udp'), h('label', { class: 'check' }, dns, 'reverse DNS names'),
    seed.box,
    field('runs on', collector, 'a collector runs it at its site (Collectors page)'));
  const ad = h('div', { id: 'ad-fields', hidden: true },
    field('domain controller', adHost, 'HOST or HOST:PORT; the certificate is always verified'),
    field('connection', adMode), field('CA file', adCa, 'PEM file on the server the DC\'s certificate is checked against; empty: the system\'s CAs'),
    field('base DN', adBase, 'read computers under this DN only (an OU); empty: the whole domain'),
    adNumbers.map(([, label, hint], i) => field(label, adNums[i], hint)),
    h('label', { class: 'check' }, adEnabled, 'proposed discoveries (one per AD subnet) start enabled'));
  function showKind() {
    const isAd = kind.value === 'ad';
    net.hidden = isAd;
    ad.hidden = !isAd;
    targets.required = !isAd;
    adHost.required = isAd;
    adCredNote.hidden = !isAd;
    for (const l of credBox.querySelectorAll('label[data-type]')) {
      // style, not the hidden attribute: the stylesheet sets these
      // labels' display
      const off = isAd && !adBindTypes.includes(l.dataset.type);
      l.style.display = off ? 'none' : '';
      if (off) l.querySelector('input').checked = false;
    }
  }
  kind.addEventListener('change', showKind);
  how.addEventListener('change', () => {
    preset.disabled = how.value !== 'preset';
    ports.disabled = how.value !== 'ports';
  });
  let editing = null;
  const title = h('h2', {}, 'New discovery');
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Create discovery');
  const cancel = h('button', { type: 'button', hidden: true, onclick: () => reset() }, 'Cancel');
  function reset() {
    form.reset();
    dns.checked = true; // reset() restores attributes, not properties
    seed.fill({});
    preset.disabled = false;
    ports.disabled = true;
    kind.disabled = false;
    editing = null;
    title.textContent = 'New discovery';
    submit.textContent = 'Create discovery';
    cancel.hidden = true;
    showKind();
  }
  function edit(d) {
    reset();
    clear(msg);
    editing = d;
    title.textContent = `Edit discovery ${d.name}`;
    submit.textContent = 'Save changes';
    cancel.hidden = false;
    name.value = d.name || '';
    const o = d.options || {};
    kind.value = o.ad_server ? 'ad' : 'network';
    kind.disabled = true; // a discovery stays what it is
    targets.value = d.targets || '';
    exclude.value = d.exclude || '';
    how.value = o.ports ? 'ports' : 'preset';
    preset.value = o.preset || 'ultrafast';
    ports.value = o.ports || '';
    preset.disabled = how.value !== 'preset';
    ports.disabled = how.value !== 'ports';
    dns.checked = o.dns !== false;
    seed.fill(o);
    collector.value = d.collector ? String(d.collector) : '';
    const srv = adServerSplit(o.ad_server, o.ad_allow_plain);
    adHost.value = srv.host;
    adMode.value = srv.mode;
    adCa.value = o.ad_ca || '';
    adBase.value = o.ad_base || '';
    adNumbers.forEach(([k], i) => { adNums[i].value = o[k] === undefined ? '' : String(o[k]); });
    adEnabled.checked = !!o.ad_subnets_enabled;
    org.value = String(d.org_id);
    showKind();
    const want = (d.credentials || []).map(String);
    for (const box of credBox.querySelectorAll('input[name="credential"]')) box.checked = want.includes(box.value);
    form.scrollIntoView({ block: 'start' });
    name.focus();
  }
  const form = h('form', { class: 'card', id: 'discovery-form' }, title, msg,
    field('name', name), field('kind', kind), net, ad,
    credBox, field('org', org), submit, ' ', cancel);
  // The definition the form describes, as the API takes it.
  function body() {
    const b = {
      name: name.value.trim(), org_id: Number(org.value),
      credentials: [...credBox.querySelectorAll('input:checked')].map((x) => Number(x.value)),
    };
    if (kind.value === 'ad') {
      const options = { ad_server: adServerJoin(adMode.value, adHost.value.trim()) };
      if (adMode.value === 'plain') options.ad_allow_plain = true;
      if (adCa.value.trim()) options.ad_ca = adCa.value.trim();
      if (adBase.value.trim()) options.ad_base = adBase.value.trim();
      adNumbers.forEach(([k], i) => { if (adNums[i].value !== '') options[k] = Number(adNums[i].value); });
      if (adEnabled.checked) options.ad_subnets_enabled = true;
      b.options = options;
      return b;
    }
    b.targets = targets.value.trim();
    b.options = { dns: dns.checked };
    if (how.value === 'ports') b.options.ports = ports.value.trim();
    else b.options.preset = preset.value;
    seed.read(b.options);
    if (exclude.value.trim() || editing) b.exclude = exclude.value.trim();
    b.collector = collector.value ? Number(collector.value) : null;
    return b;
  }
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(msg); clearFieldErrors(form);
    try {
      const d = editing ? await api('PATCH', `/discoveries/${editing.id}`, body()) : await api('POST', '/discoveries', body());
      const verb = editing ? 'saved' : 'created';
      reset();
      msg.appendChild(notice('ok', `Discovery ${d.name} ${verb}.`));
      await onAdded();
    } catch (err) { showFieldErrors(form, msg, err); }
  });
  showKind();
  return { form, edit };
}

function discoveriesTable(list, onChange, msg, onEdit, colls) {
  const write = canWrite();
  const where = (d) => {
    if (!d.collector) return 'server';
    const c = colls.find((x) => x.id === d.collector);
    return h('a', { href: `#/collectors/${d.collector}` }, c ? c.name : `collector ${d.collector}`);
  };
  const o = (d) => d.options || {};
  const rows = list.map((d) => h('tr', { dataset: { discovery: d.id } },
    h('td', {}, text(d.name)),
    h('td', {}, o(d).ad_server ? `Active Directory: ${o(d).ad_server}` : text(d.targets)), h('td', {}, text(d.exclude)),
    h('td', {}, o(d).ad_server ? '' : text(o(d).ports || o(d).preset) || 'ultrafast'),
    h('td', {}, where(d)),
    h('td', {}, fmtNum((d.credentials || []).length)),
    h('td', {}, d.last_run ? h('a', { href: `#/discoveries/${d.last_run.id}` }, badge(d.last_run.state), ` #${d.last_run.id}`) : 'never'),
    h('td', { class: 'actions' }, write ? [
      h('button', { type: 'button', class: 'primary', 'aria-label': `Run ${d.name}`, onclick: async (e) => {
        e.target.disabled = true;
        clear(msg);
        try {
          const run = await api('POST', `/discoveries/${d.id}/run`);
          msg.appendChild(notice('ok', `Run ${run.id} of ${d.name} queued.`));
          await onChange();
        } catch (err) { msg.appendChild(errorBox(err)); e.target.disabled = false; }
      } }, 'Run'), ' ',
      h('button', { type: 'button', 'aria-label': `Edit ${d.name}`, onclick: () => onEdit(d) }, 'Edit'), ' ',
      confirmButton('Delete', 'Really delete?', async () => {
        clear(msg);
        try { await api('DELETE', `/discoveries/${d.id}`); } catch (err) { msg.appendChild(errorBox(err)); }
        await onChange();
      })] : '')));
  return h('div', { class: 'table-wrap' }, h('table', { class: 'grid discoveries' },
    h('thead', {}, h('tr', {}, ['Name', 'Targets', 'Exclude', 'Ports', 'Runs on', 'Credentials', 'Last run', ''].map((c) => h('th', { scope: 'col' }, c || h('span', { class: 'sr-only' }, 'Actions'))))),
    h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: 8, class: 'empty' }, 'No discoveries stored yet.')))));
}

export async function discoveriesPage(el, r) {
  if (r.parts[1]) return runPage(el, r.parts[1]);
  document.title = 'Discoveries — netcensus';
  el.append(h('h1', {}, 'Discoveries'));
  const defs = h('section', { class: 'card', id: 'discoveries' });
  const msg = h('div', { id: 'discovery-msg' });
  const box = h('section', { class: 'card', id: 'runs' });
  el.append(defs, box);
  let timer = null;
  let gone = false;
  const editor = canWrite() ? await discoveryForm(refresh) : null;
  async function drawDefs() {
    const [list, colls] = await Promise.all([api('GET', '/discoveries'),
      api('GET', '/collectors').catch(() => ({ results: [] }))]);
    clear(defs);
    defs.append(h('h2', {}, `Stored discoveries (${fmtNum((list.results || list).length)})`), msg,
      discoveriesTable(list.results || list, refresh, msg, (d) => editor.edit(d), colls.results || []));
  }
  async function draw() {
    clearTimeout(timer);
    const runs = await api('GET', '/discovery-runs?limit=50');
    if (gone) return;
    clear(box);
    box.append(h('h2', {}, `Runs (${fmtNum(runs.count)})`), runsTable(runs.results, refresh));
    if (runs.results.some(active)) timer = setTimeout(() => refresh().catch(() => {}), 2000);
  }
  async function refresh() { await drawDefs(); await draw(); }
  await refresh();
  if (editor) el.appendChild(editor.form);
  return () => { gone = true; clearTimeout(timer); };
}
