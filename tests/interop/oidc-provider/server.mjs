// Loopback OpenID Provider (panva/oidc-provider) used as an interoperability peer by the
// upbond-core tests. Usage: `node server.mjs [port] [--watch-stdin]` (port also from PORT;
// 0 or nothing = a free port; --watch-stdin = exit when stdin reaches end of file).
// Prints exactly one stdout line, `issuer: http://127.0.0.1:PORT`, once it accepts requests.
// Test-only hooks (loopback callers only) finish user interactions headlessly for `interop-user`:
//   POST /_test/authorize {"url": "<authorization URL>", "deny"?: bool} -> {"redirect_url": "..."}
//   POST /_test/device    {"user_code": "...", "deny"?: bool}           -> {"status": "approved"|"denied"}
//   POST /_test/logout    {"url": "<end_session URL>"}                -> {"redirect_url": "..."|null}
// Interaction pages (/interaction/:uid) approve automatically; /interaction/:uid/abort denies.
import { createServer } from 'node:http';
import { generateKeyPairSync, randomBytes } from 'node:crypto';

import Provider from 'oidc-provider';

const HOST = '127.0.0.1';
const ACCOUNT_ID = 'interop-user';
const API_RESOURCE = 'urn:upbond:interop:api';
const API_SCOPE = 'api:read';
const MAX_HOPS = 20;

const ACCOUNT_CLAIMS = {
  sub: ACCOUNT_ID,
  email: 'interop-user@example.com',
  email_verified: true,
  name: 'Interop User',
};

/** Signing keys are fresh on every start: RS256 (default) first, then ES256. */
function signingKeys() {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  return [
    { ...rsa.export({ format: 'jwk' }), kid: 'interop-rs256', alg: 'RS256', use: 'sig' },
    { ...ec.export({ format: 'jwk' }), kid: 'interop-es256', alg: 'ES256', use: 'sig' },
  ];
}

const nativeApp = {
  application_type: 'native',
  token_endpoint_auth_method: 'none',
  grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
  response_types: ['code'],
  redirect_uris: ['http://127.0.0.1/callback', 'com.upbond.interop:/callback'],
  post_logout_redirect_uris: ['http://127.0.0.1/logout', 'com.upbond.interop:/logout'],
};

const clients = [
  { client_id: 'interop-app', ...nativeApp },
  // Same app, ID tokens signed with ES256 instead of the default RS256.
  { client_id: 'interop-app-es256', ...nativeApp, id_token_signed_response_alg: 'ES256' },
  {
    client_id: 'interop-service',
    client_secret: 'interop-service-secret',
    // oidc-provider accepts client_secret_post as well for a client registered with basic.
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    scope: API_SCOPE,
  },
];

function configuration() {
  return {
    clients,
    jwks: { keys: signingKeys() },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name'],
    },
    scopes: ['openid', 'offline_access', 'email', 'profile', API_SCOPE],
    findAccount(ctx, sub) {
      if (sub !== ACCOUNT_ID) return undefined;
      return { accountId: ACCOUNT_ID, claims: () => ({ ...ACCOUNT_CLAIMS }) };
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    pkce: { required: () => true },
    // Errors that cannot go back to a redirect_uri are answered as JSON instead of HTML.
    renderError(ctx, out) {
      ctx.type = 'json';
      ctx.body = out;
    },
    rotateRefreshToken: true,
    // Refresh tokens only for offline_access (the provider drops offline_access from an
    // authorization request unless it also carries prompt=consent).
    issueRefreshToken: async (ctx, client, source) => client.grantTypeAllowed('refresh_token')
      && source.scopes.has('offline_access'),
    features: {
      devInteractions: { enabled: false },
      deviceFlow: { enabled: true },
      revocation: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      userinfo: { enabled: true },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // Only client_credentials falls back to the API resource; user flows keep
        // userinfo-capable opaque access tokens unless a `resource` is requested.
        defaultResource: (ctx) => (ctx.oidc.params?.grant_type === 'client_credentials'
          ? API_RESOURCE : undefined),
        useGrantedResource: () => false,
        getResourceServerInfo: () => ({
          scope: API_SCOPE,
          audience: API_RESOURCE,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
  };
}

const isLoopback = (ip) => ip === '127.0.0.1' || ip === '::1' || ip === '::ffff:127.0.0.1';

/** Minimal per-request cookie jar: one browser session for one hook call. */
class CookieJar {
  #cookies = new Map();

  store(response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)
        || (/^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]) <= Date.now()));
      if (expired) this.#cookies.delete(name);
      else this.#cookies.set(name, pair.slice(eq + 1).trim());
    }
  }

  header() {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** A headless browser step: one request without following redirects. */
async function browse(jar, url, form) {
  const init = { redirect: 'manual', headers: { cookie: jar.header() } };
  if (form) {
    init.method = 'POST';
    init.body = new URLSearchParams(form);
  }
  const response = await fetch(url, init);
  jar.store(response);
  return response;
}

class HookError extends Error {
  constructor(error, detail, status = 400) {
    super(detail);
    this.body = { error, detail };
    this.status = status;
  }
}

async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  try {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    if (body && typeof body === 'object' && !Array.isArray(body)) return body;
  } catch {
    // fall through to the error below
  }
  throw new HookError('invalid_request', 'the body must be a JSON object');
}

