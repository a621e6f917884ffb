import { randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { AppError } from '../core/errors';

export interface Tls {
  readonly key: string;
  readonly cert: string;
  /** SHA-256 of the certificate, as browsers show it ("AB:CD:..."): what people compare before trusting it. */
  readonly fingerprint: string;
  /** True when this start created the self-signed certificate. */
  readonly created: boolean;
  readonly certFile: string;
}

function pem(der: ArrayBuffer, label: string): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.replace(/(.{64})/g, '$1\n').trimEnd()}\n-----END ${label}-----\n`;
}

function ipBytes(ip: string): ArrayBuffer {
  if (isIP(ip) === 4) return new Uint8Array(ip.split('.').map(Number)).buffer;
  // IPv6: expand "::" and write eight 16-bit groups.
  const [head, tail = ''] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  return out.buffer;
}

/**
 * A self-signed certificate (ECDSA P-256, SHA-256, valid 825 days) for `names` (host names and IP addresses), made
 * with pkijs on Node's WebCrypto: no openssl needed, which an air-gapped Windows or macOS machine does not have.
 */
export async function selfSignedCertificate(
  names: readonly string[],
): Promise<{ key: string; cert: string }> {
  const crypto = new pkijs.CryptoEngine({
    name: 'node',
    crypto: webcrypto as unknown as ConstructorParameters<typeof pkijs.CryptoEngine>[0]['crypto'],
  });
  const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const cert = new pkijs.Certificate();
  cert.version = 2;
  const serial = randomBytes(16);
  // Positive and minimal in DER: a first byte of 0x00 followed by one below 0x80 is "illegal padding" to OpenSSL.
  serial[0] = (serial[0] & 0x3f) | 0x40;
  cert.serialNumber = new asn1js.Integer({ valueHex: serial });
  const cn = (): pkijs.AttributeTypeAndValue =>
    new pkijs.AttributeTypeAndValue({
      type: '2.5.4.3',
      value: new asn1js.Utf8String({ value: `Distillery (${names[0] ?? 'localhost'})` }),
    });
  cert.subject.typesAndValues.push(cn());
  cert.issuer.typesAndValues.push(cn());
  const now = Date.now();
  cert.notBefore.value = new Date(now - 24 * 3600 * 1000);
  cert.notAfter.value = new Date(now + 825 * 24 * 3600 * 1000);
  const altNames = new pkijs.GeneralNames({
    names: names.map((n) =>
      isIP(n)
        ? new pkijs.GeneralName({ type: 7, value: new asn1js.OctetString({ valueHex: ipBytes(n) }) })
        : new pkijs.GeneralName({ type: 2, value: n }),
    ),
  });
  const basic = new pkijs.BasicConstraints({ cA: false });
  const serverAuth = new pkijs.ExtKeyUsage({ keyPurposes: ['1.3.6.1.5.5.7.3.1'] });
  cert.extensions = [
    new pkijs.Extension({
      extnID: '2.5.29.17',
      critical: false,
      extnValue: altNames.toSchema().toBER(false),
      parsedValue: altNames,
    }),
    new pkijs.Extension({
      extnID: '2.5.29.19',
      critical: true,
      extnValue: basic.toSchema().toBER(false),
      parsedValue: basic,
    }),
    new pkijs.Extension({
      extnID: '2.5.29.37',
      critical: false,
      extnValue: serverAuth.toSchema().toBER(false),
      parsedValue: serverAuth,
    }),
  ];
  await cert.subjectPublicKeyInfo.importKey(keys.publicKey, crypto);
  await cert.sign(keys.privateKey, 'SHA-256', crypto);
  const der = cert.toSchema(true).toBER(false);
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { cert: pem(der, 'CERTIFICATE'), key: pem(pkcs8, 'PRIVATE KEY') };
}

function fingerprintOf(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256;
}

/**
 * The certificate to serve: the administrator's own (`certFile` + `keyFile`), or the self-signed one kept in
 * `<data>/tls/`, created on the first start for `names`. A certificate that cannot be read or does not match its
 * key is refused with what to do.
 */
export async function loadOrCreateTls(opts: {
  readonly dataDir: string;
  readonly certFile?: string;
  readonly keyFile?: string;
  readonly names: readonly string[];
}): Promise<Tls> {
  if (opts.certFile || opts.keyFile) {
    if (!opts.certFile || !opts.keyFile) {
      throw AppError.keyed('INVALID_INPUT', 'server.giveBothCertFile', {});
    }
    let cert: string;
    let key: string;
    try {
      cert = readFileSync(opts.certFile, 'utf8');
      key = readFileSync(opts.keyFile, 'utf8');
    } catch (e) {
      throw AppError.keyed('BAD_FILE', 'server.cannotReadCertificateKey', { p1: (e as Error).message });
    }
    let x509: X509Certificate;
    try {
      x509 = new X509Certificate(cert);
    } catch {
      throw AppError.keyed('BAD_FILE', 'server.pemCertificate', { certFile: opts.certFile });
    }
    const { createPrivateKey } = await import('node:crypto');
    let matches = false;
    try {
      matches = x509.checkPrivateKey(createPrivateKey(key));
    } catch {
      throw AppError.keyed('BAD_FILE', 'server.pemPrivateKeyEncrypted', { keyFile: opts.keyFile });
    }
    if (!matches)
      throw AppError.keyed('BAD_FILE', 'server.keyDoesBelong', {
        keyFile: opts.keyFile,
        certFile: opts.certFile,
      });
    return { cert, key, fingerprint: x509.fingerprint256, created: false, certFile: opts.certFile };
  }
  const dir = join(opts.dataDir, 'tls');
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  if (existsSync(certFile) && existsSync(keyFile)) {
    const cert = readFileSync(certFile, 'utf8');
    return {
      cert,
      key: readFileSync(keyFile, 'utf8'),
      fingerprint: fingerprintOf(cert),
      created: false,
      certFile,
    };
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const made = await selfSignedCertificate(opts.names);
  // Key first, each written whole then renamed: a crash never leaves a certificate without its key.
  writeFileSync(`${keyFile}.tmp-${process.pid}`, made.key, { mode: 0o600 });
  renameSync(`${keyFile}.tmp-${process.pid}`, keyFile);
  writeFileSync(`${certFile}.tmp-${process.pid}`, made.cert, { mode: 0o600 });
  renameSync(`${certFile}.tmp-${process.pid}`, certFile);
  return { ...made, fingerprint: fingerprintOf(made.cert), created: true, certFile };
}
