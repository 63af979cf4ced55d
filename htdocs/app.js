// StreamPulse dashboard: refresh the table from /api/streams every heartbeat, without a reload.
// Only textContent and attributes are set: names and messages never become markup.
(function () {
  'use strict';
  var summary = document.getElementById('summary');
  var table = document.getElementById('streams');
  if (!summary || !table || !window.fetch) return;
  var every = Math.max(2, parseInt(summary.getAttribute('data-refresh'), 10) || 15) * 1000;

  function text(row, cls, value) {
    var cell = row.querySelector('.' + cls);
    if (cell) cell.textContent = value;
  }

  function updateRow(row, s) {
    row.className = 'state-' + s.state;
    var pill = document.createElement('span');
    pill.className = 'pill ' + s.state;
    pill.textContent = s.state;
    var state = row.querySelector('.state');
    state.textContent = '';
    state.appendChild(pill);
    if (s.state === 'down') {
      var reason = document.createElement('span');
      reason.className = 'reason';
      reason.textContent = s.error + ': ' + s.message;
      state.appendChild(document.createElement('br'));
      state.appendChild(reason);
    }
    text(row, 'latency', s.latency_ms !== undefined ? s.latency_ms + ' ms' : '');
    text(row, 'checked', s.last_local || '');
    text(row, 'uptime', s.uptime_24h !== undefined ? s.uptime_24h.toFixed(1) + ' %' : '');
    var bar = row.querySelector('.bar');
    bar.textContent = '';
    for (var i = s.recent.length - 1; i >= 0; i--) {
      var b = s.recent[i], span = document.createElement('span');
      span.className = b.up ? 'b-up' : 'b-down';
      span.title = new Date(b.ts_ms).toISOString() + (b.up ? ' up, ' + b.latency_ms + ' ms' : ' down: ' + b.error + ': ' + b.message);
      bar.appendChild(span);
    }
  }

  function refresh() {
    fetch('/api/streams' + window.location.search, { credentials: 'same-origin' })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        var rows = table.querySelectorAll('tbody tr');
        if (rows.length !== data.streams.length) { window.location.reload(); return; }
        for (var i = 0; i < rows.length; i++) {
          if (rows[i].getAttribute('data-name') !== data.streams[i].name) { window.location.reload(); return; }
          updateRow(rows[i], data.streams[i]);
        }
        document.getElementById('count-up').textContent = data.counts.up + ' up';
        document.getElementById('count-down').textContent = data.counts.down + ' down';
        document.getElementById('count-never').textContent = data.counts.never + ' never probed';
      })
      .catch(function () { /* keep the last good view; the next tick tries again */ })
      .then(function () { setTimeout(refresh, every); });
  }
  setTimeout(refresh, every);
})();
