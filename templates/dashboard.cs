<?cs include:"header.cs" ?>
<form method="get" action="/" class="filter" id="filter">
  <input name="q" value="<?cs var:Filter.Q ?>" placeholder="Filter by name">
  <select name="state">
    <option value="">all states</option>
    <option value="down"<?cs if:Filter.State == "down" ?> selected<?cs /if ?>>down</option>
    <option value="degraded"<?cs if:Filter.State == "degraded" ?> selected<?cs /if ?>>degraded</option>
    <option value="up"<?cs if:Filter.State == "up" ?> selected<?cs /if ?>>up</option>
    <option value="never"<?cs if:Filter.State == "never" ?> selected<?cs /if ?>>never probed</option>
  </select>
  <button type="submit">Filter</button>
</form>
<?cs uvar:Live ?>
<script src="/static/app.js"></script>
<?cs include:"footer.cs" ?>
