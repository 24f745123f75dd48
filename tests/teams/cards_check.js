// Parses and validates Adaptive Cards with the official renderer (npm adaptivecards) at schema
// version 1.5 with Teams' host config, the way the Teams client would. Any parse or validation
// event is a failure. Usage: node cards_check.js CARD.json...   (exit 0 = every card is clean)
"use strict";
const fs = require("fs");
const path = require("path");
const { JSDOM } = require("jsdom");

const dom = new JSDOM("<!doctype html><html><body></body></html>");
for (const key of Object.getOwnPropertyNames(dom.window)) {
  if (/^(HTML|SVG)\w*Element$|^(Node|Element|Event|document|navigator|getComputedStyle)$/.test(key) && !(key in global)) {
    global[key] = dom.window[key];
  }
}
global.window = dom.window;
global.document = dom.window.document;
const AC = require("adaptivecards/dist/adaptivecards.js");

// Teams processes markdown itself; a pass-through keeps the renderer from logging that none is set.
AC.AdaptiveCard.onProcessMarkdown = (text, result) => { result.outputHtml = text; result.didProcess = true; };
const hostConfig = new AC.HostConfig(JSON.parse(fs.readFileSync(path.join(__dirname, "teams-host-config.json"), "utf8")));

function check(file) {
  const json = JSON.parse(fs.readFileSync(file, "utf8"));
  const problems = [];
  if (json.version !== "1.5") problems.push(`version is ${json.version}, not 1.5`);
  const card = new AC.AdaptiveCard();
  card.hostConfig = hostConfig;
  const ctx = new AC.SerializationContext(AC.Versions.v1_5);
  card.parse(json, ctx);
  for (let i = 0; i < ctx.eventCount; i++) {
    const e = ctx.getEventAt(i);
    problems.push(`parse: ${AC.ValidationEvent[e.event]}: ${e.message}`);
  }
  const validation = card.validateProperties();
  for (const e of validation.validationEvents) {
    problems.push(`validate: ${AC.ValidationEvent[e.event]}: ${e.message}`);
  }
  const rendered = card.render();
  if (!rendered) problems.push("render returned nothing");
  return problems;
}

let failed = 0;
const files = process.argv.slice(2);
for (const file of files) {
  const problems = check(file);
  if (problems.length) {
    failed++;
    console.log(`FAIL ${path.basename(file)}\n  ${problems.join("\n  ")}`);
  }
}
console.log(`${files.length - failed} of ${files.length} cards clean`);
process.exit(failed || files.length === 0 ? 1 : 0);
