// The real @clerk/backend against clerk-emulator: create a user, list and filter, update
// metadata, an organization and a membership, a session and its token, then verifyToken with
// the emulator's JWKS (fetched by @clerk/backend itself) and with its PEM key.
// Usage: node emulator-scenario.mjs <emulator url> <secret key>
import { createClerkClient, verifyToken } from '@clerk/backend';
import assert from 'node:assert/strict';

const [url, secretKey] = process.argv.slice(2);
if (!url || !secretKey) {
  console.error('usage: node emulator-scenario.mjs <url> <secret key>');
  process.exit(2);
}
const clerk = createClerkClient({ secretKey, apiUrl: url });

const email = `js-${Date.now()}@example.com`;
const user = await clerk.users.createUser({
  emailAddress: [email],
  firstName: 'Ada',
  lastName: 'Lovelace',
  publicMetadata: { plan: 'free' },
});
assert.match(user.id, /^user_/);
assert.equal(user.primaryEmailAddress?.emailAddress, email);

const list = await clerk.users.getUserList({ emailAddress: [email] });
assert.equal(list.totalCount, 1);
assert.equal(list.data[0].id, user.id);
const none = await clerk.users.getUserList({ query: 'no-such-user-anywhere' });
assert.equal(none.data.length, 0);
assert.equal(await clerk.users.getCount({ emailAddress: [email] }), 1);

const updated = await clerk.users.updateUserMetadata(user.id, { publicMetadata: { plan: 'pro', seats: 3 } });
assert.deepEqual(updated.publicMetadata, { plan: 'pro', seats: 3 });

const org = await clerk.organizations.createOrganization({ name: 'Analytical Engines', createdBy: user.id });
assert.match(org.id, /^org_/);
const other = await clerk.users.createUser({ emailAddress: [`member-${email}`] });
const membership = await clerk.organizations.createOrganizationMembership({
  organizationId: org.id,
  userId: other.id,
  role: 'org:member',
});
assert.equal(membership.role, 'org:member');
const members = await clerk.organizations.getOrganizationMembershipList({ organizationId: org.id });
assert.equal(members.totalCount, 2);

const session = await clerk.sessions.createSession({ userId: user.id, activeOrganizationId: org.id });
assert.equal(session.status, 'active');
const token = await clerk.sessions.getToken(session.id);
const jwt = typeof token === 'string' ? token : token.jwt;

// verifyToken fetches <apiUrl>/v1/jwks with the secret key, then checks the RS256 signature.
const claims = await verifyToken(jwt, { secretKey, apiUrl: url });
assert.equal(claims.sub, user.id);
assert.equal(claims.sid, session.id);
assert.equal(claims.o?.id, org.id);
const jwks = await clerk.jwks.getJwks();
assert.equal(jwks.keys[0].kty, 'RSA');

// Errors decode as Clerk's.
try {
  await clerk.users.createUser({ emailAddress: [email] });
  assert.fail('duplicate email accepted');
} catch (e) {
  assert.equal(e.errors?.[0]?.code, 'form_identifier_exists');
  assert.ok(e.clerkTraceId, 'clerk_trace_id');
}
console.log(`@clerk/backend scenario passed against ${url} (user ${user.id}, org ${org.id})`);
