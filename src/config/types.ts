// The typed configuration: one property per directive, named as the directive.
// Paths are absolute (resolved against ServerRoot); piped log targets ("|program args") are kept as written.

export type LogLevelName = 'emerg' | 'alert' | 'crit' | 'error' | 'warn' | 'notice' | 'info' | 'debug';
export type Transport = 'TCP' | 'TLS' | 'UDP';

/** host absent = all interfaces (IPv4 and IPv6). */
export interface ListenAddress { host?: string; port: number }

export interface AccessRule { action: 'allow' | 'deny'; direction: 'from' | 'to'; spec: string }
export interface NumberExpansion { pattern: string; replacement: string }
export interface Gatekeeper { host: string; port: number }
export interface TechPrefixRule { pattern: string; prefix: string; action: 'INCLUDE' | 'STRIP' }
export interface RpmsServer { host: string; port: number; secret: string }
export interface LogTargetAndFormat { target: string; format: string }

export interface SipdConfig {
  // server-global
  ServerRoot: string; LockFile: string; PidFile: string; ScoreBoardFile: string;
  StartServers: number; MinSpareServers: number; MaxSpareServers: number; MaxClients: number; MaxRequestsPerChild: number;
  /** As written; empty when absent (the server then listens on Port on all interfaces). */
  Listen: ListenAddress[];
  // host-specific
  Port: number; User: string; Group: string; ServerName?: string; HostnameLookups: boolean;
  ErrorLog: string; LogLevel: LogLevelName;
  /** nickname -> format string */
  LogFormat: Record<string, string>;
  /** format is a LogFormat nickname or a format string */
  CustomLog: LogTargetAndFormat; TransferLog?: string;
  // server-core
  CSPSVersion?: string; ProxyDomain?: string; StatefulServer: boolean; SipResolveLocalContactsInRedirectMode: boolean;
  UseCallerPreferences: boolean; ServerType: 'Proxy' | 'Redirect'; Recursive: boolean; MaxForks: number;
  NumericUsernameInterpretation: 'IP_164' | 'E164_IP' | 'IP' | 'E164'; NumericUsernameCharacterSet: string;
  OrigUserNameSource: 'From' | 'Auth'; NumExpandAuthUserName: boolean; SrvForFqdnOnly: boolean;
  SipT1InMs: number; SipT2InMs: number; SipT3InMs: number; SipMaxT3InMs: number; SipT4InMs: number;
  MaxInviteRetxCount: number; MaxNonInviteRetxCount: number; SharedMemorySize: number; RegistryCleanupRate: number;
  AddRecordRoute: boolean; AddTransportInRecordRoute: boolean; SipRouteHeaderTransportType: Transport;
  DnsServers: string[]; AllowNaptrLookup: boolean; TransportPrefOrder: string; DiffServValue: number;
  Sip_Token_Port: number; Sip_Services_Port: number; ProxyAddressResolutionType: 'IP' | 'A' | 'SRV';
  IpAddrInPathHeaders?: string; IgnoreProxyRequire: string[];
  SIPStatsLog: boolean; SIPStatsInterval: number; SharedMemoryStatsLog: boolean; SharedMemoryStatsInterval: number;
  SipTcpMaxTCPConnections: number; SipTcpMaxConnectTimeout: number; SipTcpReuseConnection: boolean;
  SipTlsEnable: boolean; AllowSipTlsConversionToSip: boolean; SipTlsPort: number; SipTlsSessionTimeout: number;
  SipTlsCertificateFile?: string; SipTlsCertificateKeyFile?: string; SipTlsCACertificateFile?: string;
  SipTlsMutualAuthentication: boolean; SipTlsMinVersion: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'; SipTlsCiphers?: string;
  /** Every known flag name (StateMachine, Parser, SipTcp, SipTls, Registry, Routing, ...) -> On/Off. */
  DebugFlag: Record<string, boolean>;
  // sipd extensions
  Forward503: boolean; MaxMessageSize: number; MaxBodySize: number; MaxRequestUriLength: number;
  MaxHeaderCount: number; SipTcpIdleTimeout: number;
  // mysql
  DB_MySQL: boolean; DB_MySQL_HostName?: string; DB_MySQL_Secondary_HostName?: string; DB_MySQL_DB?: string;
  DB_MySQL_Username?: string; DB_MySQL_Password?: string; DB_MySQL_SubscriberTable?: string; DB_MySQL_Connect_Timeout: number;
  /** <Field> of DB_MySQL_<Field>_Field -> column name */
  DB_MySQL_XXX_Field: Record<string, string>;
  DB_MySQL_Port: number; DB_PostgreSQL: boolean; DB_PostgreSQL_HostName?: string; DB_PostgreSQL_Port: number;
  DB_PostgreSQL_DB?: string; DB_PostgreSQL_Username?: string; DB_PostgreSQL_Password?: string; SubscriberCacheTime: number;
  // gktmp
  GktmpConnection: boolean; MasterServerHostname?: string; MasterServerIpAddress?: string; MasterServerPort?: number;
  SecondaryServerHostname?: string; SecondaryServerIpAddress?: string; SecondaryServerPort?: number; GktmpTransportType: Transport;
  // accounting
  Accounting: boolean; AccountingServerSide: boolean; AccountingClientSide: boolean; AccountingUnsuccessful: boolean;
  AccountingRecordFormat: 'RADIUS'; AccountingTimeFormat: 'Local' | 'GMT';
  PrimaryRadiusAcctIp?: string; PrimaryRadiusAcctPort: number; PrimaryRadiusAcctSecret?: string;
  SecondaryRadiusAcctIp?: string; SecondaryRadiusAcctPort: number; SecondaryRadiusAcctSecret?: string;
  AcctIncludeSIPHeader: string[];
  // radius client
  RadiusUserNameAttrAddDomain: boolean; RadiusRetransmissionInterval: number; RadiusRetransmissionCount: number;
  RadiusRetransmissionAfterFailure: number; RadiusRetryTime: number;
  // auth
  Authentication: boolean; AuthRealm?: string; AuthServer: 'Proxy' | 'Radius'; AuthScheme: 'HTTP_Digest' | 'HTTP_Basic';
  AuthDigestQop: 'auth' | 'auth-int' | 'both' | 'none'; AuthDigestAlgorithm: 'MD5' | 'MD5-sess';
  AuthConsumeProxyAuth: boolean; AuthAllow3rdPartyRegistration: boolean; AuthAllow3rdPartyInvite: boolean; RadiusAuthSkew: number;
  PrimaryRadiusAuthIp?: string; PrimaryRadiusAuthPort: number; PrimaryRadiusAuthSecret?: string;
  SecondaryRadiusAuthIp?: string; SecondaryRadiusAuthPort: number; SecondaryRadiusAuthSecret?: string;
  AuthIncludeSIPHeader: string[];
  AuthNonceSecret?: string; AuthDigestSHA256: boolean; AuthFailureLimit: number; AuthFailureWindow: number; AuthLockoutTime: number;
  // abuse (sipd)
  RateLimitRequests: number; RateLimitWindow: number; RateLimitBanTime: number; MaxConnectionsPerSource: number;
  MaxTransactionsInFlight: number; OverloadLagThreshold: number; RejectUserAgent: string[];
  // acl: Allow/Deny lines, in file order
  Order: 'Deny,Allow' | 'Allow,Deny'; AccessRules: AccessRule[]; Satisfy: 'All' | 'Any';
  // privacy
  Privacy: boolean; PrivacyWithPAI: boolean; PrivacyWithRPID: boolean; PrivacyWithDiversion: boolean;
  // preauth
  PreAuthorization: boolean; PreAuthRequestType: 'Query'; RPMS_ServerIpPortSecret: RpmsServer[]; PreAuthPreviousHop: string[];
  // callforward
  CallForwardUnconditional: boolean; CallForwardNoAnswer: boolean; CallForwardBusy: boolean; CallForwardUnavailable: boolean;
  CallForwardNoAnswerTimer: number; CallForwardUnavailableTimer: number; AddDiversionHeader: boolean;
  DiversionHeaderName: 'Diversion' | 'CC-Diversion' | 'CC-Redirect';
  // numexpand: <NumberPlan id> -> NumExp lines
  Cisco_Numexpand: boolean; NumberPlans: Record<string, NumberExpansion[]>;
  // enum
  Cisco_Enum: boolean; Cisco_Enum_Domain?: string; Cisco_Enum_Global_Domain: string;
  // routing
  Cisco_Routing: boolean; Cisco_Routing_Shared_Memory_Address: number; Cisco_Routing_Rendezvous_Name: string;
  Cisco_Routing_Rendezvous_Directory: string; Cisco_Routing_Remote_Update_Port: number; Cisco_Routing_Use_Domain_Routing: boolean;
  Cisco_Routing_Farm_Members: string[]; Cisco_Routing_Max_DB_Age_on_Boot: number;
  Cisco_Routing_Global_Less_Specific_Route_Search: boolean;
  // registry
  Cisco_Registry: boolean; Cisco_Registry_Use_Virtual_Proxy_Host: boolean; Cisco_Registry_Shared_Memory_Address: number;
  Cisco_Registry_Rendezvous_Name: string; Cisco_Registry_Rendezvous_Directory: string; Cisco_Registry_Remote_Update_Port: number;
  Cisco_Registry_Farm_Members: string[]; Cisco_Registry_Max_DB_Age_on_Boot: number;
  RegistryStaticFile: string; MinRegistrationExpires: number; MaxRegistrationExpires: number; DefaultRegistrationExpires: number;
  /** <VirtualProxyHost id> -> { Virtual_Proxy_Domain, Virtual_Proxy_Server_Name?, Virtual_Proxy_Server_IP? } */
  VirtualProxyHosts: Record<string, Record<string, string>>;
  // ras
  RASModule: boolean; RASAcceptLCF: 'First' | 'Best'; RASTimeoutInterval: number; RASLRQMethod: 'Sequential' | 'Blast';
  RASLRQWindow: number; RASTimeToLive: number; RASAllowTranslation: boolean;
  /** priority (as written in <RASGatekeeperCluster N>) -> gatekeepers */
  RASGatekeeperClusters: Record<string, Gatekeeper[]>;
  RASDefaultTechPrefixAction: 'Strip' | 'Include'; RASTechPrefix: TechPrefixRule[]; RASTransportType: Transport;
}

export interface LoadedConfig { config: SipdConfig; warnings: string[]; file: string }
