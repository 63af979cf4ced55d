<?cs include:"header.cs" ?>
<h1>Log in</h1>
<?cs if:Login.Message ?><p class="error" id="login-error"><?cs var:Login.Message ?></p><?cs /if ?>
<form method="post" action="/login" class="login">
  <input type="hidden" name="csrf" value="<?cs var:Csrf ?>">
  <input type="hidden" name="next" value="<?cs var:Login.Next ?>">
  <label>User <input name="user" value="<?cs var:Login.User ?>" autocomplete="username" required autofocus></label>
  <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
  <button type="submit">Log in</button>
</form>
<?cs include:"footer.cs" ?>
