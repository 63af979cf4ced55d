<?cs include:"header.cs" ?>
<h1>Error <?cs var:Error.Status ?></h1>
<p class="error" id="error-message"><?cs var:Error.Message ?></p>
<p><a href="/">Back to the dashboard</a></p>
<?cs include:"footer.cs" ?>
