<?cs include:"header.cs" ?>
<h1>Configuration</h1>
<?cs if:Form.Saved ?><p class="ok" id="saved"><?cs var:Form.Saved ?></p><?cs /if ?>
<?cs if:Form.Error ?><p class="error" id="form-error" data-field="<?cs var:Form.ErrorField ?>"><?cs var:Form.Error ?></p><?cs /if ?>
<form method="post" action="/config" class="config">
  <input type="hidden" name="csrf" value="<?cs var:Csrf ?>">
  <input type="hidden" name="version" value="<?cs var:Form.Version ?>">
  <label<?cs if:Form.ErrorField == "heartbeat_seconds" ?> class="invalid"<?cs /if ?>>Probe every <input name="heartbeat_seconds" value="<?cs var:Form.Heartbeat ?>" size="5"> seconds</label>
  <label<?cs if:Form.ErrorField == "timezone" ?> class="invalid"<?cs /if ?>>Time zone
    <select name="timezone"><?cs each:z = Zones ?><option<?cs if:z == Form.Timezone ?> selected<?cs /if ?>><?cs var:z ?></option><?cs /each ?></select>
  </label>
  <table class="edit">
    <thead><tr><th>Name</th><th>URL (password shown as •••: leave it to keep the stored one)</th><th>Enabled</th><th>Delete</th></tr></thead>
    <tbody>
    <?cs each:r = Rows ?>
    <tr>
      <td<?cs if:Form.ErrorField == "row" + name(r) + ".name" ?> class="invalid"<?cs /if ?>><input name="name<?cs name:r ?>" value="<?cs var:r.Name ?>" maxlength="64" placeholder="new stream name"><input type="hidden" name="old<?cs name:r ?>" value="<?cs var:r.Old ?>"></td>
      <td<?cs if:Form.ErrorField == "row" + name(r) + ".url" ?> class="invalid"<?cs /if ?>><input name="url<?cs name:r ?>" value="<?cs var:r.Url ?>" size="60" placeholder="rtsp://user:password@camera/stream1"></td>
      <td><input type="checkbox" name="enabled<?cs name:r ?>" value="1"<?cs if:r.Enabled ?> checked<?cs /if ?>></td>
      <td><?cs if:r.Old ?><input type="checkbox" name="delete<?cs name:r ?>" value="1"><?cs /if ?></td>
    </tr>
    <?cs /each ?>
    </tbody>
  </table>
  <input type="hidden" name="rows" value="<?cs var:subcount(Rows) ?>">
  <button type="submit">Save</button>
</form>
<p class="muted">Saving validates everything first and writes the file atomically; the monitor picks the change up within a second or two. Comments in config.yaml are not kept.</p>
<?cs include:"footer.cs" ?>
