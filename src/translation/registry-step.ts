// The registry as a translation step: the bindings of a URI in one of sipd's own domains (SPEC PRX-3, REG-*).
import type { Destination } from '../transaction';
import type { LocationService } from '../registrar/location';
import type { TransportName } from '../transport';
import type { TranslationStep } from './chain';

export function registryStep(location: LocationService): TranslationStep {
  return {
    name: 'registry',
    translate: ({ local, aor }) => {
      if (!local) return undefined;
      return location.lookup(aor).map((b) => ({ uri: b.contact, q: b.q, via: b.source ? parseSource(b.source) : undefined, route: b.path }));
    },
  };
}

/** A binding's source ("udp:192.0.2.1:5060"): where the registered UA is reached behind a NAT. */
function parseSource(s: string): Destination | undefined {
  const m = /^(udp|tcp|tls):(.+):(\d+)$/.exec(s);
  return m ? { transport: m[1] as TransportName, host: m[2], port: Number(m[3]) } : undefined;
}
