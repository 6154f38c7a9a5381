// Locations: the sites, buildings and rooms devices are in
// (/api/v1/locations), on a map and as a list. The map is Leaflet
// (embedded, /ui/vendor/leaflet.js) with tiles from the server's
// map_tiles setting (OpenStreetMap by default, GET /api/v1/map); without
// tiles (none configured, or the tile server unreachable) the markers are
// drawn on a blank map and the list works as before. Org admins and admins
// add, edit and delete; a click on the map while the form is open sets
// its latitude and longitude.
import { state, h, clear, api, text, fmtNum, loadScript, notice, field, select, confirmButton, showFieldErrors, clearFieldErrors, buildQuery } from './core.js';
import { orgOptions, orgNames, formMode } from './fields.js';

const types = ['site', 'building', 'floor', 'room', 'rack', 'other'];
const textFields = ['address', 'city', 'country', 'description'];

function loadCss(href) {
  if (document.querySelector(`link[href="${href}"]`)) return;
  document.head.appendChild(h('link', { rel: 'stylesheet', href }));
}

export async function locationsPage(el) {
  document.title = 'Locations — netcensus';
  const canEdit = state.user.role === 'admin' || state.user.role === 'org_admin';
  loadCss('/ui/vendor/leaflet.css');
  const [mapCfg, orgs, orgMap] = await Promise.all([api('GET', '/map'), orgOptions(), orgNames(),
    loadScript('/ui/vendor/leaflet.js')]);
  const L = window.L;
  const mapEl = h('div', { id: 'location-map', class: 'location-map', role: 'region', 'aria-label': 'Map of the locations' });
  const mapNote = h('p', { class: 'muted', id: 'map-note', role: 'status' });
  const listBox = h('div', { id: 'location-list' });
  const msg = h('div', {});
  el.append(h('h1', {}, 'Locations'), mapNote, mapEl, h('h2', {}, 'All locations'), listBox);

  const map = L.map(mapEl, { worldCopyJump: true }).setView([20, 0], 2);
  if (mapCfg.tiles) {
    let failed = 0;
    const layer = L.tileLayer(mapCfg.tiles, { maxZoom: 19, attribution: mapCfg.attribution || '' });
    layer.on('tileerror', () => {
      if (failed++ === 0) mapNote.textContent = 'The map tiles cannot be loaded (offline, or the tile server is not reachable): the markers and the list still work.';
    });
    layer.addTo(map);
    mapNote.textContent = '';
  } else {
    mapNote.textContent = 'No map tiles are configured (map_tiles = none): the markers are drawn on a blank map.';
  }
  const markers = L.layerGroup().addTo(map);

  // the form: add, or edit the one chosen
  let editing = null;
  const inputs = {
    name: h('input', { name: 'name', required: true }),
    type: select('type', [['', '(none)'], ...types.map((t) => [t, t])], ''),
    latitude: h('input', { name: 'latitude', type: 'number', step: 'any', min: -90, max: 90 }),
    longitude: h('input', { name: 'longitude', type: 'number', step: 'any', min: -180, max: 180 }),
  };
  for (const k of textFields) inputs[k] = h('input', { name: k });
  const org = select('org_id', orgs, state.user.org_id);
  const title = h('h3', {}, 'Add a location');
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Add location');
  const cancel = h('button', { type: 'button', hidden: true, onclick: () => startEdit(null) }, 'Cancel');
  const form = h('form', { class: 'card', id: 'location-form' }, title, msg,
    field('name', inputs.name), field('type', inputs.type), field('org', org),
    textFields.map((k) => field(k, inputs[k])),
    field('latitude', inputs.latitude, 'click the map to set both'), field('longitude', inputs.longitude),
    submit, cancel);
  if (canEdit) el.append(form);

  function startEdit(loc) {
    editing = loc;
    formMode({ form, msg, title, submit, cancel }, loc, 'location');
    org.disabled = !!loc;
    if (loc) {
      for (const [k, inp] of Object.entries(inputs)) inp.value = loc[k] === null || loc[k] === undefined ? '' : loc[k];
      org.value = loc.org_id;
      inputs.name.focus();
    }
  }

  map.on('click', (e) => {
    if (!canEdit) return;
    inputs.latitude.value = e.latlng.lat.toFixed(5);
    inputs.longitude.value = L.Util.wrapNum(e.latlng.lng, [-180, 180], true).toFixed(5);
  });

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(msg); clearFieldErrors(form);
    const body = { name: inputs.name.value.trim() };
    for (const k of ['type', ...textFields]) {
      const v = inputs[k].value.trim();
      if (v !== '' || editing) body[k] = v === '' ? null : v;
    }
    for (const k of ['latitude', 'longitude']) {
      const v = inputs[k].value.trim();
      if (v !== '' || editing) body[k] = v === '' ? null : Number(v);
    }
    try {
      if (editing) {
        await api('PATCH', `/locations/${editing.id}`, body);
        msg.appendChild(notice('ok', `Location ${body.name} saved.`));
      } else {
        body.org_id = Number(org.value);
        await api('POST', '/locations', body);
        form.reset();
        msg.appendChild(notice('ok', `Location ${body.name} added.`));
      }
      await draw();
    } catch (err) { showFieldErrors(form, msg, err); }
  });

  async function draw() {
    const res = await api('GET', '/locations');
    const rows = res.results || res;
    markers.clearLayers();
    const pts = [];
    for (const l of rows) {
      if (l.latitude === null || l.longitude === null || l.latitude === undefined) continue;
      const m = L.circleMarker([l.latitude, l.longitude], { radius: 8, className: 'location-marker' });
      m.bindTooltip(`${l.name} (${fmtNum(l.devices || 0)} devices)`);
      m.on('click', () => { if (canEdit) startEdit(l); });
      m.addTo(markers);
      pts.push([l.latitude, l.longitude]);
    }
    mapEl.dataset.markers = pts.length;
    if (pts.length) map.fitBounds(pts, { maxZoom: 12, padding: [30, 30] });
    clear(listBox);
    const tbody = h('tbody', {});
    for (const l of rows) {
      tbody.appendChild(h('tr', { dataset: { id: l.id } },
        h('td', {}, text(l.name)), h('td', {}, text(l.type)), h('td', {}, text(orgMap.get(l.org_id) || l.org_id)),
        h('td', {}, [l.address, l.city, l.country].filter(Boolean).map(text).join(', ')),
        h('td', {}, l.latitude === null || l.latitude === undefined ? '—' : `${Number(l.latitude).toFixed(4)}, ${Number(l.longitude).toFixed(4)}`),
        h('td', {}, h('a', { href: '#/devices' + buildQuery({ location: l.name }) }, `${fmtNum(l.devices || 0)} devices`)),
        h('td', {}, canEdit ? [
          h('button', { type: 'button', class: 'edit', onclick: () => startEdit(l) }, 'Edit'), ' ',
          confirmButton('Delete', 'Really delete?', async () => { await api('DELETE', `/locations/${l.id}`); await draw(); }),
        ] : '')));
    }
    if (!rows.length) tbody.appendChild(h('tr', {}, h('td', { colspan: 7, class: 'empty' }, 'No locations yet.')));
    listBox.appendChild(h('div', { class: 'table-wrap' }, h('table', { class: 'grid locations' },
      h('thead', {}, h('tr', {}, ['Name', 'Type', 'Org', 'Address', 'Position', 'Devices', h('span', { class: 'sr-only' }, 'Actions')].map((c) => h('th', { scope: 'col' }, c)))),
      tbody)));
  }
  await draw();
  return () => map.remove();
}