/** Error for a provider answer the hook did not expect; carries the provider's page. */
async function unexpected(response) {
  const text = await response.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = text.replace(/<style[^]*?<\/style>|<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 300);
  }
  const err = new HookError('unexpected_response', `provider answered HTTP ${response.status}`);
  Object.assign(err.body, { status: response.status, provider_response: body });
  return err;
}

/**
 * Follows provider redirects (interactions approve or deny on their own) until the provider
 * either redirects off its own origin (returned as `{ leftTo }`) or answers a page (`{ page }`).
 */
async function followProvider(jar, origin, start, { deny, form } = {}) {
  let url = start;
  let body = form;
  for (let hop = 0; hop < MAX_HOPS; hop += 1) {
    const response = await browse(jar, url, body);
    body = undefined;
    if (response.status < 300 || response.status >= 400) return { page: response };
    const location = new URL(response.headers.get('location'), url);
    if (location.origin !== origin) return { leftTo: location.href };
    if (deny && /^\/interaction\/[^/]+$/.test(location.pathname)) location.pathname += '/abort';
    url = location.href;
  }
  throw new HookError('too_many_redirects', `more than ${MAX_HOPS} redirects`);
}

const decodeHtml = (value) => value.replace(/&quot;/g, '"').replace(/&#39;/g, "'")
  .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The first form on a provider page: its absolute action and hidden fields. */
function formOf(html, base) {
  const action = /<form\b[^>]*\baction="([^"]*)"/.exec(html)?.[1];
  if (action === undefined) return undefined;
  const fields = {};
  for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/>/g)) {
    fields[name] = decodeHtml(value);
  }
  return { action: new URL(decodeHtml(action), base).href, fields };
}

function requireProviderUrl(origin, url) {
  if (typeof url !== 'string' || URL.parse(url)?.origin !== origin) {
    throw new HookError('invalid_request', `"url" must be a URL on ${origin}`);
  }
}

async function hookAuthorize(origin, { url, deny }) {
  requireProviderUrl(origin, url);
  const outcome = await followProvider(new CookieJar(), origin, url, { deny });
  if (outcome.page) throw await unexpected(outcome.page);
  return { redirect_url: outcome.leftTo };
}

