// A throw-away PKI for TLS tests, made with the openssl command line into a temp dir: one CA, a
// server certificate for sipd on loopback, client certificates, and certificates that must fail.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOMAIN, HOST } from './sipd';

export interface CertFiles {
  cert: string;
  key: string;
  /** Certificate followed by its key in one file, as baresip's sip_certificate wants it. */
  combined: string;
}

export interface TestPki {
  dir: string;
  /** The CA certificate every client and sipd trust. */
  caFile: string;
  /** For sipd: SAN IP 127.0.0.1, DNS localhost and DOMAIN. */
  server: CertFiles;
  /** Signed by the CA but naming another host only (wrong.invalid, 192.0.2.99). */
  wrongNameServer: CertFiles;
  /** A client certificate (CN and SAN URI sip:NAME@DOMAIN) signed by the CA. */
  client(name: string): CertFiles;
  /** Signed by the CA, but for a name that is not the subscriber presenting it (CN wrong-name). */
  wrongNameClient: CertFiles;
  /** A client certificate from a CA nobody trusts. */
  untrustedClient: CertFiles;
  dispose(): void;
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    const stderr = (e as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`openssl ${args.join(' ')} failed: ${(e as Error).message}\n${stderr}`);
  }
}

/** P-256 keys: quick to make even on a loaded machine, and every TLS stack here takes them. */
function newKey(dir: string, name: string): string {
  const key = join(dir, `${name}.key`);
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key], dir);
  return key;
}

function selfSignedCa(dir: string, name: string): { cert: string; key: string } {
  const key = newKey(dir, name);
  const cert = join(dir, `${name}.pem`);
  openssl([
    'req', '-x509', '-new', '-key', key, '-out', cert, '-days', '2', '-subj', `/CN=${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ], dir);
  return { cert, key };
}

// Every leaf is good for both ends: sipd presents its certificate when it connects out over TLS,
// and a phone's certificate also serves its own TLS listener.
function issue(dir: string, ca: { cert: string; key: string }, name: string, cn: string, sans: string[]): CertFiles {
  const key = newKey(dir, name);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.pem`);
  const ext = join(dir, `${name}.ext`);
  openssl(['req', '-new', '-key', key, '-out', csr, '-subj', `/CN=${cn}`], dir);
  writeFileSync(ext, [
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=serverAuth,clientAuth',
    `subjectAltName=${sans.join(',')}`,
  ].join('\n') + '\n');
  openssl([
    'x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial',
    '-out', cert, '-days', '2', '-extfile', ext,
  ], dir);
  const combined = join(dir, `${name}-combined.pem`);
  writeFileSync(combined, readFileSync(cert, 'utf8') + readFileSync(key, 'utf8'), { mode: 0o600 });
  return { cert, key, combined };
}

/** Makes the whole PKI (a few openssl runs); call once per test file and dispose() in after(). */
export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'sipd-pki-'));
  try {
    const ca = selfSignedCa(dir, 'test-ca');
    const clients = new Map<string, CertFiles>();
    const clientCert = (name: string): CertFiles => {
      if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`client certificate name must be [a-z0-9-]+, got "${name}"`);
      let files = clients.get(name);
      if (!files) {
        files = issue(dir, ca, `client-${name}`, name, [`URI:sip:${name}@${DOMAIN}`]);
        clients.set(name, files);
      }
      return files;
    };
    const other = selfSignedCa(dir, 'other-ca');
    return {
      dir,
      caFile: ca.cert,
      server: issue(dir, ca, 'server', DOMAIN, [`IP:${HOST}`, 'DNS:localhost', `DNS:${DOMAIN}`]),
      wrongNameServer: issue(dir, ca, 'wrong-server', 'wrong.invalid', ['DNS:wrong.invalid', 'IP:192.0.2.99']),
      client: clientCert,
      wrongNameClient: issue(dir, ca, 'wrong-client', 'wrong-name', [`URI:sip:wrong-name@${DOMAIN}`]),
      untrustedClient: issue(dir, other, 'untrusted-client', 'untrusted', [`URI:sip:untrusted@${DOMAIN}`]),
      dispose: () => rmSync(dir, { recursive: true, force: true }),
    };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
