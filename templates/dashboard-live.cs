<?cs def:page_link(n) ?>/?<?cs if:Filter.Q ?>q=<?cs var:url_escape(Filter.Q) ?>&amp;<?cs /if ?><?cs if:Filter.State ?>state=<?cs var:Filter.State ?>&amp;<?cs /if ?>page=<?cs var:n ?><?cs /def ?>
<div id="live">
<section class="summary" id="summary" data-refresh="<?cs var:Refresh ?>">
  <span class="count down" id="count-down"><?cs var:Counts.Down ?> down</span>
  <span class="count degraded" id="count-degraded"><?cs var:Counts.Degraded ?> degraded</span>
  <span class="count up" id="count-up"><?cs var:Counts.Up ?> up</span>
  <span class="count never" id="count-never"><?cs var:Counts.Never ?> never probed</span>
  <span class="muted">of <?cs var:Counts.Total ?> streams; times in <?cs var:Timezone ?></span>
</section>
<?cs if:Problems.0.Name ?>
<section class="problems" id="problems"><h2><?cs var:Paging.Down ?> down</h2>
<?cs each:p = Problems ?><a href="/stream/<?cs var:path_escape(p.Name) ?>" title="<?cs var:p.Error ?>: <?cs var:p.Message ?>"><?cs var:p.Name ?></a> <?cs /each ?>
</section>
<?cs /if ?>
<?cs if:Paging.Pages > 1 ?>
<nav class="pager" id="pager">Streams <?cs var:Paging.First ?>&ndash;<?cs var:Paging.Last ?> of <?cs var:Counts.Shown ?>, page <?cs var:Paging.Page ?> of <?cs var:Paging.Pages ?>:
<?cs if:Paging.Page > 1 ?><a rel="prev" href="<?cs call:page_link(Paging.Page - 1) ?>">previous</a><?cs /if ?>
<?cs if:Paging.Page < Paging.Pages ?><a rel="next" href="<?cs call:page_link(Paging.Page + 1) ?>">next</a><?cs /if ?>
</nav>
<?cs /if ?>
<table class="streams" id="streams">
<thead><tr><th></th><th>Stream</th><th>State</th><th>Since</th><th>Latency</th><th>Checked</th><th>24 h</th><th>Last heartbeats</th></tr></thead>
<tbody>
<?cs each:s = Streams ?>
<tr class="state-<?cs var:s.State ?>" data-name="<?cs var:s.Name ?>">
  <td class="thumb"><?cs if:s.ThumbAt ?><a href="/preview/<?cs var:path_escape(s.Name) ?>.jpg"><img src="/thumb/<?cs var:path_escape(s.Name) ?>.jpg" alt="" width="160" height="90" loading="lazy"></a><span class="age"><time class="ago" data-ms="<?cs var:s.ThumbMs ?>"><?cs var:s.ThumbAt ?></time></span><?cs /if ?></td>
  <td class="name"><a href="/stream/<?cs var:path_escape(s.Name) ?>"><?cs var:s.Name ?></a><?cs if:!s.Enabled ?> <span class="muted">(disabled)</span><?cs /if ?><?cs if:s.Video ?><br><span class="muted video"><?cs var:s.Video ?></span><?cs /if ?></td>
  <td class="state"><span class="pill <?cs var:s.State ?>"><?cs var:s.State ?></span><?cs if:s.State == "down" || s.State == "degraded" ?><br><span class="reason"><?cs var:s.Error ?>: <?cs var:s.Message ?></span><?cs /if ?></td>
  <td class="since"><?cs if:s.SinceAt ?><time class="for" data-ms="<?cs var:s.SinceMs ?>" title="since <?cs var:s.SinceAt ?>"><?cs var:s.SinceAt ?></time><?cs /if ?></td>
  <td class="latency"><?cs if:s.Latency ?><?cs var:s.Latency ?> ms<?cs /if ?></td>
  <td class="checked"><?cs var:s.Checked ?></td>
  <td class="uptime"><?cs if:s.Uptime ?><?cs var:s.Uptime ?> %<?cs /if ?></td>
  <td class="bar"><?cs if:s.Bar.N ?><svg class="bar" data-n="<?cs var:s.Bar.N ?>" viewBox="0 0 <?cs var:Bar.Max ?> 1" width="<?cs var:Bar.Width ?>" height="18" preserveAspectRatio="none"><title><?cs var:s.Bar.Title ?></title><?cs if:s.Bar.Up ?><path class="u" d="<?cs var:s.Bar.Up ?>"/><?cs /if ?><?cs if:s.Bar.Down ?><path class="d" d="<?cs var:s.Bar.Down ?>"/><?cs /if ?><?cs if:s.Bar.Degraded ?><path class="g" d="<?cs var:s.Bar.Degraded ?>"/><?cs /if ?><?cs if:s.Bar.Skipped ?><path class="s" d="<?cs var:s.Bar.Skipped ?>"/><?cs /if ?></svg><?cs /if ?></td>
</tr>
<?cs /each ?>
</tbody>
</table>
<?cs if:Counts.Shown == 0 ?><p class="muted">No stream matches.</p><?cs /if ?>
</div>
