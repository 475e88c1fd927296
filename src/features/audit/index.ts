/** The audit log: every change an organiser (or the system) makes, recorded in the transaction that makes it. */
import type { Feature } from '../../feature.ts';

export const audit: Feature = { name: 'audit' };

export { diffFields, listAuditEntries, recordAudit, type AuditRow } from './queries.ts';
