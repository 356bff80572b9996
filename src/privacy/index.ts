export * from './diversion';
export { PrivacyHandling, PrivacySettings, createPrivacyHandling, privacySettings } from './privacy';
