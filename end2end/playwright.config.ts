import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';

// Patrol under test: the release binary end2end/build.sh built, on its own
// port, pointed at the test bed (end2end/testbed/start.sh).
const port = process.env.PATROL_E2E_PORT ?? '8010';
const targetDir = process.env.CARGO_TARGET_DIR ?? path.join(os.homedir(), '.cache', 'patrol-target');
const bin = process.env.PATROL_BIN ?? path.join(targetDir, 'release', 'patrol');
// Every journey runs against a copy of that one file, alone in an empty
// directory, with no --site-root: the site it serves is the one built in.
// Made once, by the runner; its workers inherit the variable.
if (!process.env.PATROL_E2E_DIR) {
  process.env.PATROL_E2E_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'patrol-e2e-'));
  fs.copyFileSync(bin, path.join(process.env.PATROL_E2E_DIR, 'patrol'));
  fs.chmodSync(path.join(process.env.PATROL_E2E_DIR, 'patrol'), 0o755);
}
const standaloneDir = process.env.PATROL_E2E_DIR;
const endpoints =
  process.env.PATROL_TESTBED_ENDPOINTS ??
  'http://127.0.0.1:12379,http://127.0.0.1:12479,http://127.0.0.1:12579';
// Patroni REST credentials (mycluster's API wants basic auth); start.sh writes it.
const patroniRest =
  process.env.PATROL_TESTBED_PATRONI_REST ??
  path.join(process.env.PATROL_TESTBED_DIR ?? '/tmp/patrol-testbed', 'patroni-rest.toml');

// The admin's password for the sign-in journeys, hashed by Patrol itself.
export const adminPassword = 'e2e-admin-password';
// A fresh store (SQLite, the default) per run, in a directory of its own
// (the copy's directory must hold the binary alone), so admin journeys find
// their own records on /audit.
if (!process.env.PATROL_E2E_STATE_DIR) {
  process.env.PATROL_E2E_STATE_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'patrol-e2e-state-'));
}
const stateDir = process.env.PATROL_E2E_STATE_DIR;
const adminHash = execFileSync(bin, ['hash-password'], { input: `${adminPassword}\n`, encoding: 'utf8' }).trim();

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  outputDir: './test-results',
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  // Removes the copy once the run is over.
  globalTeardown: './teardown.ts',
  // Playwright starts Patrol and waits for /healthz before any test runs.
  webServer: {
    command: `./patrol --listen 127.0.0.1:${port} --endpoints ${endpoints} --admin-password-hash '${adminHash}' --patroni-rest ${patroniRest} --state-dir ${stateDir}`,
    cwd: standaloneDir,
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
