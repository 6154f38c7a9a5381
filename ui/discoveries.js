// Discoveries: stored definitions (GET/POST/PATCH/DELETE
// /api/v1/discoveries) with a form to create or edit one and a Run button
// (POST .../run), the runs the
// server knows (GET /api/v1/discovery-runs) with a progress bar, counts and
// ETA, refreshed while one is running, a Cancel button, and a run's log
// with one line per address (GET /api/v1/discovery-runs/ID/log).
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

export function progress(run) {
  const live = run.progress || {};
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
    return active(r);
  }
  const tick = async () => { if (await draw()) timer = setTimeout(tick, 2000); };
  await tick();
  return () => clearTimeout(timer);
}

const presets = ['ultrafast', 'superfast', 'fast', 'medium'];

// The form for a new discovery, and for changing a stored one (edit(d)
// fills it and the next save is a PATCH): the server checks the whole
// definition and names the field it refuses.
async function discoveryForm(onAdded) {
  const msg = h('div', {});
  const [orgs, creds] = await Promise.all([api('GET', '/orgs'), api('GET', '/credentials')]);
  const name = h('input', { name: 'name', required: true });
  const targets = h('input', { name: 'targets', required: true, placeholder: '10.1.0.0/24, 10.1.1.10-10.1.1.20' });
  const exclude = h('input', { name: 'exclude', placeholder: '10.1.0.1' });
  const how = select('how', [['preset', 'a preset'], ['ports', 'these ports']], 'preset');
  const preset = select('preset', presets, 'ultrafast');
  const ports = h('input', { name: 'ports', placeholder: '22,80,443,161/udp', disabled: true });
  const dns = h('input', { type: 'checkbox', name: 'dns', checked: true });
  const seed = seedFields();
  const org = select('org_id', (orgs.results || orgs).map((o) => [o.id, o.name]), state.user.org_id);
  const credBox = h('fieldset', { class: 'creds', 'data-field': 'credentials', tabindex: '-1' }, h('legend', {}, 'Credentials, tried in this order'));
  const credList = creds.results || creds;
  if (!credList.length) credBox.appendChild(h('p', { class: 'muted' }, 'No stored credentials (Administration → Credentials).'));
  for (const c of credList) {
    credBox.appendChild(h('label', { class: 'check' },
      h('input', { type: 'checkbox', name: 'credential', value: String(c.id) }), `${c.name} (${c.type})`));
  }
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
    editing = null;
    title.textContent = 'New discovery';
    submit.textContent = 'Create discovery';
    cancel.hidden = true;
  }
  function edit(d) {
    reset();
    clear(msg);
    editing = d;
    title.textContent = `Edit discovery ${d.name}`;
    submit.textContent = 'Save changes';
    cancel.hidden = false;
    name.value = d.name || '';
    targets.value = d.targets || '';
    exclude.value = d.exclude || '';
    const o = d.options || {};
    how.value = o.ports ? 'ports' : 'preset';
    preset.value = o.preset || 'ultrafast';
    ports.value = o.ports || '';
    preset.disabled = how.value !== 'preset';
    ports.disabled = how.value !== 'ports';
    dns.checked = o.dns !== false;
    seed.fill(o);
    org.value = String(d.org_id);
    const want = (d.credentials || []).map(String);
    for (const box of credBox.querySelectorAll('input[name="credential"]')) box.checked = want.includes(box.value);
    form.scrollIntoView({ block: 'start' });
    name.focus();
  }
  const form = h('form', { class: 'card', id: 'discovery-form' }, title, msg,
    field('name', name), field('targets', targets, 'addresses, CIDRs and ranges, separated by commas or spaces'),
    field('exclude', exclude, 'optional, same form'), field('scan', how), field('preset', preset),
    field('ports', ports, 'e.g. 22,80,443,161/udp'), h('label', { class: 'check' }, dns, 'reverse DNS names'),
    seed.box, credBox, field('org', org), submit, ' ', cancel);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(msg); clearFieldErrors(form);
    const options = { dns: dns.checked };
    if (how.value === 'ports') options.ports = ports.value.trim();
    else options.preset = preset.value;
    seed.read(options);
    const body = {
      name: name.value.trim(), targets: targets.value.trim(), org_id: Number(org.value), options,
      credentials: [...credBox.querySelectorAll('input:checked')].map((x) => Number(x.value)),
    };
    if (exclude.value.trim() || editing) body.exclude = exclude.value.trim();
    try {
      const d = editing ? await api('PATCH', `/discoveries/${editing.id}`, body) : await api('POST', '/discoveries', body);
      const verb = editing ? 'saved' : 'created';
      reset();
      msg.appendChild(notice('ok', `Discovery ${d.name} ${verb}.`));
      await onAdded();
    } catch (err) { showFieldErrors(form, msg, err); }
  });
  return { form, edit };
}

function discoveriesTable(list, onChange, msg, onEdit) {
  const write = canWrite();
  const rows = list.map((d) => h('tr', { dataset: { discovery: d.id } },
    h('td', {}, text(d.name)), h('td', {}, text(d.targets)), h('td', {}, text(d.exclude)),
    h('td', {}, text(d.options && (d.options.ports || d.options.preset)) || 'ultrafast'),
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
    h('thead', {}, h('tr', {}, ['Name', 'Targets', 'Exclude', 'Ports', 'Credentials', 'Last run', ''].map((c) => h('th', { scope: 'col' }, c || h('span', { class: 'sr-only' }, 'Actions'))))),
    h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: 7, class: 'empty' }, 'No discoveries stored yet.')))));
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
    const list = await api('GET', '/discoveries');
    clear(defs);
    defs.append(h('h2', {}, `Stored discoveries (${fmtNum((list.results || list).length)})`), msg,
      discoveriesTable(list.results || list, refresh, msg, (d) => editor.edit(d)));
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
