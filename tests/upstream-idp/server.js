// A real upstream OpenID Connect provider for the tests of sign-in through another provider (Features/Upstream):
// panva/oidc-provider with its development login form, on loopback.
//
//   node server.js PORT CLIENT_ID CLIENT_SECRET REDIRECT_PREFIX [MODE]
//
// - one confidential client; any redirect URI under REDIRECT_PREFIX (the server under test has one per connection);
// - the login form's "login" field is the account's subject; its email is set with GET /test/account?sub=…&email=…
//   (else the subject is the email); an email containing "unverified" has email_verified false;
// - no consent step (the grant is given at once); "[ Cancel ]" on the login form answers access_denied;
// - MODE "wrong-key": the published JWKS holds another key than the one that signs ID tokens;
//   MODE "no-par": pushed authorization requests are off.
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const [port, clientId, clientSecret, redirectPrefix, mode] = process.argv.slice(2);
if (!port || !clientId || !clientSecret || !redirectPrefix) {
  console.error('usage: node server.js PORT CLIENT_ID CLIENT_SECRET REDIRECT_PREFIX [MODE]');
  process.exit(2);
}

const rsaJwk = (kid) => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), use: 'sig', alg: 'RS256', kid };
};
const signing = rsaJwk('upstream-rs256');
const other = rsaJwk('upstream-rs256');

// The email of each subject, set by the test (GET /test/account?sub=…&email=…) so it can change between sign-ins.
const emails = new Map();
const account = (subject) => ({
  accountId: subject,
  async claims() {
    const email = emails.get(subject) ?? subject;
    return { sub: subject, email, email_verified: !email.includes('unverified'), name: email.split('@')[0] };
  },
});

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    redirect_uris: [`${redirectPrefix}placeholder`],
  }],
  jwks: { keys: [signing] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  pkce: { required: () => true },
  findAccount: async (ctx, id) => account(id),
  // No consent page: the test's person always agrees.
  loadExistingGrant: async (ctx) => {
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope(ctx.oidc.requestParamScopes ? [...ctx.oidc.requestParamScopes].join(' ') : 'openid email profile');
    grant.addOIDCClaims(['email', 'email_verified', 'name']);
    await grant.save();
    return grant;
  },
  // MODE "no-par": no pushed authorization requests, so a wrong client secret is first seen at the token endpoint.
  features: { devInteractions: { enabled: true }, pushedAuthorizationRequests: { enabled: mode !== 'no-par' } },
});
provider.proxy = false;

// The server under test has one redirect URI per connection; this client accepts any of them.
provider.Client.prototype.redirectUriAllowed = function redirectUriAllowed(uri) {
  return typeof uri === 'string' && uri.startsWith(redirectPrefix);
};

provider.use(async (ctx, next) => {
  if (ctx.path === '/test/account') {
    emails.set(String(ctx.query.sub), String(ctx.query.email));
    ctx.status = 204;
    return;
  }
  await next();
});

if (mode === 'wrong-key') {
  const { d, p, q, dp, dq, qi, ...publicPart } = other;
  provider.use(async (ctx, next) => {
    if (ctx.path === '/jwks') {
      ctx.type = 'application/json';
      ctx.body = { keys: [publicPart] };
      return;
    }
    await next();
  });
}

// What went wrong at the provider, for the test's failure message.
provider.on('server_error', (ctx, error) => console.error('server_error', error));
provider.on('authorization.error', (ctx, error) => console.error('authorization.error', error.message, error.error_description ?? ''));
provider.on('grant.error', (ctx, error) => console.error('grant.error', error.message, error.error_description ?? ''));

const server = provider.listen(Number(port), '127.0.0.1', () => {
  console.log(`upstream-idp listening on http://127.0.0.1:${port} (${mode ?? 'normal'})`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
