/** Organiser accounts: argon2id passwords, roles, and `outcry user add|disable|enable|list`. */
import type { Feature } from '../../feature.ts';
import { addUserCommands } from './cli.ts';

export const users: Feature = { name: 'users', needs: ['audit'], cli: addUserCommands };

export { readPassword } from './cli.ts';
export { addOrResetPartnerUser, authenticate, findAccountByEmail, normaliseAdminEmail, recordLogin, ROLES } from './service.ts';
export { limitConcurrency } from './passwords.ts';
