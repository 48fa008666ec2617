// A real OpenID Connect provider on loopback for Égide's tests (node-oidc-provider, certified).
// Accounts come from OIDC_ACCOUNTS (JSON: {login: {"acr": "...", "claims": {...}}}); the login
// page is a plain form (GET /interaction/:uid), answered by a person or by a test.
import http from "node:http";
import Provider from "oidc-provider";

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const accounts = JSON.parse(process.env.OIDC_ACCOUNTS || "{}");

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: process.env.CLIENT_ID || "egide",
      client_secret: process.env.CLIENT_SECRET,
      redirect_uris: process.env.REDIRECT_URIS.split(" "),
      response_types: ["code"],
      grant_types: ["authorization_code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
  ],
  pkce: { required: () => true },
  acrValues: ["eidas1", "eidas2"],
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["preferred_username", "name"] },
  features: { devInteractions: { enabled: false } },
  cookies: { keys: ["egide-tests-only"] },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, sub) {
    if (!accounts[sub]) return undefined;
    return { accountId: sub, async claims() { return { sub, ...accounts[sub].claims }; } };
  },
});
provider.proxy = false;

function page(uid, message) {
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Fournisseur d'identité de test</title></head>
<body><main><h1>Fournisseur d'identité de test</h1>${message ? `<p id="erreur">${message}</p>` : ""}
<form method="post" action="/interaction/${uid}"><label for="login">Identifiant</label>
<input id="login" name="login" autocomplete="username"><button type="submit" id="valider">Se connecter</button></form></main></body></html>`;
}

async function body(req) {
  let data = "";
  for await (const chunk of req) data += chunk;
  return new URLSearchParams(data);
}

provider.use(async (ctx, next) => {
  const match = ctx.path.match(/^\/interaction\/([^/]+)$/);
  if (!match) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (ctx.method === "GET") {
    ctx.type = "html";
    ctx.body = page(details.uid, "");
    return undefined;
  }
  const login = (await body(ctx.req)).get("login") || "";
  const account = accounts[login];
  if (!account) {
    ctx.type = "html";
    ctx.body = page(details.uid, "Identifiant inconnu");
    return undefined;
  }
  const grant = new provider.Grant({ accountId: login, clientId: details.params.client_id });
  grant.addOIDCScope(details.params.scope);
  const grantId = await grant.save();
  return provider.interactionFinished(ctx.req, ctx.res, {
    login: { accountId: login, acr: account.acr, amr: account.acr === "eidas1" ? ["pwd"] : ["pwd", "otp"] },
    consent: { grantId },
  }, { mergeWithLastSubmission: false });
});

http.createServer(provider.callback()).listen(port, "127.0.0.1", () => {
  process.stdout.write(`ready ${issuer}\n`);
});
