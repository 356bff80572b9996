import type { SipMessage } from './message';

/**
 * A message that cannot be understood. `status` is the response to send when the request can still be answered;
 * `partial` is what could be read of it (start line and headers), which is enough to build that response.
 */
export class SipParseError extends Error {
  constructor(message: string, readonly status = 400, public partial?: SipMessage) {
    super(message);
  }
}
