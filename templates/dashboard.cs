<?cs include:"header.cs" ?>
<section class="summary" id="summary" data-refresh="<?cs var:Refresh ?>">
  <span class="count down" id="count-down"><?cs var:Counts.Down ?> down</span>
  <span class="count up" id="count-up"><?cs var:Counts.Up ?> up</span>
  <span class="count never" id="count-never"><?cs var:Counts.Never ?> never probed</span>
  <span class="muted">of <?cs var:Counts.Total ?> streams; times in <?cs var:Timezone ?></span>
</section>
<form method="get" action="/" class="filter">
  <input name="q" value="<?cs var:Filter.Q ?>" placeholder="Filter by name">
  <select name="state">
    <option value="">all states</option>
    <option value="down"<?cs if:Filter.State == "down" ?> selected<?cs /if ?>>down</option>
    <option value="up"<?cs if:Filter.State == "up" ?> selected<?cs /if ?>>up</option>
    <option value="never"<?cs if:Filter.State == "never" ?> selected<?cs /if ?>>never probed</option>
  </select>
  <button type="submit">Filter</button>
</form>
<table class="streams" id="streams">
<thead><tr><th></th><th>Stream</th><th>State</th><th>Since</th><th>Latency</th><th>Checked</th><th>24 h</th><th>Last heartbeats</th></tr></thead>
<tbody>
<?cs each:s = Streams ?>
<tr class="state-<?cs var:s.State ?>" data-name="<?cs var:s.Name ?>">
  <td class="thumb"><?cs if:s.ThumbAge ?><a href="/preview/<?cs var:url_escape(s.Name) ?>.jpg"><img src="/thumb/<?cs var:url_escape(s.Name) ?>.jpg" alt="" width="160" height="90" loading="lazy"></a><span class="age"><?cs var:s.ThumbAge ?> ago</span><?cs /if ?></td>
  <td class="name"><a href="/stream/<?cs var:url_escape(s.Name) ?>"><?cs var:s.Name ?></a><?cs if:!s.Enabled ?> <span class="muted">(disabled)</span><?cs /if ?><?cs if:s.Video ?><br><span class="muted video"><?cs var:s.Video ?></span><?cs /if ?></td>
  <td class="state"><span class="pill <?cs var:s.State ?>"><?cs var:s.State ?></span><?cs if:s.State == "down" ?><br><span class="reason"><?cs var:s.Error ?>: <?cs var:s.Message ?></span><?cs /if ?></td>
  <td class="since" title="<?cs var:s.SinceAt ?>"><?cs var:s.Since ?></td>
  <td class="latency"><?cs if:s.Latency ?><?cs var:s.Latency ?> ms<?cs /if ?></td>
  <td class="checked"><?cs var:s.Checked ?></td>
  <td class="uptime"><?cs if:s.Uptime ?><?cs var:s.Uptime ?> %<?cs /if ?></td>
  <td class="bar"><?cs each:b = s.Beats ?><span class="<?cs if:b.Up ?>b-up<?cs else ?>b-down<?cs /if ?>" title="<?cs var:b.Title ?>"></span><?cs /each ?></td>
</tr>
<?cs /each ?>
</tbody>
</table>
<?cs if:Counts.Shown == 0 ?><p class="muted">No stream matches.</p><?cs /if ?>
<script src="/static/app.js"></script>
<?cs include:"footer.cs" ?>
