<?cs include:"header.cs" ?>
<h1><?cs var:Stream.Name ?></h1>
<p><a href="/preview/<?cs var:path_escape(Stream.Name) ?>.jpg">Live frame now</a> · <a href="/export.csv?stream=<?cs var:url_escape(Stream.Name) ?>">CSV</a> · times in <?cs var:Timezone ?></p>
<section class="uptime">
  <span>24 h: <b id="uptime-day"><?cs var:Uptime.Day ?></b></span>
  <span>7 d: <b id="uptime-week"><?cs var:Uptime.Week ?></b></span>
  <span>30 d: <b id="uptime-month"><?cs var:Uptime.Month ?></b></span>
</section>
<h2>Time to first frame, last 24 h</h2>
<svg class="chart" id="latency-chart" viewBox="0 0 800 170" width="800" height="170" role="img" aria-label="latency chart">
  <rect x="0" y="0" width="800" height="160" fill="#f6f7f9"/>
  <?cs each:d = Chart.Down ?><rect x="<?cs var:d ?>" y="0" width="3" height="160" fill="#e5484d"/><?cs /each ?>
  <polyline points="<?cs var:Chart.Points ?>" fill="none" stroke="#2f6fed" stroke-width="1.5"/>
  <text x="4" y="12" font-size="11" fill="#555"><?cs var:Chart.Max ?> ms</text>
  <text x="4" y="168" font-size="11" fill="#555">24 h ago</text>
  <text x="770" y="168" font-size="11" fill="#555">now</text>
</svg>
<h2>Incidents, last 30 days</h2>
<?cs if:subcount(Incidents) == 0 ?><p class="muted">None.</p><?cs else ?>
<table class="incidents"><thead><tr><th>Start</th><th>End</th><th>Duration</th><th>Reason</th></tr></thead><tbody>
<?cs each:i = Incidents ?><tr><td><?cs var:i.Start ?></td><td><?cs var:i.End ?></td><td><?cs var:i.Duration ?></td><td><span class="pill <?cs var:i.State ?>"><?cs var:i.State ?></span> <?cs var:i.Reason ?>: <?cs var:i.Message ?></td></tr><?cs /each ?>
</tbody></table>
<?cs /if ?>
<h2>Heartbeats</h2>
<table class="beats"><thead><tr><th>Time</th><th>State</th><th>Latency</th><th>Reason</th></tr></thead><tbody>
<?cs each:b = Recent.Beats ?><tr class="state-<?cs var:b.State ?>"><td><?cs var:b.Time ?></td><td><?cs var:b.State ?></td><td><?cs if:b.Latency ?><?cs var:b.Latency ?> ms<?cs /if ?></td><td><?cs if:b.State != "up" ?><?cs var:b.Error ?>: <?cs var:b.Message ?><?cs /if ?></td></tr><?cs /each ?>
</tbody></table>
<p class="pager">
<?cs if:Recent.Page > 0 ?><a href="?page=<?cs var:Recent.Page - 1 ?>">newer</a><?cs /if ?>
<?cs if:Recent.HasNext ?><a href="?page=<?cs var:Recent.Page + 1 ?>">older</a><?cs /if ?>
</p>
<?cs include:"footer.cs" ?>
