/** `GET /healthz`: liveness and whether the database answers, for load balancers and monitoring. */
import type { Feature } from '../../feature.ts';
import { registerHealthRoutes } from './routes.ts';

export const health: Feature = { name: 'health', register: registerHealthRoutes };
