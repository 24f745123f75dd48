// Headless browser check of the one-time live-check page, run by tests/service_browser.rs:
//   node probe.mjs LINK_URL SECOND_LINK_URL SCREENSHOT_DIR
// On the first link: fills tenant, client id and a secret that is really a Secret ID, submits,
// and checks that the mistake is shown beside the field and the link still works; then enters a
// proper secret and checks the outcome (AADSTS7000215 from the fake Entra) and the guide link.
// On the second link: a working secret shows "valid" and the granted roles. Exits non-zero on
// any failed check; screenshots go to SCREENSHOT_DIR.
import { mkdirSync } from "node:fs";
import { chromium } from "playwright-core";

const [link, second, outDir] = process.argv.slice(2);
if (!link || !second || !outDir) {
  console.error("usage: node probe.mjs LINK_URL SECOND_LINK_URL SCREENSHOT_DIR");
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const CLIENT = "11111111-2222-3333-4444-555555555555";

function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
}

async function fill(page, secret) {
  await page.getByLabel("Tenant: directory (tenant) ID or verified domain").fill(TENANT);
  await page.getByLabel("Application (client) ID").fill(CLIENT);
  await page.getByLabel("Client secret").check();
  await page.getByLabel("Secret value (the Value column, not the Secret ID)").fill(secret);
  await Promise.all([page.waitForLoadState("load"), page.getByRole("button", { name: "Run live check" }).click()]);
}

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));

  await page.goto(link);
  await page.screenshot({ path: `${outDir}/probe-form.png`, fullPage: true });
  await fill(page, "8a4d5c1e-9b7f-4e2a-b3c6-d1e0f9a8b7c6");
  const mistake = page.locator('p.field-error[data-mistake="secret_is_secret_id"]');
  await mistake.waitFor({ state: "visible", timeout: 10000 });
  check((await mistake.innerText()).includes("Secret ID"), "the Secret ID mistake is explained");
  check(await page.getByLabel("Tenant: directory (tenant) ID or verified domain").inputValue() === TENANT, "tenant kept");
  check(await page.getByLabel("Secret value (the Value column, not the Secret ID)").inputValue() === "", "secret not refilled");
  await page.screenshot({ path: `${outDir}/probe-mistake.png`, fullPage: true });

  await fill(page, "Xq38Q~s3cr3tV4lue.Th4tMustN3v3rL34k-0123");
  const outcome = page.locator("#outcome");
  await outcome.waitFor({ state: "visible", timeout: 10000 });
  check(await outcome.getAttribute("data-outcome") === "rejected", "outcome is rejected");
  check((await outcome.innerText()).includes("AADSTS7000215"), "the code is shown");
  const guide = page.locator("a#guide");
  check(await guide.getAttribute("href") === "/guides/AADSTS7000215", "the guide is linked");
  await page.screenshot({ path: `${outDir}/probe-rejected.png`, fullPage: true });
  await guide.click();
  await page.waitForURL(/\/guides\/AADSTS7000215$/);

  await page.goto(second);
  await fill(page, "Xq38Q~an0therV4lue.Th4tW0rks-0123456789");
  await outcome.waitFor({ state: "visible", timeout: 10000 });
  check(await outcome.getAttribute("data-outcome") === "valid", "outcome is valid");
  check((await page.locator("#roles").innerText()).includes("Directory.Read.All"), "roles are listed");
  await page.screenshot({ path: `${outDir}/probe-valid.png`, fullPage: true });

  await page.goto(link);
  check((await page.locator("#gone").innerText()).includes("already used"), "the used link is refused");
  check(errors.length === 0, `no page errors: ${errors.join("; ")}`);
  console.log("probe page checks passed");
} finally {
  await browser.close();
}
