// The orgs a secretary looks after for 三会一课: those they hold a role in and, below them, the
// party branches and market party orgs (the ones that hold meetings), these first.
const HOLDING = ['party_branch', 'market_org'];

function reachable(roles, orgs) {
  const children = {};
  const byId = {};
  orgs.forEach((o) => {
    (children[o.parent_id] = children[o.parent_id] || []).push(o);
    byId[o.id] = o;
  });
  const out = [];
  const seen = {};
  const walk = (org) => {
    if (!org || seen[org.id]) return;
    seen[org.id] = true;
    if (HOLDING.includes(org.kind) || roles.some((r) => r.org_id === org.id)) out.push(org);
    (children[org.id] || []).forEach(walk);
  };
  (roles || []).forEach((r) => walk(byId[r.org_id]));
  const holds = (o) => (HOLDING.includes(o.kind) ? 0 : 1);
  return out.map((o, i) => [o, i]).sort((a, b) => holds(a[0]) - holds(b[0]) || a[1] - b[1]).map(([o]) => o);
}

module.exports = { reachable, HOLDING };
