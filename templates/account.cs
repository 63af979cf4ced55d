<?cs include:"header.cs" ?>
<h1>Account: <?cs var:User.Name ?></h1>
<?cs if:Account.Message ?><p class="ok" id="account-message"><?cs var:Account.Message ?></p><?cs /if ?>
<?cs if:Account.Error ?><p class="error" id="account-error"><?cs var:Account.Error ?></p><?cs /if ?>
<?cs if:Account.Token ?><p class="ok">Your new API token (shown once): <code id="api-token"><?cs var:Account.Token ?></code><br>
<span class="muted">curl -H "Authorization: Bearer TOKEN" http://this-host/api/streams</span></p><?cs /if ?>
<h2>Change password</h2>
<form method="post" action="/account">
  <input type="hidden" name="csrf" value="<?cs var:Csrf ?>">
  <input type="hidden" name="action" value="password">
  <label>Current password <input type="password" name="current" autocomplete="current-password" required></label>
  <label>New password (8 characters or more) <input type="password" name="password" autocomplete="new-password" required></label>
  <label>Again <input type="password" name="password2" autocomplete="new-password" required></label>
  <button type="submit">Change password</button>
</form>
<h2>API tokens</h2>
<?cs if:subcount(Tokens) ?>
<table class="tokens"><thead><tr><th>Label</th><th>Created</th><th></th></tr></thead><tbody>
<?cs each:t = Tokens ?><tr><td><?cs var:t.Label ?></td><td><?cs var:t.Created ?></td><td>
<form method="post" action="/account" class="inline"><input type="hidden" name="csrf" value="<?cs var:Csrf ?>"><input type="hidden" name="action" value="revoke"><input type="hidden" name="id" value="<?cs var:t.Id ?>"><button type="submit">Revoke</button></form>
</td></tr><?cs /each ?>
</tbody></table>
<?cs /if ?>
<form method="post" action="/account">
  <input type="hidden" name="csrf" value="<?cs var:Csrf ?>">
  <input type="hidden" name="action" value="token">
  <label>Label <input name="label" maxlength="64" placeholder="nagios"></label>
  <button type="submit">Create token</button>
</form>
<?cs if:User.IsAdmin ?>
<h2>Add a user</h2>
<form method="post" action="/account">
  <input type="hidden" name="csrf" value="<?cs var:Csrf ?>">
  <input type="hidden" name="action" value="adduser">
  <label>Name <input name="name" maxlength="64" required></label>
  <label>Password <input type="password" name="password" autocomplete="new-password" required></label>
  <label>Role <select name="role"><option>viewer</option><option>admin</option></select></label>
  <button type="submit">Add user</button>
</form>
<?cs /if ?>
<?cs include:"footer.cs" ?>
