import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';

// Patrol under test: the release binary cargo-leptos built, on its own port,
// pointed at the test bed (end2end/testbed/start.sh).
const port = process.env.PATROL_E2E_PORT ?? '8010';
const bin = process.env.PATROL_BIN ?? '../target/release/patrol';
// cargo-leptos writes the site (wasm, JS, CSS) to target/site in the workspace.
const siteRoot = path.resolve(__dirname, '..', 'target', 'site');
const endpoints =
  process.env.PATROL_TESTBED_ENDPOINTS ??
  'http://127.0.0.1:12379,http://127.0.0.1:12479,http://127.0.0.1:12579';
// Patroni REST credentials (mycluster's API wants basic auth); start.sh writes it.
const patroniRest =
  process.env.PATROL_TESTBED_PATRONI_REST ??
  path.join(process.env.PATROL_TESTBED_DIR ?? '/tmp/patrol-testbed', 'patroni-rest.toml');

// The admin's password for the sign-in journeys, hashed by Patrol itself.
export const adminPassword = 'e2e-admin-password';
// A fresh audit log per run, so admin journeys find their own records on /audit.
const auditLog = process.env.PATROL_E2E_AUDIT_LOG ?? path.join(os.tmpdir(), `patrol-e2e-audit-${process.pid}.jsonl`);
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
  // Playwright starts Patrol and waits for /healthz before any test runs.
  webServer: {
    command: `${bin} --listen 127.0.0.1:${port} --endpoints ${endpoints} --site-root ${siteRoot} --admin-password-hash '${adminHash}' --patroni-rest ${patroniRest} --audit-log ${auditLog}`,
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
