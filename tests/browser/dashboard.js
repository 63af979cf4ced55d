// t0150: a person's path through the dashboard in Debian's Chromium (playwright-core drives it;
// no browser is downloaded). Prints one JSON line of what it saw; the shell test asserts on it.
'use strict';
const { chromium } = require('playwright-core');

async function main() {
  const [base, outDir, refreshSeconds] = process.argv.slice(2);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
           '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  const seen = { consoleErrors: [] };
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('console', (m) => { if (m.type() === 'error') seen.consoleErrors.push(m.text()); });
    await page.goto(base + '/');
    seen.loginUrl = new URL(page.url()).pathname;
    await page.fill('input[name=user]', 'admin');
    await page.fill('input[name=password]', 'admin123');
    await Promise.all([page.waitForNavigation(), page.click('form.login button[type=submit]')]);
    seen.afterLogin = new URL(page.url()).pathname;
    await page.goto(base + '/');
    seen.banner = await page.locator('#default-password').count();
    seen.up = await page.locator('tr.state-up').count();
    seen.down = await page.locator('tr.state-down').count();
    seen.upColor = await page.locator('tr.state-up .pill').first().evaluate((e) => getComputedStyle(e).backgroundColor);
    seen.downColor = await page.locator('tr.state-down .pill').first().evaluate((e) => getComputedStyle(e).backgroundColor);
    seen.thumbs = await page.locator('td.thumb img').count();
    // The page refreshes itself (fetches its streams part again): the up stream's bar grows without a reload.
    const bar = page.locator('tr.state-up td.bar').first();
    seen.barBefore = Number(await bar.locator("svg.bar").getAttribute("data-n"));
    await page.waitForTimeout((Number(refreshSeconds) * 2 + 1) * 1000);
    seen.barAfter = Number(await bar.locator("svg.bar").getAttribute("data-n"));
    await page.screenshot({ path: outDir + '/dashboard.png', fullPage: true });
    await Promise.all([page.waitForNavigation(), page.locator('tr.state-up td.name a').first().click()]);
    seen.historyPath = new URL(page.url()).pathname;
    seen.chart = await page.locator('#latency-chart polyline').count();
    seen.historyTitle = await page.title();
    await page.screenshot({ path: outDir + '/history.png', fullPage: true });
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify(seen));
}

main().catch((e) => { console.error(String(e && e.stack || e)); process.exit(1); });
