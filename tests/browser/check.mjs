// Headless browser check of errkb's pages, run by tests/service_browser.rs:
//   node check.mjs BASE_URL ADMIN_TOKEN SCREENSHOT_DIR
// Loads `/`, pastes an error into the labelled search box, submits, and checks that the guide's
// title and its numbered steps are visible. Writes screenshots of `/`, the answer, a guide page
// (light and dark, desktop and phone) and `/admin`. Exits non-zero on any failed check.
import { mkdirSync } from "node:fs";
import { chromium } from "playwright-core";

const [base, token, outDir] = process.argv.slice(2);
if (!base || !token || !outDir) {
  console.error("usage: node check.mjs BASE_URL ADMIN_TOKEN SCREENSHOT_DIR");
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });

const pasted = `2026-11-28T10:15:02Z ERROR MsalServiceException: AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.
Trace ID: 0a1b2c3d-0000-4000-8000-000000000000 Correlation ID: 11111111-2222-4333-8444-555555555555`;

function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
}

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });

  await page.goto(`${base}/`);
  await page.screenshot({ path: `${outDir}/search.png`, fullPage: true });
  const box = page.getByLabel("Paste an error message, a log or a code");
  await box.fill(pasted);
  await Promise.all([page.waitForURL(/\?q=/), page.getByRole("button", { name: "Explain" }).click()]);

  const title = page.locator("article.best h2");
  await title.waitFor({ state: "visible", timeout: 10000 });
  const titleText = await title.innerText();
  check(titleText.startsWith("AADSTS7000215:"), `answer title is "${titleText}"`);
  const steps = page.locator("ol.steps > li");
  check((await steps.count()) >= 2, "at least two numbered steps");
  check(await steps.first().isVisible(), "the first step is visible");
  await page.screenshot({ path: `${outDir}/answer.png`, fullPage: true });

  await title.locator("a").click();
  await page.waitForURL(/\/guides\/AADSTS7000215$/);
  check(await page.locator("h1").first().isVisible(), "guide heading visible");
  check((await page.locator("main section[id]").count()) >= 3, "guide sections with anchors");
  check(await page.locator("button.copy").first().isVisible(), "copy buttons shown once the script runs");
  await page.screenshot({ path: `${outDir}/guide.png`, fullPage: true });
  await page.emulateMedia({ colorScheme: "dark" });
  await page.screenshot({ path: `${outDir}/guide-dark.png`, fullPage: false });
  await page.emulateMedia({ colorScheme: "light" });

  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true });
  await phone.goto(`${base}/guides/AADSTS50011`);
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 1, `no sideways scrolling on a phone (overflow ${overflow}px)`);
  await phone.screenshot({ path: `${outDir}/guide-phone.png`, fullPage: false });

  await page.goto(`${base}/guides`);
  check((await page.locator("ul.guides li").count()) > 50, "the guide index lists the guides");
  await page.screenshot({ path: `${outDir}/guides.png`, fullPage: false });
  const missing = await page.goto(`${base}/guides/AADSTS500111`);
  check(missing.status() === 404, `unknown guide status ${missing.status()}`);
  await page.screenshot({ path: `${outDir}/not-found.png`, fullPage: false });

  // The admin token goes through the sign-in form (never the URL); it sets a session cookie.
  const signIn = await page.goto(`${base}/admin`);
  check(signIn.status() === 401, `admin without a session: status ${signIn.status()}`);
  await page.screenshot({ path: `${outDir}/admin-sign-in.png`, fullPage: false });
  await page.fill("input[name=token]", token);
  const [admin] = await Promise.all([
    page.waitForResponse((r) => r.url() === `${base}/admin` && r.request().method() === "GET"),
    page.click("form.sign-in button[type=submit]"),
  ]);
  check(admin.status() === 200, `admin status after signing in ${admin.status()}`);
  await page.waitForLoadState("load");
  check(await page.locator("svg.chart").first().isVisible(), "admin charts visible");
  await page.screenshot({ path: `${outDir}/admin.png`, fullPage: true });
  await page.emulateMedia({ colorScheme: "dark" });
  await page.screenshot({ path: `${outDir}/admin-dark.png`, fullPage: true });

  // The deliberate 404 and the sign-in page's 401 above each log one "Failed to load resource";
  // anything else is an error.
  const unexpected = errors.filter((e) => !e.includes("404") && !e.includes("401"));
  check(unexpected.length === 0, `no page errors: ${unexpected.join("; ")}`);
  console.log("browser check passed");
} finally {
  await browser.close();
}
