// Collectors (docs/collectors.md): the list of collectors that registered
// with this server (GET /api/v1/collectors) with their state, last call,
// version, host, subnets, spool and jobs, refreshed every 10 s; a
// collector's page (GET /collectors/ID) with its recent runs and, for
// org_admin and admin, enable/disable, rename and delete (PATCH, DELETE).
// Discoveries are assigned to a collector from the discovery form.
import { state, h, clear, api, fmtNum, text, notice, badge, field, errorBox, confirmButton, showFieldErrors, clearFieldErrors, go, table } from './core.js';
import { facts } from './discoveries.js';

const REFRESH_MS = 10000;
const canWrite = () => state.user && (state.user.role === 'admin' || state.user.role === 'org_admin');

const spool = (c) => `${fmtNum(c.spool_depth)} queued` + (c.spool_dropped ? `, ${fmtNum(c.spool_dropped)} dropped` : '');
const jobs = (c) => `${fmtNum(c.jobs_queued)} queued, ${fmtNum(c.jobs_running)} running`;
const subnets = (c) => (c.subnets || []).join(', ');
const enabledText = (c) => (c.enabled ? 'enabled' : 'disabled: gets no jobs');

function duration(r) {
  if (!r.started || !r.finished) return '';
  const s = (Date.parse(r.finished.replace(' ', 'T') + 'Z') - Date.parse(r.started.replace(' ', 'T') + 'Z')) / 1000;
  if (!(s >= 0)) return '';
  return s < 120 ? `${Math.round(s)} s` : `${Math.round(s / 60)} min`;
}

function listTable(rows) {
  return table([
    { key: 'name', label: 'Name', render: (c) => h('a', { href: `#/collectors/${c.id}` }, text(c.name)) },
    { key: 'state', label: 'State', render: (c) => [badge(c.state), c.enabled ? '' : [' ', badge('disabled')]] },
    { key: 'last_seen', label: 'Last seen' },
    { key: 'version', label: 'Version' },
    { key: 'host', label: 'Host' },
    { key: 'subnets', label: 'Subnets', render: subnets },
    { key: 'spool', label: 'Spool', render: spool },
    { key: 'jobs', label: 'Jobs', render: jobs },
  ], rows, {
    class: 'grid collectors',
    empty: 'No collector has registered yet. Run `netcensus collector --server URL --token-file FILE` at a remote site (docs/collectors.md).',
  });
}

function runsTable(runs) {
  return table([
    { key: 'id', label: 'Run', render: (r) => h('a', { href: `#/discoveries/${r.id}` }, `#${r.id}`) },
    { key: 'discovery', label: 'Discovery' },
    { key: 'state', label: 'State', render: (r) => badge(r.state) },
    { key: 'addresses', label: 'Addresses', render: (r) => `${fmtNum(r.addresses_done)} / ${fmtNum(r.addresses_total)}` },
    { key: 'alive', label: 'Alive', render: (r) => fmtNum(r.alive) },
    { key: 'devices_stored', label: 'Stored', render: (r) => fmtNum(r.devices_stored) },
    { key: 'started', label: 'Started' },
    { key: 'duration', label: 'Duration', render: duration },
    { key: 'message', label: 'Message' },
  ], runs, { class: 'grid collector-runs', empty: 'No runs yet: assign a discovery to this collector (Discoveries page) and run it.' });
}

// Enable/disable, rename (name and description), delete.
function actions(c, onChange) {
  const msg = h('div', { id: 'collector-msg' });
  const toggle = h('button', { type: 'button', id: 'collector-toggle', onclick: async () => {
    clear(msg);
    toggle.disabled = true;
    try {
      await api('PATCH', `/collectors/${c.id}`, { enabled: !c.enabled });
      await onChange(c.enabled ? 'Disabled: it gets no jobs and may not upload.' : 'Enabled.');
    } catch (err) { msg.appendChild(errorBox(err)); toggle.disabled = false; }
  } }, c.enabled ? 'Disable' : 'Enable');
  const name = h('input', { name: 'name', required: true, value: c.name || '' });
  const desc = h('input', { name: 'description', value: c.description || '' });
  const form = h('form', { class: 'card', id: 'collector-form' }, h('h2', {}, 'Rename'), msg,
    field('name', name, 'the collector keeps working: it is known by its token'),
    field('description', desc, 'optional'),
    h('button', { type: 'submit', class: 'primary' }, 'Save'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    clear(msg);
    try {
      await api('PATCH', `/collectors/${c.id}`, { name: name.value.trim(), description: desc.value.trim() });
      await onChange('Saved.');
    } catch (err) { showFieldErrors(form, msg, err); }
  });
  const del = confirmButton('Delete', `Really delete ${c.name}? Its token is revoked`, async () => {
    clear(msg);
    try {
      await api('DELETE', `/collectors/${c.id}`);
      state.notice = null;
      go('#/collectors');
    } catch (err) { msg.appendChild(errorBox(err)); }
  });
  return h('div', {}, h('p', { class: 'actions' }, toggle, ' ', del), form);
}

async function collectorPage(el, id) {
  const box = h('div', {});
  el.append(h('p', { class: 'crumbs' }, h('a', { href: '#/collectors' }, 'Collectors'), ` / ${id}`), box);
  let timer = null;
  let gone = false;
  async function draw(said) {
    clearTimeout(timer);
    const c = await api('GET', `/collectors/${id}`);
    if (gone) return;
    document.title = `Collector ${c.name} — netcensus`;
    clear(box);
    box.appendChild(h('div', {}, h('h1', {}, `Collector ${c.name}`), said ? notice('ok', said) : null,
      facts('collector-facts', [
        ['State', 'state', [badge(c.state), ' ', enabledText(c)]],
        ['Last seen', 'last_seen', text(c.last_seen)],
        ['Version', 'version', text(c.version)],
        ['Host', 'host', text(c.host)],
        ['Subnets', 'subnets', subnets(c)],
        ['Spool', 'spool', spool(c)],
        ['Jobs', 'jobs', jobs(c)],
        ['Description', 'description', text(c.description)],
        ['Registered', 'created', text(c.created)],
      ]),
      h('section', { class: 'card', id: 'collector-runs' }, h('h2', {}, 'Recent runs'), runsTable(c.recent_runs || [])),
      canWrite() ? actions(c, draw) : null));
    timer = setTimeout(() => draw().catch(() => {}), REFRESH_MS);
  }
  await draw();
  return () => { gone = true; clearTimeout(timer); };
}

export async function collectorsPage(el, r) {
  if (r.parts[1]) return collectorPage(el, r.parts[1]);
  document.title = 'Collectors — netcensus';
  const box = h('section', { class: 'card', id: 'collectors' });
  el.append(h('h1', {}, 'Collectors'),
    h('p', { class: 'muted' }, 'Collectors run discoveries at sites this server cannot reach and upload what they find. Online: called within 2 minutes; stale: within an hour; else offline.'),
    box);
  let timer = null;
  let gone = false;
  async function draw() {
    clearTimeout(timer);
    const res = await api('GET', '/collectors');
    if (gone) return;
    clear(box);
    box.append(h('h2', {}, `Registered (${fmtNum(res.count)})`), listTable(res.results));
    timer = setTimeout(() => draw().catch(() => {}), REFRESH_MS);
  }
  await draw();
  return () => { gone = true; clearTimeout(timer); };
}
