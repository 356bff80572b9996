export { AuthSettings, createAuthPolicy } from './auth-policy';
export { CredentialsError, ParsedCredentials, parseCredentials } from './credentials';
export { DigestAlgorithm, computeHa1 } from './digest';
