// One device: a hardware/OS summary, its fields with readable labels and
// units, the user fields (status and location chosen from lists, owner,
// tags, description) to edit, its component sections grouped into a few
// tabs (Software, Hardware, Network, Users, Other) where each section's
// table is sorted and paged by the server (GET /devices/ID/SECTION with
// ordering, limit, offset, q), and its change history. The device itself
// comes without its sections' rows (?sections=processor,disk: only the
// two the summary card reads, and each section's count): a section's
// rows are read a page at a time when its tab is opened.
// #/device/ID/GROUP selects a tab.
import { state, h, clear, api, text, fmtNum, tabs, notice, errorBox, showFieldErrors, clearFieldErrors, debounce } from './core.js';
import { label, fmtValue, fmtBytes, orgNames } from './fields.js';

const editable = ['status', 'owner', 'location', 'tags', 'description'];
const statuses = ['production', 'development', 'testing', 'maintenance', 'spare', 'unallocated', 'retired', 'lost'];
const headline = ['hostname', 'fqdn', 'ip', 'mac', 'type', 'manufacturer', 'model', 'serial',
  'os_family', 'os_name', 'os_version', 'org_id', 'first_seen', 'last_seen', 'last_seen_by'];
// The tabs the sections are grouped into; a section in none goes to Other.
const groups = [
  ['software', 'Software', ['software', 'service', 'module', 'task', 'variable', 'log']],
  ['hardware', 'Hardware', ['processor', 'memory', 'bios', 'motherboard', 'disk', 'partition', 'video',
    'sound', 'monitor', 'optical', 'scsi', 'usb', 'battery']],
  ['network', 'Network', ['network', 'ip', 'ports', 'route', 'netstat', 'arp', 'lldp', 'cdp', 'fdb', 'share', 'dns']],
  ['users', 'Users', ['user', 'user_group', 'logon']],
];
const PAGE = 25;
// The columns shown first in a section's table, when present.
const sectionKeys = {
  software: ['name', 'version', 'publisher', 'installed_on'],
  network: ['mac', 'net_index', 'description', 'ip_enabled', 'speed', 'ifadminstatus', 'ifoperstatus'],
  ip: ['ip', 'netmask', 'cidr', 'mac', 'version', 'set_by'],
  disk: ['model', 'serial', 'size', 'interface_type'],
  partition: ['mount_point', 'name', 'size', 'free', 'used', 'format'],
  service: ['name', 'description', 'state', 'start_mode', 'executable'],
  user: ['name', 'full_name', 'sid', 'status'],
  ports: ['protocol', 'port', 'state', 'program', 'version'],
  lldp: ['local_interface', 'remote_name', 'remote_port', 'remote_ip', 'remote_mac'],
  cdp: ['local_interface', 'remote_name', 'remote_port', 'remote_ip', 'remote_platform'],
  fdb: ['mac', 'vlan', 'interface', 'port', 'status'],
  processor: ['description', 'manufacturer', 'speed', 'core_count', 'logical_count'],
  memory: ['bank', 'size', 'type', 'speed', 'form_factor'],
};

// "switch port, VLAN v" linking to the switch, for dev.attachment.
function attachmentField(a) {
  return h('dd', { 'data-field': 'attachment' },
    h('a', { href: `#/device/${a.switch_id}` }, text(a.switch)),
    ` port ${text(a.port_name)}`, a.vlan ? `, VLAN ${text(a.vlan)}` : '',
    h('small', { class: 'muted' }, ` (${text(a.mac)}, seen ${text(a.seen)})`));
}

function fieldList(dev, orgs) {
  const dl = h('dl', { class: 'fields' });
  const keys = headline.concat(Object.keys(dev).filter((k) => !headline.includes(k) && !editable.includes(k) && k !== 'components' && k !== 'section_counts' && k !== 'id' && k !== 'attachment' && k !== 'custom').sort());
  if (dev.attachment) dl.append(h('dt', {}, 'Plugged in'), attachmentField(dev.attachment));
  for (const k of keys) {
    if (dev[k] === null || dev[k] === undefined || dev[k] === '') continue;
    const v = k === 'org_id' ? text(orgs.get(dev[k]) || dev[k]) : fmtValue(k, dev[k]);
    dl.append(h('dt', {}, label(k)), h('dd', { 'data-field': k }, v));
  }
  return dl;
}

