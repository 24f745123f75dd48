// Renders one Adaptive Card with the official renderer (npm adaptivecards, Teams host config) in
// headless Chromium and saves a PNG. Usage: node render_card.js CARD.json OUT.png
// A tiny markdown step (bold, links, line breaks) stands in for Teams' own markdown processing.
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const { execFileSync } = require("child_process");

const [cardFile, outPng] = process.argv.slice(2);
const lib = fs.readFileSync(require.resolve("adaptivecards/dist/adaptivecards.min.js"), "utf8");
const css = fs.readFileSync(require.resolve("adaptivecards/dist/adaptivecards.css"), "utf8");
const host = fs.readFileSync(path.join(__dirname, "teams-host-config.json"), "utf8");
const card = fs.readFileSync(cardFile, "utf8");

const html = `<!doctype html><html><head><meta charset="utf-8"><style>${css}
body{margin:0;background:#f5f5f5;font-family:'Segoe UI',sans-serif}#c{width:560px;margin:16px;border:1px solid #ddd;border-radius:6px;background:#fff}
.ac-pushButton{border:1px solid #ccc;background:#fff;padding:4px 10px;border-radius:4px;margin-top:4px}</style>
<script>${lib}</script></head><body><div id="c"></div><script>
const md = t => t.replace(/&/g,"&amp;").replace(/</g,"&lt;").replace(/\\*\\*(.+?)\\*\\*/g,"<b>$1</b>")
  .replace(/\\[([^\\]]+)\\]\\(([^)]+)\\)/g,'<a href="$2">$1</a>').replace(/\\r|\\n/g,"<br>");
AdaptiveCards.AdaptiveCard.onProcessMarkdown = (t, r) => { r.outputHtml = md(t); r.didProcess = true; };
const card = new AdaptiveCards.AdaptiveCard();
card.hostConfig = new AdaptiveCards.HostConfig(${host});
card.parse(${card});
document.getElementById("c").appendChild(card.render());
</script></body></html>`;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "errkb-card-"));
const page = path.join(tmp, "card.html");
fs.writeFileSync(page, html);
execFileSync("/usr/bin/chromium", ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
  `--user-data-dir=${tmp}/profile`, "--window-size=600,1100", `--screenshot=${path.resolve(outPng)}`, `file://${page}`],
  { stdio: "pipe", timeout: 60000 });
fs.rmSync(tmp, { recursive: true, force: true });
console.log(`wrote ${outPng}`);
