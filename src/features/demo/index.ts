/**
 * The #EyesOnChechnya demo campaign that `npm start` shows on an empty database (and `outcry demo` loads), and the
 * dashboard notice while the demo's organisation secret key sits on the server.
 */
import type { Feature } from '../../feature.ts';
import en from './locales/en.json' with { type: 'json' };
import ru from './locales/ru.json' with { type: 'json' };
import { loadDemo } from './load.ts';
import { demoKeyNotice } from './notice.tsx';

export const demo: Feature = {
  name: 'demo',
  needs: ['campaigns'],
  locales: { en, ru },
  dashboardNotices: [demoKeyNotice],
  cli(program, cli) {
    program
      .command('demo')
      .description('load the #EyesOnChechnya demo campaign')
      .action(async () => {
        const result = await cli.withDatabase((_db, database) => loadDemo(database, { dataDir: cli.config().dataDir, features: cli.features }));
        process.stdout.write(result === 'loaded' ? 'The demo campaign is loaded at /c/eyes-on-chechnya.\n' : 'The demo campaign is already there.\n');
      });
  },
};

export { DEMO_KEY_FILE, isDemoKeyOnServer, loadDemo, loadDemoIfEmpty, type DemoResult } from './load.ts';
