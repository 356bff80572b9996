// Subscribers read from an existing MySQL/MariaDB or PostgreSQL table (DB_MySQL*, DB_PostgreSQL*).
export { ExternalSubscriberDirectory, type DirectoryStatus, type ExternalDirectorySettings } from './external-directory';
export { SUBSCRIBER_FIELDS, SubscriberTableError, type SubscriberField } from './fields';
export { openSubscriberDirectory, subscriberDbProblems, SubscriberDbConfigError } from './open';
