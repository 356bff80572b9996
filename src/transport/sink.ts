import { errorMessage } from './endpoint';
import type { Endpoint, InboundMessage, TransportLog } from './types';

/** Where the listeners hand inbound traffic: the TransportLayer's public callbacks. */
export interface InboundSink {
  onMessage(m: InboundMessage): void;
  onFramingError(source: Endpoint, reason: string, partial: Buffer): void;
}

/** Calls the owner's handler; an exception there must not take down the socket's event loop callback. */
export function deliver(sink: InboundSink, m: InboundMessage, log: TransportLog): void {
  try {
    sink.onMessage(m);
  } catch (e) {
    log.error(`onMessage handler threw: ${errorMessage(e)}`);
  }
}
