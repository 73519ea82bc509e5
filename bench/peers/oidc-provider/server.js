// Benchmark peer (issue 11): panva/oidc-provider (pinned in package.json) configured the way its documentation
// describes, with its default in-memory adapter. Started and stopped by bench/run.sh.
//
//   node server.js PORT CLIENT_ID CLIENT_SECRET
//
// - one confidential client, client_secret_basic, grant client_credentials;
// - a second confidential client, CLIENT_ID-code, for the stateful flows (issue 24): authorization code with PKCE,
//   refresh tokens rotated on every use (rotateRefreshToken: true, as ours and OpenIddict rotate), opaque access
//   tokens for /me. Its users have no login form to drive, so the interaction is the small custom one the
//   provider's documentation describes for embedding it: /interaction/:uid signs the bench user in and grants the
//   requested scopes at once (bench/peers/code_flow.py walks it);
// - features.clientCredentials and features.introspection enabled;
// - features.resourceIndicators: resource `urn:bench:jwt` gets RS256 JWT access tokens (accessTokenFormat 'jwt'),
//   resource `urn:bench:opaque` gets opaque access tokens (stored in the adapter, so they can be introspected);
// - an RSA 2048 signing key generated at start (RS256, the provider's default ID token algorithm).
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const [port, clientId, clientSecret] = process.argv.slice(2);
if (!port || !clientId || !clientSecret) {
  console.error('usage: node server.js PORT CLIENT_ID CLIENT_SECRET');
  process.exit(2);
}

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), use: 'sig', alg: 'RS256', kid: 'bench-rs256' };

const codeClientId = `${clientId}-code`;
const benchAccount = 'bench-user';

const resourceServers = {
  'urn:bench:jwt': { audience: 'urn:bench:jwt', scope: 'api', accessTokenTTL: 3600, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } },
  'urn:bench:opaque': { audience: 'urn:bench:opaque', scope: 'api', accessTokenTTL: 7200, accessTokenFormat: 'opaque' },
};

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    scope: 'api',
  }, {
    client_id: codeClientId,
    client_secret: clientSecret,
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: ['https://app.example.com/callback'],
  }],
  // The bench user's claims, as an account store would return them (no database lookup in this peer).
  findAccount: async (ctx, id) => ({
    accountId: id,
    claims: async () => ({ sub: id, email: `${id}@bench.example.com`, email_verified: true }),
  }),
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  rotateRefreshToken: () => true,
  // Lifetimes set (the provider warns about its defaults); access tokens live 15 minutes as ours do.
  ttl: { AccessToken: 900, IdToken: 900, RefreshToken: 14 * 86400, Grant: 14 * 86400, Session: 14 * 86400, Interaction: 600, ClientCredentials: 600 },
  issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
  jwks: { keys: [jwk] },
  scopes: ['api'],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    resourceIndicators: {
      enabled: true,
      // The code client's access tokens are for /me (no resource), the other client's for the JWT resource.
      defaultResource: async (ctx, client, oneOf) => oneOf ?? (client.clientId === codeClientId ? undefined : 'urn:bench:jwt'),
      useGrantedResource: async () => true,
      getResourceServerInfo: async (ctx, resourceIndicator) => {
        const info = resourceServers[resourceIndicator];
        if (!info) throw new Provider.errors.InvalidTarget();
        return info;
      },
    },
  },
});

// The interaction: sign the bench user in and grant what the client asked for, in one step.
provider.use(async (ctx, next) => {
  const match = /^\/interaction\/([\w-]+)$/.exec(ctx.path);
  if (!match || ctx.method !== 'GET') return next();
  const { params } = await provider.interactionDetails(ctx.req, ctx.res);
  const grant = new provider.Grant({ accountId: benchAccount, clientId: params.client_id });
  grant.addOIDCScope(params.scope);
  const grantId = await grant.save();
  const redirectTo = await provider.interactionResult(ctx.req, ctx.res,
    { login: { accountId: benchAccount }, consent: { grantId } }, { mergeWithLastSubmission: false });
  ctx.status = 303;
  ctx.redirect(redirectTo);
});

const server = provider.listen(Number(port), '127.0.0.1', () => {
  console.log(`oidc-provider listening on http://127.0.0.1:${port}`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
