/**
 * Backups: `outcry backup` takes a consistent copy of the database while the site runs and signing goes on, `outcry
 * restore` puts one back. Neither touches the secret key, which is backed up, and kept, apart (README, "Backups").
 */
import type { Feature } from '../../feature.ts';
import { addBackupCommands } from './cli.ts';

export const backup: Feature = { name: 'backup', cli: addBackupCommands };