// The first lines of the page: what the machine is and runs.
function summaryCard(dev, orgs) {
  const comp = dev.components || {};
  const cpu = (comp.processor || [])[0];
  const disks = (comp.disk || []).reduce((n, r) => n + (Number((r.data || {}).size) || 0), 0);
  const cpuText = cpu ? text(cpu.data.description || cpu.data.name || cpu.data.model) : '';
  const items = [
    ['Hardware', [dev.manufacturer, dev.model].filter(Boolean).map(text).join(' ')],
    ['Serial', text(dev.serial)],
    ['Processor', [dev.processor_count ? `${dev.processor_count} ×` : '', cpuText].filter(Boolean).join(' ')],
    ['Memory', fmtValue('memory_count', dev.memory_count)],
    ['Disks', disks ? `${fmtBytes(disks * 1048576)} in ${comp.disk.length}` : ''],
    ['Operating system', [dev.os_name || dev.os_family, dev.os_version && !String(dev.os_name || '').includes(dev.os_version) ? dev.os_version : ''].filter(Boolean).map(text).join(' ')],
    ['Uptime', fmtValue('uptime', dev.uptime) || fmtValue('sysUpTime', dev.sysUpTime)],
    ['Address', [dev.ip, dev.mac].filter(Boolean).map(text).join(' · ')],
    ['Org', text(orgs.get(dev.org_id) || dev.org_id)],
    ['Location', text(dev.location)],
    ['Last seen', [dev.last_seen, dev.last_seen_by ? `by ${dev.last_seen_by}` : ''].filter(Boolean).map(text).join(' ')],
  ].filter(([, v]) => v);
  return h('dl', { class: 'summary-card', id: 'device-summary' },
    items.map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', { dataset: { summary: k } }, v))));
}

// A select of the allowed values, keeping a stored value that is not
// among them (older data, imports) so saving does not lose it.
function choice(name, values, cur, disabled) {
  const list = values.slice();
  if (cur && !list.includes(cur)) list.push(cur);
  return h('select', { name, disabled }, h('option', { value: '' }, '(none)'),
    list.map((v) => h('option', { value: v, selected: v === cur }, v)));
}

function editForm(dev, locations, onSaved) {
  const msg = h('div', {});
  const inputs = {};
  const canEdit = state.user && (state.user.role === 'admin' || state.user.role === 'org_admin');
  const form = h('form', { class: 'edit', id: 'device-edit' }, h('h2', {}, 'Your fields'), msg);
  for (const k of editable) {
    let inp;
    if (k === 'description') inp = h('textarea', { name: k, rows: 3, disabled: !canEdit });
    else if (k === 'status') inp = choice(k, statuses, dev[k], !canEdit);
    else if (k === 'location') inp = choice(k, locations, dev[k], !canEdit);
    else inp = h('input', { name: k, disabled: !canEdit });
    inp.value = dev[k] || '';
    inp.id = 'edit-' + k;
    inputs[k] = inp;
    form.appendChild(h('div', { class: 'field' }, h('label', { for: inp.id }, label(k)), inp));
    if (k === 'location' && canEdit) form.appendChild(h('p', { class: 'muted' }, 'Locations are kept on the ', h('a', { href: '#/locations' }, 'Locations page'), '.'));
  }
  if (!canEdit) {
    form.appendChild(h('p', { class: 'muted' }, 'Your role may read these fields; an org admin may change them.'));
    return form;
  }
  form.appendChild(h('button', { type: 'submit', class: 'primary' }, 'Save'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(msg); clearFieldErrors(form);
    const body = {};
    for (const k of editable) {
      const v = inputs[k].value.trim();
      if (v !== (dev[k] || '')) body[k] = v === '' ? null : v;
    }
    if (!Object.keys(body).length) { msg.appendChild(notice('info', 'Nothing changed.')); return; }
    try {
      const upd = await api('PATCH', `/devices/${dev.id}`, body);
      Object.assign(dev, upd);
      msg.appendChild(notice('ok', 'Saved.'));
      onSaved(dev);
    } catch (err) { showFieldErrors(form, msg, err); }
  });
  return form;
}

// Column order for a section's rows: the usual ones first, then the rest.
function sectionColumns(name, rows) {
  const seen = new Set();
  for (const r of rows) for (const k of Object.keys(r.data || {})) seen.add(k);
  const first = (sectionKeys[name] || []).filter((k) => seen.has(k));
  const rest = [...seen].filter((k) => !first.includes(k)).sort();
  return first.concat(rest).slice(0, 10);
}

// One section as a table the server sorts and pages: click a heading to
// sort (again for descending), a filter, pages of 25, removed rows.
function sectionTable(dev, name) {
  const st = { ordering: '', offset: 0, q: '', current: 'true' };
  // the columns come from the first page of rows (the device's answer
  // holds none: GET /devices/ID?sections=...)
  let cols = null;
  let allCols = [];
  const filter = h('input', { type: 'search', 'aria-label': `Filter ${label(name)} rows`, placeholder: 'filter rows', class: 'section-filter' });
  const retired = h('input', { type: 'checkbox', id: `retired-${name}` });
  const headRow = h('tr', {});
  const tbody = h('tbody', {});
  const status = h('span', { class: 'muted section-status', role: 'status' }, 'Loading…');
  const prev = h('button', { type: 'button', class: 'section-prev' }, '‹ Previous');
  const next = h('button', { type: 'button', class: 'section-next' }, 'Next ›');
  const out = h('div', { class: 'section-block', dataset: { section: name } },
    h('div', { class: 'toolbar' }, filter, h('label', { for: retired.id, class: 'check' }, retired, ' include removed rows')),
    h('div', { class: 'table-wrap' }, h('table', { class: 'grid section', dataset: { section: name } }, h('thead', {}, headRow), tbody)),
    h('div', { class: 'pager' }, prev, status, next));
  let ctrl = null;
  function head(rows) {
    cols = sectionColumns(name, rows);
    allCols = cols.concat(['first_seen', 'last_seen']);
    for (const c of allCols) {
      const btn = h('button', { type: 'button', class: 'sort', dataset: { field: c } }, label(c), h('span', { class: 'arrow', 'aria-hidden': 'true' }));
      btn.addEventListener('click', () => {
        st.ordering = st.ordering === c ? '-' + c : st.ordering === '-' + c ? '' : c;
        st.offset = 0;
        load();
      });
      headRow.appendChild(h('th', { scope: 'col', 'aria-sort': 'none' }, btn));
    }
  }
  async function load() {
    if (ctrl) ctrl.abort();
    ctrl = new AbortController();
    const q = new URLSearchParams({ limit: PAGE, offset: st.offset, current: st.current });
    if (st.ordering) q.set('ordering', st.ordering);
    if (st.q) q.set('q', st.q);
    let page;
    try {
      page = await api('GET', `/devices/${dev.id}/${encodeURIComponent(name)}?${q}`, undefined, { signal: ctrl.signal });
    } catch (err) {
      if (err.name === 'AbortError') return;
      clear(tbody);
      tbody.appendChild(h('tr', {}, h('td', { colspan: allCols.length || 1 }, errorBox(err))));
      return;
    }
    if (!cols) head(page.results);
    for (const th of headRow.children) {
      const f = th.firstChild.dataset.field;
      const ord = st.ordering === f ? 'ascending' : st.ordering === '-' + f ? 'descending' : 'none';
      th.setAttribute('aria-sort', ord);
      th.querySelector('.arrow').textContent = ord === 'ascending' ? ' ▲' : ord === 'descending' ? ' ▼' : '';
    }
    clear(tbody);
    for (const r of page.results) {
      tbody.appendChild(h('tr', { class: r.current === 0 ? 'retired' : null },
        cols.map((c) => h('td', {}, fmtValue(c, (r.data || {})[c], name))),
        h('td', {}, text(r.first_seen)), h('td', {}, text(r.last_seen))));
    }
    if (!page.results.length) tbody.appendChild(h('tr', {}, h('td', { colspan: allCols.length || 1, class: 'empty' }, 'No rows.')));
    const to = st.offset + page.results.length;
    status.textContent = `${fmtNum(page.count ? st.offset + 1 : 0)}–${fmtNum(to)} of ${fmtNum(page.count)} rows`;
    status.dataset.count = page.count;
    prev.disabled = st.offset <= 0;
    next.disabled = to >= page.count;
  }
  prev.addEventListener('click', () => { st.offset = Math.max(0, st.offset - PAGE); load(); });
  next.addEventListener('click', () => { st.offset += PAGE; load(); });
  filter.addEventListener('input', debounce(() => { st.q = filter.value.trim(); st.offset = 0; load(); }, 250));
  retired.addEventListener('change', () => { st.current = retired.checked ? 'all' : 'true'; st.offset = 0; load(); });
  load();
  return out;
}

// A group tab: each of its sections under a heading, in the group's order.
function groupPanel(dev, names, panel) {
  for (const name of names) {
    panel.append(h('h2', { class: 'section-title', id: `section-${name}` }, `${label(name)} (${fmtNum(dev.section_counts[name])})`),
      sectionTable(dev, name));
  }
}

// History: the device's changes, drawn and filtered as on the Changes
// page (changes.js), fixed to this device.
async function historyPanel(dev, panel) {
  const { changesView } = await import('./changes.js');
  panel.appendChild(h('p', {}, h('a', { href: `#/changes?device_id=${dev.id}` }, 'Open on the Changes page')));
  await changesView(panel, { device_id: String(dev.id) }, { fixed: true });
}

export async function devicePage(el, r) {
  const id = r.parts[1];
  if (!/^[0-9]+$/.test(id || '')) { el.appendChild(notice('error', 'No such device.')); return null; }
  // the device without its sections' rows (but those the summary card
  // reads): each section's rows come a page at a time when its tab opens
  const [dev, orgs, locs] = await Promise.all([api('GET', `/devices/${id}?sections=processor,disk`), orgNames().catch(() => new Map()),
    api('GET', '/locations').catch(() => ({ results: [] }))]);
  const locations = (locs.results || []).filter((l) => l.org_id === dev.org_id).map((l) => l.name);
  const name = text(dev.hostname) || text(dev.ip) || `device ${dev.id}`;
  document.title = `${name} — netcensus`;
  const title = h('h1', { id: 'device-name' }, name);
  el.append(h('p', { class: 'crumbs' }, h('a', { href: '#/devices' }, 'Devices'), ' / ', name), title,
    summaryCard(dev, orgs));
  const present = Object.keys(dev.section_counts || {});
  const list = [
    { id: 'summary', label: 'Details', render: (p) => {
      const edit = h('div', {}, editForm(dev, [...new Set(locations)], () => {}));
      p.append(h('div', { class: 'split' }, fieldList(dev, orgs), edit));
      // custom fields (data.js)
      import('./data.js').then((m) => m.customFieldsPanel(edit, dev)).catch((e) => edit.appendChild(errorBox(e)));
    } },
  ];
  const placed = new Set();
  for (const [gid, glabel, names] of groups) {
    const have = names.filter((n) => present.includes(n));
    have.forEach((n) => placed.add(n));
    if (!have.length) continue;
    const rows = have.reduce((n, s) => n + dev.section_counts[s], 0);
    list.push({ id: gid, label: `${glabel} (${fmtNum(rows)})`, render: (p) => groupPanel(dev, have, p) });
  }
  const other = present.filter((n) => !placed.has(n)).sort();
  if (other.length) list.push({ id: 'other', label: 'Other', render: (p) => groupPanel(dev, other, p) });
  list.push({ id: 'history', label: 'History', render: (p) => { historyPanel(dev, p).catch((e) => p.appendChild(errorBox(e))); } });
  // an old address naming a section opens its group
  let want = r.parts[2] || 'summary';
  const g = groups.find(([, , names]) => names.includes(want));
  if (g) want = g[0];
  else if (other.includes(want)) want = 'other';
  el.appendChild(tabs(list, want, (tab) => {
    history.replaceState(null, '', `#/device/${dev.id}` + (tab === 'summary' ? '' : '/' + encodeURIComponent(tab)));
  }));
  return null;
}
