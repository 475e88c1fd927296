/** Where the test suite finds its real services. Tests may read the environment; application code may not. */
export const TEST_POSTGRES_URL = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
/** Debian's nginx, which the proxy tests start in front of a real server (deploy/nginx/outcry.conf). */
export const NGINX_PATH = process.env['NGINX_PATH'] ?? '/usr/sbin/nginx';
/** systemd's offline checker, and the units it needs beside ours (test/deploy-units.test.ts). */
export const SYSTEMD_ANALYZE_PATH = '/usr/bin/systemd-analyze';
export const SYSTEMD_UNITS_DIR = '/usr/lib/systemd/system';
/** Send every naughty string to every field (slow); by default the hostile-input tests use a documented sample. */
export const ALL_NAUGHTY_STRINGS = process.env['OUTCRY_TEST_ALL_NAUGHTY_STRINGS'] === '1';
