/** Organiser accounts: argon2id passwords, roles, and `outcry user add`. */
import type { Feature } from '../../feature.ts';
import { addUserCommands } from './cli.ts';

export const users: Feature = { name: 'users', needs: ['audit'], cli: addUserCommands };

export { authenticate, normaliseAdminEmail, ROLES } from './service.ts';
