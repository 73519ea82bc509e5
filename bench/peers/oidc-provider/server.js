// Benchmark peer (issue 11): panva/oidc-provider (pinned in package.json) configured the way its documentation
// describes, with its default in-memory adapter. Started and stopped by bench/run.sh.
//
//   node server.js PORT CLIENT_ID CLIENT_SECRET
//
// - one confidential client, client_secret_basic, grant client_credentials;
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
  }],
  jwks: { keys: [jwk] },
  scopes: ['api'],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async (ctx, client, oneOf) => oneOf ?? 'urn:bench:jwt',
      useGrantedResource: async () => true,
      getResourceServerInfo: async (ctx, resourceIndicator) => {
        const info = resourceServers[resourceIndicator];
        if (!info) throw new Provider.errors.InvalidTarget();
        return info;
      },
    },
  },
});

const server = provider.listen(Number(port), '127.0.0.1', () => {
  console.log(`oidc-provider listening on http://127.0.0.1:${port}`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
