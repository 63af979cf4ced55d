<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title><?cs var:Page.Title ?> - StreamPulse</title>
<link rel="stylesheet" href="/static/app.css">
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
</head>
<body>
<header class="top">
  <a class="brand" href="/">StreamPulse</a>
  <?cs if:User.Name ?>
  <nav>
    <a href="/">Dashboard</a>
    <?cs if:User.IsAdmin ?><a href="/config">Configuration</a><?cs /if ?>
    <a href="/export.csv">CSV</a>
    <a href="/account"><?cs var:User.Name ?></a>
    <form method="post" action="/logout" class="inline"><input type="hidden" name="csrf" value="<?cs var:Csrf ?>"><button type="submit">Log out</button></form>
  </nav>
  <?cs /if ?>
</header>
<?cs if:User.DefaultPassword ?>
<p class="banner" id="default-password">You are using the default password. <a href="/account">Change it now</a>: anyone on this network could log in.</p>
<?cs /if ?>
<main>
