// Headless browser check of /admin's support panels, run by tests/service/support_browser.rs:
//   node support.mjs BASE_URL ADMIN_TOKEN SCREENSHOT_DIR
// Signs in with the bearer token, checks the per-guide and per-channel tables and the "Still
// stuck" chart are visible with the seeded rows, that no table makes a phone scroll the whole
// page sideways, and writes screenshots (admin-support.png, admin-support-phone.png).
import { mkdirSync } from "node:fs";
import { chromium } from "playwright-core";

const [base, token, outDir] = process.argv.slice(2);
if (!base || !token || !outDir) {
  console.error("usage: node support.mjs BASE_URL ADMIN_TOKEN SCREENSHOT_DIR");
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });

function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
}

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const headers = { Authorization: `Bearer ${token}` };
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 }, extraHTTPHeaders: headers });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  const response = await page.goto(`${base}/admin`);
  check(response.status() === 200, `admin status ${response.status()}`);

  const guides = page.locator("#support-guides table tbody tr");
  await guides.first().waitFor({ state: "visible", timeout: 10000 });
  check((await guides.count()) >= 3, `${await guides.count()} guide rows`);
  check((await page.locator("#support-guides").innerText()).includes("AADSTS50011"), "AADSTS50011 is listed");
  const channels = page.locator("#support-channels table tbody tr");
  check((await channels.count()) >= 2, `${await channels.count()} channel rows`);
  const channelText = await page.locator("#support-channels").innerText();
  check(channelText.includes("#it-help") && channelText.includes("min"), `channel table: ${channelText}`);
  const stuck = page.locator("#support-stuck svg.chart");
  check(await stuck.isVisible(), "the Still stuck chart is visible");
  check((await page.locator("#support-stuck svg.chart rect").count()) >= 2, "one bar per stuck guide");
  await page.locator("#support-guides").scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${outDir}/admin-support.png`, fullPage: true });
  const panels = await page.locator("#support-guides").boundingBox();
  await page.screenshot({
    path: `${outDir}/admin-support-panels.png`,
    clip: { x: 0, y: panels.y - 10, width: 1200, height: 900 },
  });

  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, extraHTTPHeaders: headers });
  await phone.goto(`${base}/admin`);
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 1, `no sideways scrolling of the page on a phone (overflow ${overflow}px)`);
  await phone.locator("#support-channels").scrollIntoViewIfNeeded();
  await phone.screenshot({ path: `${outDir}/admin-support-phone.png`, fullPage: false });

  check(errors.length === 0, `no page errors: ${errors.join("; ")}`);
  console.log("support panels check passed");
} finally {
  await browser.close();
}
