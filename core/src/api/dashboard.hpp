// The dashboard: one page, compiled into the binary (no CDN), polling the API every second.
#pragma once

#include <string_view>

namespace sluice::api {

inline constexpr std::string_view dashboard_html = R"html(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sluice dashboard</title>
<style>
body{font:14px system-ui,sans-serif;margin:0;background:#f4f6f8;color:#1d2733}
header{background:#123;color:#fff;padding:12px 24px;display:flex;gap:24px;align-items:baseline}
header h1{font-size:20px;margin:0}#status{opacity:.8}
main{padding:16px 24px;display:grid;gap:16px}
section{background:#fff;border-radius:8px;padding:12px 16px;box-shadow:0 1px 2px #0002}
h2{font-size:16px;margin:4px 0 8px}table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e3e7eb;vertical-align:top}
th{font-weight:600;color:#456}.up{color:#0a7d32;font-weight:600}.down{color:#c0212b;font-weight:600}
.disabled{color:#c0212b}.err{color:#c0212b;font-size:12px;white-space:pre-wrap}code{font-size:12px}
.server{display:flex;gap:12px}.rate{color:#456}
</style></head><body>
<header><h1>Sluice</h1><span id="status">loading…</span></header>
<main>
<section><h2>Routers</h2><table id="routers"><thead><tr><th>Name</th><th>Rule</th><th>Service</th><th>Middlewares</th><th>Status</th></tr></thead><tbody></tbody></table></section>
<section><h2>Services</h2><table id="services"><thead><tr><th>Name</th><th>Strategy</th><th>Servers</th><th>Status</th></tr></thead><tbody></tbody></table></section>
<section><h2>Middlewares</h2><table id="middlewares"><thead><tr><th>Name</th><th>Type</th><th>Configuration</th><th>Used by</th><th>Status</th></tr></thead><tbody></tbody></table></section>
</main>
<script>
const esc = s => String(s ?? '').replace(/[&<>"]/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
const status = o => o.status === 'enabled' ? 'enabled'
  : `<span class="disabled">disabled</span><div class="err">${esc((o.error || []).join('\n'))}</div>`;
let last = {}, lastTime = 0;
function fill(id, rows) { document.querySelector(`#${id} tbody`).innerHTML = rows.join('') || '<tr><td colspan="5">none</td></tr>'; }
async function refresh() {
  try {
    const [routers, services, middlewares] = await Promise.all(
      ['routers', 'services', 'middlewares'].map(k => fetch(`/api/http/${k}?per_page=1000`).then(r => r.json())));
    const now = performance.now(), dt = lastTime ? (now - lastTime) / 1000 : 0;
    fill('routers', routers.map(r => `<tr><td>${esc(r.name)}</td><td><code>${esc(r.rule)}</code></td><td>${esc(r.service)}</td><td>${esc((r.middlewares || []).join(', '))}</td><td>${status(r)}</td></tr>`));
    const counts = {};
    // A load balancer's strategy and wrappers, or what a composite chooses among.
    const kind = s => s.loadBalancer ? s.loadBalancer.strategy + s.loadBalancer.wrappers.map(w => ' + ' + w).join('')
      : s.weighted ? 'weighted: ' + s.weighted.services.map(c => c.name + ' x' + c.weight).join(', ')
      : s.failover ? 'failover: ' + s.failover.service + ', else ' + s.failover.fallback
      : s.mirroring ? 'mirroring: ' + s.mirroring.service + s.mirroring.mirrors.map(m => ', ' + m.percent + ' % to ' + m.name).join('') : '';
    fill('services', services.map(s => {
      const servers = Object.entries(s.serverStatus || {}).map(([url, st]) => {
        const key = s.name + ' ' + url, n = (s.serverRequests || {})[url] || 0;
        counts[key] = n;
        const rate = dt && key in last ? ((n - last[key]) / dt).toFixed(1) : '0.0';
        return `<div class="server"><code>${esc(url)}</code><span class="${st === 'UP' ? 'up' : 'down'}">${st}</span><span class="rate">${rate} req/s</span></div>`;
      }).join('');
      return `<tr><td>${esc(s.name)}</td><td>${esc(kind(s))}</td><td>${servers}</td><td>${status(s)}</td></tr>`;
    }));
    // A middleware's options are under the key named after its type ("stripPrefix": {...}).
    const fixed = ['name', 'provider', 'type', 'status', 'usedBy', 'error', 'stale'];
    const options = m => Object.entries(m).filter(([k]) => !fixed.includes(k))
      .map(([k, v]) => Object.entries(v).map(([o, x]) => `<div><code>${esc(o)} = ${esc(JSON.stringify(x))}</code></div>`).join('')).join('');
    fill('middlewares', middlewares.map(m => `<tr><td>${esc(m.name)}</td><td>${esc(m.type)}</td><td>${options(m)}</td><td>${esc((m.usedBy || []).join(', '))}</td><td>${status(m)}</td></tr>`));
    last = counts; lastTime = now;
    document.getElementById('status').textContent =
      `${routers.length} routers · ${services.length} services · ${middlewares.length} middlewares · updated ${new Date().toLocaleTimeString()}`;
  } catch (e) { document.getElementById('status').textContent = 'API unreachable: ' + e; }
}
refresh(); setInterval(refresh, 1000);
</script></body></html>
)html";

}  // namespace sluice::api
