// Validates a Teams app manifest offline against the schema bundled in npm @microsoft/app-manifest
// (the Microsoft 365 Agents Toolkit's own validator). Usage: node manifest_check.js manifest.json
// Prints each schema error; exit 0 when there is none.
"use strict";
const fs = require("fs");
const { AppManifestUtils } = require("@microsoft/app-manifest");

(async () => {
  const manifest = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  const errors = await AppManifestUtils.validateAgainstSchema(manifest);
  for (const e of errors) console.log(typeof e === "string" ? e : JSON.stringify(e));
  console.log(errors.length ? `${errors.length} schema errors` : `valid against manifest schema v${manifest.manifestVersion}`);
  process.exit(errors.length ? 1 : 0);
})().catch((e) => { console.error(e); process.exit(2); });
