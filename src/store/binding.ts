/** One registered contact of an address-of-record (re-exported by src/registrar/location). */
export interface Binding {
  /** Normalized address-of-record key, e.g. "alice@example.com"; the caller normalizes. */
  aor: string;
  /** The Contact URI exactly as to be used for routing. */
  contact: string;
  /** Caller-computed comparison key of the contact URI (RFC 3261 §19.1.4); unique within one AOR. */
  contactKey: string;
  /** Absolute epoch ms when the binding lapses; Infinity for static registrations. */
  expires: number;
  /** 0..1; absent means unspecified (ranked as 1.0). */
  q?: number;
  callId: string;
  cseq: number;
  /** Where the REGISTER came from, e.g. "udp:192.0.2.1:5062", when the contact must be reached there (NAT, TCP/TLS). */
  source?: string;
  /** RFC 3327 Path values to use as Route when reaching this contact. */
  path?: string[];
  static?: boolean;
  userAgent?: string;
}
