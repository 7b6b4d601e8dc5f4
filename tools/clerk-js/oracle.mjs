// The differential oracle: verifies a corpus of session tokens and webhook deliveries with the
// real @clerk/backend (pinned in package-lock.json) under a frozen clock, and prints one
// outcome per case as JSON. The Rust test `tests/it/auth_oracle.rs` writes the corpus and
// compares these outcomes with ours.
//
//   node tools/clerk-js/oracle.mjs corpus.json > outcomes.json
//
// Corpus: { now_ms, publishable_key, cases: [case] } where a case is
//   { id, kind: "verify" | "authenticate", token, keys: { pem } | { jwks }, options }
//   { id, kind: "webhook", secret, headers: [[name, value]], body_b64 }
// Outcome: { id, ok, reason, auth, event_type, error }
//   auth (tokens, when ok): { userId, sessionId, orgId, orgRole, orgSlug, orgPermissions },
//   normalised the same way on both sides: an empty or missing org id means no organization,
//   whose role, slug and permissions are then null/[] (they grant nothing without an id).
import { readFileSync } from "node:fs";

const corpus = JSON.parse(readFileSync(process.argv[2], "utf8"));

// stdout carries the outcomes only: the library's own logging goes to stderr.
for (const level of ["log", "info", "warn", "debug"]) console[level] = console.error;

// Frozen clock, installed before @clerk/backend loads.
Date.now = () => corpus.now_ms;

// `GET /jwks` answers with the current case's key set; nothing reaches the network.
let currentJwks = { keys: [] };
globalThis.fetch = async (url) => {
  if (String(url).endsWith("/jwks")) {
    return new Response(JSON.stringify(currentJwks), {
      status: 200,
      headers: { "content-type": "application/json" },
    });
  }
  return new Response(JSON.stringify({ errors: [{ code: "oracle", message: "offline" }] }), {
    status: 500,
  });
};

const { verifyToken, createClerkClient } = await import("@clerk/backend");
const { verifyWebhook } = await import("@clerk/backend/webhooks");
const { __experimental_JWTPayloadToAuthObjectProperties: toAuthProps } = await import(
  "@clerk/shared/jwtPayloadParser"
);

function normAuth(a) {
  const orgId = a.orgId || null;
  return {
    userId: a.userId ?? null,
    sessionId: a.sessionId ?? null,
    orgId,
    orgRole: orgId ? a.orgRole || null : null,
    orgSlug: orgId ? a.orgSlug || null : null,
    orgPermissions: orgId ? (Array.isArray(a.orgPermissions) ? a.orgPermissions : []) : [],
  };
}

function keyOptions(c) {
  if (c.keys.pem !== undefined) return { jwtKey: c.keys.pem };
  currentJwks = c.keys.jwks;
  // @clerk/backend merges every fetched key set into one cache per secret key: a key per
  // case keeps the cases apart.
  return { secretKey: `sk_test_oracle_${c.id}`, skipJwksCache: true };
}

function errorOutcome(id, e) {
  return {
    id,
    ok: false,
    reason: e?.reason ?? null,
    auth: null,
    error: `${e?.name ?? "Error"}: ${e?.message ?? e}`.slice(0, 300),
  };
}

async function runVerify(c) {
  let payload;
  try {
    payload = await verifyToken(c.token, { ...c.options, ...keyOptions(c) });
  } catch (e) {
    return errorOutcome(c.id, e);
  }
  try {
    return { id: c.id, ok: true, reason: null, auth: normAuth(toAuthProps(payload)) };
  } catch (e) {
    // Verified, but building the auth object throws (e.g. a malformed `fea`).
    return { ...errorOutcome(c.id, e), reason: "auth-object-threw" };
  }
}

async function runAuthenticate(c) {
  const keys = keyOptions(c);
  const clerk = createClerkClient({
    secretKey: keys.secretKey ?? "sk_test_oracle",
    publishableKey: corpus.publishable_key,
    ...keys,
  });
  const request = new Request("https://app.example.com/", {
    headers: { authorization: `Bearer ${c.token}` },
  });
  let state;
  try {
    state = await clerk.authenticateRequest(request, { ...c.options, ...keys });
  } catch (e) {
    return { ...errorOutcome(c.id, e), reason: "authenticate-threw" };
  }
  if (!state.isAuthenticated) {
    return { id: c.id, ok: false, reason: state.reason ?? null, auth: null, error: state.message ?? null };
  }
  try {
    return { id: c.id, ok: true, reason: null, auth: normAuth(state.toAuth()) };
  } catch (e) {
    return { ...errorOutcome(c.id, e), reason: "auth-object-threw" };
  }
}

async function runWebhook(c) {
  const request = new Request("https://app.example.com/webhooks", {
    method: "POST",
    headers: c.headers,
    body: Buffer.from(c.body_b64, "base64"),
  });
  try {
    const event = await verifyWebhook(request, { signingSecret: c.secret });
    return { id: c.id, ok: true, reason: null, event_type: event?.type ?? null };
  } catch (e) {
    return errorOutcome(c.id, e);
  }
}

const results = [];
for (const c of corpus.cases) {
  if (c.kind === "verify") results.push(await runVerify(c));
  else if (c.kind === "authenticate") results.push(await runAuthenticate(c));
  else if (c.kind === "webhook") results.push(await runWebhook(c));
  else results.push({ id: c.id, ok: false, reason: "oracle-unknown-kind" });
}
const { version } = JSON.parse(
  readFileSync(new URL("./node_modules/@clerk/backend/package.json", import.meta.url), "utf8"),
);
// Lone surrogates (a hostile claim) become U+FFFD so that the output is valid UTF-8 JSON.
const wellFormed = (_k, v) => (typeof v === "string" ? v.toWellFormed() : v);
process.stdout.write(JSON.stringify({ version, results }, wellFormed));
