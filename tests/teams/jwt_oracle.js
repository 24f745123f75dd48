// The JWT oracle for tests/teams_auth.rs. Serves a local RSA key as Bot Framework OpenID metadata
// on 127.0.0.1, mints channel tokens for the cases below (npm jsonwebtoken), and asks the official
// validator (npm botframework-connector, JwtTokenValidation.authenticateRequest) for its verdict.
// Prints one JSON line {metadata_url, app_id, cases:[{name, authorization, service_url, channel_id,
// oracle}]} and keeps serving the metadata until stdin closes, so the Rust validator can be pointed
// at the same keys.
"use strict";
const fs = require("fs");
const http = require("http");
const path = require("path");
const crypto = require("crypto");
const jwt = require("jsonwebtoken");
const { ChannelValidation, JwtTokenValidation, SimpleCredentialProvider } = require("botframework-connector");

const fixtures = path.join(__dirname, "..", "fixtures", "teams");
const keyA = fs.readFileSync(path.join(fixtures, "test-key-a.pem"));
const keyB = fs.readFileSync(path.join(fixtures, "test-key-b.pem"));
const jwk = (pem) => crypto.createPublicKey(pem).export({ format: "jwk" });
const APP_ID = "5f0c2f2b-0c1d-4d55-9a36-6f0d0b7f2a11";
const SERVICE_URL = "https://smba.trafficmanager.net/amer/";

function serve() {
  const keys = [
    { kty: "RSA", use: "sig", kid: "key-a", ...jwk(keyA), endorsements: ["msteams", "webchat"] },
    { kty: "RSA", use: "sig", kid: "key-webchat-only", ...jwk(keyB), endorsements: ["webchat"] },
  ];
  const server = http.createServer((req, res) => {
    const base = `http://127.0.0.1:${server.address().port}`;
    const body = req.url === "/v1/.well-known/openidconfiguration"
      ? { issuer: "https://api.botframework.com", jwks_uri: `${base}/v1/.well-known/keys`, id_token_signing_alg_values_supported: ["RS256"] }
      : req.url === "/v1/.well-known/keys" ? { keys } : null;
    res.writeHead(body ? 200 : 404, { "content-type": "application/json" });
    res.end(JSON.stringify(body || {}));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

function cases() {
  const now = Math.floor(Date.now() / 1000);
  const claims = (over = {}) => ({ iss: "https://api.botframework.com", aud: APP_ID, serviceurl: SERVICE_URL,
    nbf: now - 60, exp: now + 3600, ...over });
  const rs = (payload, key = keyA, kid = "key-a") => jwt.sign(payload, key, { algorithm: "RS256", keyid: kid, noTimestamp: true });
  const tok = (name, token, extra = {}) => ({ name, authorization: `Bearer ${token}`, service_url: SERVICE_URL, channel_id: "msteams", ...extra });
  const unsigned = (alg) => {
    const enc = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
    return `${enc({ alg, typ: "JWT", kid: "key-a" })}.${enc(claims())}.`;
  };
  const hmacSecret = jwk(keyA).n; // alg confusion: the public modulus used as an HMAC secret
  return [
    tok("valid", rs(claims())),
    tok("wrong audience", rs(claims({ aud: "00000000-0000-0000-0000-000000000000" }))),
    tok("wrong issuer", rs(claims({ iss: "https://sts.windows.net/evil/" }))),
    tok("expired beyond skew (6 min)", rs(claims({ exp: now - 360, nbf: now - 4000 }))),
    tok("expired within skew (4 min)", rs(claims({ exp: now - 240, nbf: now - 4000 }))),
    tok("nbf beyond skew (+6 min)", rs(claims({ nbf: now + 360 }))),
    tok("nbf within skew (+4 min)", rs(claims({ nbf: now + 240 }))),
    tok("wrong key with the same kid", rs(claims(), keyB, "key-a")),
    tok("unknown kid", rs(claims(), keyA, "key-unknown")),
    tok("HS256 algorithm", jwt.sign(claims(), hmacSecret, { algorithm: "HS256", keyid: "key-a", noTimestamp: true })),
    tok("none algorithm", unsigned("none")),
    tok("serviceUrl mismatch", rs(claims({ serviceurl: "https://evil.example.com/amer/" }))),
    tok("trailing-slash difference", rs(claims({ serviceurl: "https://smba.trafficmanager.net/amer" }))),
    tok("no serviceurl claim", rs(claims({ serviceurl: undefined }))),
    tok("channel not endorsed", rs(claims(), keyB, "key-webchat-only")),
    tok("endorsed channel other than msteams", rs(claims(), keyB, "key-webchat-only"), { channel_id: "webchat" }),
    tok("empty channel id", rs(claims()), { channel_id: "" }),
    { ...tok("lower-case scheme", rs(claims())), authorization: `bearer ${rs(claims())}` },
    { ...tok("two spaces", rs(claims())), authorization: `Bearer  ${rs(claims())}` },
    { ...tok("missing header", rs(claims())), authorization: null },
    tok("garbage token", "not.a.jwt"),
  ];
}

async function oracle(c) {
  const activity = { type: "message", serviceUrl: c.service_url, channelId: c.channel_id };
  try {
    await JwtTokenValidation.authenticateRequest(activity, c.authorization || "", new SimpleCredentialProvider(APP_ID, ""), "");
    return true;
  } catch (e) {
    return false;
  }
}

(async () => {
  const server = await serve();
  const metadata_url = `http://127.0.0.1:${server.address().port}/v1/.well-known/openidconfiguration`;
  ChannelValidation.OpenIdMetadataEndpoint = metadata_url;
  const out = [];
  for (const c of cases()) out.push({ ...c, oracle: await oracle(c) });
  process.stdout.write(JSON.stringify({ metadata_url, app_id: APP_ID, cases: out }) + "\n");
  process.stdin.resume();
  process.stdin.on("end", () => { server.close(); process.exit(0); });
})().catch((e) => { console.error(e); process.exit(2); });
