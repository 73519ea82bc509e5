// Usage: node decrypt.mjs <token> <secret> <audience>
// Exactly what CentralAuth's client does with the token: jwtDecrypt(token, new TextEncoder().encode(secret)).
// Prints the payload as JSON; exits 1 with the error when jose refuses the token.
import { jwtDecrypt } from "jose";

const [token, secret, audience] = process.argv.slice(2);
try {
  const { payload, protectedHeader } = await jwtDecrypt(token, new TextEncoder().encode(secret), { audience });
  console.log(JSON.stringify({ header: protectedHeader, payload }));
} catch (error) {
  console.error(`${error.code ?? "ERR"}: ${error.message}`);
  process.exit(1);
}
