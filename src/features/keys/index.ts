/**
 * The organisation's keys: supporter data is sealed to the active public key; the secret halves live in files the
 * organisers keep (`outcry keys new|list`), never on the server.
 */
import type { Feature } from '../../feature.ts';
import { addKeyCommands } from './cli.ts';

export const keys: Feature = { name: 'keys', cli: addKeyCommands };

export { readKeyFile, writeKeyFile } from './key-file.ts';
export { activateOrganisationKey, findActiveOrganisationKey, type OrganisationPublicKey } from './queries.ts';
