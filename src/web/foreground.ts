/**
 * Foreground work is what a crowd waits on (a signature's batch); background work is what can wait a little (a large
 * upload being encrypted piece by piece). Both share one event loop, so background work steps aside for a few
 * milliseconds per piece while the crowd is being served, and runs at full speed otherwise.
 */
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';

/** How long after the last foreground batch the loop still counts as serving a crowd. */
const CROWD_LINGERS_MS = 50;
const STEP_ASIDE_MS = 5;

let lastForeground = Number.NEGATIVE_INFINITY;

export function noteForegroundWork(): void {
  lastForeground = performance.now();
}

/** The turn background work takes between pieces: the next one, or a short pause while a crowd is served. */
export function backgroundTurn(): Promise<void> {
  return performance.now() - lastForeground < CROWD_LINGERS_MS ? sleep(STEP_ASIDE_MS) : nextTurn();
}
