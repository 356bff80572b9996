// The end-to-end harness: the real sipd process, SIPp runs, baresip softphones, a test PKI, and readers for SIPp's logs.
export { alive, killStrays } from './harness/children';
export { freePort } from './harness/ports';
export { pingOptions } from './harness/sip-ping';
export { DOMAIN, HOST, Sipd, type Directives } from './harness/sipd';
export { explain, runSipp, startSipp, type SippOptions, type SippResult, type SippRun } from './harness/sipp';
export { headerValues, methodOf, parseTrace, receivedRequests, receivedStatuses, statusOf, type TracedMessage } from './harness/sip-trace';
export { UdpUa, digestAuthorization, type UaResponse } from './harness/udp-ua';
export {
  BARESIP_AVAILABLE, Baresip, accountLine, aorOf,
  type AccountOptions, type BaresipEvent, type BaresipOptions, type CallEnd, type CtrlResponse, type Registration, type SipTransport,
} from './harness/baresip';
export { createTestPki, type CertFiles, type TestPki } from './harness/certs';
