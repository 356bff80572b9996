// Composition root: builds the layers from a configuration and runs them.
// (Interface fixed first so the CLI can be written against it; the body grows with the core.)
import type { SipdConfig } from './config';
import type { Logger } from './log';

export interface ServerStatus {
  pid: number;
  startedAt: number;
  listeners: string[];
  transactions: number;
  registrations: number;
  draining: boolean;
}

export class SipServer {
  constructor(private cfg: SipdConfig, private log: Logger, private opts: { configFile?: string } = {}) {}

  /** Binds every listener and loads the registry; resolves once requests can be served. */
  async start(): Promise<void> {}

  /** Graceful restart: apply a new, already validated configuration without dropping state. */
  async reload(cfg: SipdConfig): Promise<void> { this.cfg = cfg; }

  /** txngraceful-restart: behaviour 1 answers new INVITE/REGISTER 503 + Retry-After, 2 drops them. */
  beginTransactionDrain(seconds: number, behaviour: 1 | 2): void { void seconds; void behaviour; }

  /** Stops listeners and flushes the registry store. */
  async stop(): Promise<void> {}

  status(): ServerStatus {
    return { pid: process.pid, startedAt: 0, listeners: [], transactions: 0, registrations: 0, draining: false };
  }
}
