import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureContext, type SecureContextOptions } from 'node:tls';
import { errorMessage } from './endpoint';
import type { TlsOptions } from './types';

export interface TlsMaterial {
  /** For tls.createServer / server.setSecureContext. */
  options: SecureContextOptions;
  /** For outgoing tls.connect: the same certificate, presented when the server asks for one. */
  context: SecureContext;
}

/** Reads the PEM files and checks that they form a usable context; throws a descriptive Error. */
export function loadTlsMaterial(tls: TlsOptions): TlsMaterial {
  const options: SecureContextOptions = {
    cert: readPem('certificate', tls.cert),
    key: readPem('private key', tls.key),
    minVersion: 'TLSv1.2',
  };
  if (tls.ca) options.ca = readPem('CA', tls.ca);
  try {
    return { options, context: createSecureContext(options) };
  } catch (e) {
    throw new Error(`invalid TLS certificate or key (${tls.cert}, ${tls.key}): ${errorMessage(e)}`);
  }
}

function readPem(what: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new Error(`cannot read TLS ${what} file ${path}: ${errorMessage(e)}`);
  }
}
