/**
 * Certificates of the TLS tests, made by openssl: a self-signed RSA certificate for `CN=localhost`, valid two
 * days, with its key, in a temporary folder of its own.
 *
 * @example
 * ```ts
 * const certificate = selfSignedCertificate("rill-web-tls-");
 * try {
 *   // … serve with certificate.key and certificate.cert …
 * } finally {
 *   rmSync(certificate.dir, { recursive: true, force: true });
 * }
 * ```
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Why certificates cannot be made here (no `openssl` on the PATH), or `undefined` when they can. */
export const OPENSSL_SKIP: string | undefined = spawnSync("openssl", ["version"]).status === 0
  ? undefined
  : "openssl is not installed (needed to make a self-signed certificate)";

/** A key and a certificate in PEM files, inside `dir`, which the caller removes. */
export interface SelfSigned {
  readonly dir: string;
  /** Path of the private key. */
  readonly key: string;
  /** Path of the certificate. */
  readonly cert: string;
}

/** Makes a self-signed certificate for localhost in a new folder named `prefix` + random under the temp dir. */
export function selfSignedCertificate(prefix: string): SelfSigned {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const key = join(dir, "key.pem");
  const cert = join(dir, "cert.pem");
  const made = spawnSync("openssl", [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    key,
    "-out",
    cert,
    "-days",
    "2",
    "-subj",
    "/CN=localhost",
  ], { encoding: "utf8" });
  if (made.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`openssl req failed: ${made.error?.message ?? made.stderr}`);
  }
  return { dir, key, cert };
}
