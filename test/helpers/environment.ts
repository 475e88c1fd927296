/** Where the test suite finds its real services. Tests may read the environment; application code may not. */
export const TEST_POSTGRES_URL = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
/** Send every naughty string to every field (slow); by default the hostile-input tests use a documented sample. */
export const ALL_NAUGHTY_STRINGS = process.env['OUTCRY_TEST_ALL_NAUGHTY_STRINGS'] === '1';