async function hookDevice(origin, { user_code: userCode, deny }) {
  if (typeof userCode !== 'string' || !userCode) {
    throw new HookError('invalid_request', '"user_code" must be a non-empty string');
  }
  const jar = new CookieJar();
  const verificationUri = `${origin}/device`;
  const input = formOf(await (await browse(jar, verificationUri)).text(), verificationUri);
  if (!input) throw new HookError('unexpected_response', 'no form on the user code page');
  const confirmPage = await browse(jar, input.action, { ...input.fields, user_code: userCode });
  const confirmHtml = await confirmPage.text();
  const confirm = confirmHtml.includes('op.deviceConfirmForm') && formOf(confirmHtml, input.action);
  if (!confirm) throw new HookError('invalid_user_code', 'the provider rejected the user code');
  const form = { ...confirm.fields };
  if (deny) {
    delete form.confirm;
    form.abort = 'yes';
  }
  const outcome = await followProvider(jar, origin, confirm.action, { form });
  if (outcome.leftTo) throw new HookError('unexpected_response', `redirected to ${outcome.leftTo}`);
  // The provider's default pages: a success page, or the input page again after an abort.
  const html = await outcome.page.text();
  const expected = deny ? 'The Sign-in request was interrupted' : 'Sign-in Success';
  if (outcome.page.status !== 200 || !html.includes(expected)) {
    throw new HookError('unexpected_response', `provider answered HTTP ${outcome.page.status}`);
  }
  return { status: deny ? 'denied' : 'approved' };
}

async function hookLogout(origin, { url }) {
  requireProviderUrl(origin, url);
  const jar = new CookieJar();
  const first = await browse(jar, url);
  if (first.status !== 200) throw await unexpected(first);
  const form = formOf(await first.text(), url);
  if (!form) throw new HookError('unexpected_response', 'no form on the logout page');
  const outcome = await followProvider(jar, origin, form.action, { form: { ...form.fields, logout: 'yes' } });
  if (outcome.leftTo) return { redirect_url: outcome.leftTo };
  if (outcome.page.status === 200) return { redirect_url: null };
  throw await unexpected(outcome.page);
}

/** Approves the pending login or consent prompt for interop-user. */
async function approve(provider, ctx) {
  const { prompt, params, session, grantId } = await provider.interactionDetails(ctx.req, ctx.res);
  if (prompt.name === 'login') return { login: { accountId: ACCOUNT_ID } };
  if (prompt.name !== 'consent') throw new HookError('unsupported_prompt', prompt.name);
  const grant = grantId
    ? await provider.Grant.find(grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = prompt.details;
  if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
  if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  return { consent: { grantId: await grant.save() } };
}

function testRoutes(provider, origin) {
  return async (ctx, next) => {
    const interaction = /^\/interaction\/([^/]+)(\/abort)?$/.exec(ctx.path);
    if (ctx.method === 'GET' && interaction) {
      const result = interaction[2]
        ? { error: 'access_denied', error_description: 'interop-user denied the request' }
        : await approve(provider, ctx);
      const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, {
        mergeWithLastSubmission: false,
      });
      ctx.status = 303;
      ctx.redirect(returnTo);
      return;
    }
    const hook = {
      '/_test/authorize': hookAuthorize,
      '/_test/device': hookDevice,
      '/_test/logout': hookLogout,
    }[ctx.path];
    if (!hook) {
      await next();
      return;
    }
    if (!isLoopback(ctx.req.socket.remoteAddress)) ctx.throw(403);
    if (ctx.method !== 'POST') ctx.throw(405);
    try {
      ctx.body = await hook(origin, await readJson(ctx.req));
    } catch (err) {
      if (!(err instanceof HookError)) throw err;
      ctx.status = err.status;
      ctx.body = err.body;
    }
  };
}

async function main() {
  const args = process.argv.slice(2);
  const port = args.find((arg) => !arg.startsWith('--')) ?? process.env.PORT ?? '0';
  const requested = Number(port);
  if (!Number.isInteger(requested) || requested < 0 || requested > 65535) {
    throw new Error(`invalid port ${port}`);
  }
  if (args.includes('--watch-stdin')) {
    // Dies with the parent: a test that spawns us with a piped stdin never leaks a server.
    process.stdin.on('end', () => process.exit(0)).resume();
  }
  const server = createServer();
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(requested, HOST, resolve);
  });
  const origin = `http://${HOST}:${server.address().port}`;
  const provider = new Provider(origin, configuration());
  provider.on('server_error', (ctx, err) => console.error('server_error', err));
  provider.use(testRoutes(provider, origin));
  server.on('request', provider.callback());
  process.stdout.write(`issuer: ${origin}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
