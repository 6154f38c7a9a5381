// Seed discovery options of a discovery (docs/discovery.md, "Seed
// discovery"): options.seed, seed_scope and seed_depth in one fieldset of
// their own, so the discovery form only places it and hands it the
// options. The server checks them (a bad scope is refused by field name,
// seed_scope, and shown beside that input).
import { h, field } from './core.js';

export function seedFields() {
  const seed = h('input', { type: 'checkbox', name: 'seed' });
  const scope = h('input', { name: 'seed_scope', placeholder: '10.1.0.0/16', disabled: true });
  const depth = h('input', { type: 'number', name: 'seed_depth', min: '1', max: '8', value: '2', disabled: true });
  const sync = () => { scope.disabled = !seed.checked; depth.disabled = !seed.checked; };
  seed.addEventListener('change', sync);
  const box = h('fieldset', { class: 'seed', 'data-field': 'seed', tabindex: '-1' },
    h('legend', {}, 'Seed discovery'),
    h('label', { class: 'check' }, seed,
      'add what devices know — ARP and neighbour tables, routes, LLDP/CDP neighbours — as more targets'),
    field('seed scope', scope, 'addresses seeds may go to besides the targets (CIDRs, ranges); never the excluded ones'),
    field('seed depth', depth, 'rounds after the first, 1-8'));
  return {
    box,
    // adds the seed options to options (nothing when seeding is off)
    read(options) {
      if (!seed.checked) return;
      options.seed = true;
      if (scope.value.trim()) options.seed_scope = scope.value.trim();
      options.seed_depth = Number(depth.value) || 2;
    },
    // shows a stored definition's options (o: its options object)
    fill(o) {
      seed.checked = !!o.seed;
      scope.value = o.seed_scope || '';
      depth.value = String(o.seed_depth || 2);
      sync();
    },
  };
}
