import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, expect, type Page } from '@playwright/test';
import { adminPassword } from '../playwright.config';
import { watchErrors } from './etcd';
import { freePort, typeToConfirm, WIDE } from './helpers';

// Patrol serving two etcd clusters: the test bed's main etcd (home, named
// main) and edge, from the --config file start.sh writes. The shared Patrol
// of playwright.config.ts serves one etcd only, so these journeys start
// their own, from the same copy of the binary.
const testbedDir = process.env.PATROL_TESTBED_DIR ?? '/tmp/patrol-testbed';
const endpoints =
  process.env.PATROL_TESTBED_ENDPOINTS ??
  'http://127.0.0.1:12379,http://127.0.0.1:12479,http://127.0.0.1:12579';
const fleetConfig = process.env.PATROL_TESTBED_FLEET ?? path.join(testbedDir, 'fleet.toml');
const patroniRest = process.env.PATROL_TESTBED_PATRONI_REST ?? path.join(testbedDir, 'patroni-rest.toml');
/** edge's members' REST APIs (open, like pg-meta's). */
const edgeRest = ['http://127.0.0.1:18041', 'http://127.0.0.1:18042'];

let patrol: ChildProcess | undefined;
let stateDir = '';
let base = '';
let output = '';

/** edge's members as its Patroni REST API says, from whichever member answers. */
async function edgeMembers(): Promise<{ name: string; role: string; state: string }[]> {
  for (const api of edgeRest) {
    try {
      const resp = await fetch(`${api}/cluster`);
      return ((await resp.json()) as { members: { name: string; role: string; state: string }[] }).members;
    } catch {
      // That member is down (restarting after a switchover): ask the other.
    }
  }
  return [];
}

async function edgeStreamingReplicas(): Promise<string[]> {
  return (await edgeMembers()).filter((m) => m.role !== 'leader' && m.state === 'streaming').map((m) => m.name);
}

test.beforeAll(async () => {
  test.setTimeout(90_000);
  const bin = path.join(process.env.PATROL_E2E_DIR ?? '', 'patrol');
  expect(fs.existsSync(bin), `${bin} (copied by playwright.config.ts)`).toBe(true);
  const hash = execFileSync(bin, ['hash-password'], { input: `${adminPassword}\n`, encoding: 'utf8' }).trim();
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'patrol-e2e-fleet-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  // Its own working directory: the binary's directory must hold the binary alone.
  patrol = spawn(
    bin,
    [
      '--endpoints', endpoints,
      '--etcd-name', 'main',
      '--config', fleetConfig,
      '--listen', `127.0.0.1:${port}`,
      '--state-dir', stateDir,
      '--admin-password-hash', hash,
      '--patroni-rest', patroniRest,
    ],
    { cwd: stateDir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  patrol.stdout?.on('data', (d) => (output += d));
  patrol.stderr?.on('data', (d) => (output += d));
  await expect
    .poll(
      async () => {
        if (patrol?.exitCode !== null) throw new Error(`patrol exited ${patrol?.exitCode}:\n${output}`);
        return fetch(`${base}/healthz`).then((r) => r.status, () => 0);
      },
      { message: 'fleet Patrol answers /healthz', timeout: 60_000 },
    )
    .toBe(200);
  // Both etcd clusters' health read once, so the pages show it from the start.
  await expect
    .poll(
      async () => {
        const fleet = (await (await fetch(`${base}/api/v1/fleet`)).json()) as {
          sites: { name: string; health: { read_at_ms: number | null } }[];
        };
        return fleet.sites.filter((s) => s.health.read_at_ms).map((s) => s.name).sort();
      },
      { message: 'both etcd clusters read', timeout: 30_000 },
    )
    .toEqual(['edge', 'main']);
});

test.afterAll(async () => {
  if (patrol && patrol.exitCode === null) {
    const exited = new Promise((resolve) => patrol?.once('exit', resolve));
    patrol.kill('SIGTERM');
    await exited;
  }
  if (stateDir) fs.rmSync(stateDir, { recursive: true, force: true });
});

/** Opens `address` on the fleet Patrol, hydrated and streaming. */
async function gotoFleet(page: Page, address: string): Promise<void> {
  await page.goto(`${base}${address}`);
  await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'ok');
}

test('the fleet overview groups Patroni clusters by etcd cluster, with its health and filters', async ({ page }) => {
  const errors = watchErrors(page);
  await page.setViewportSize(WIDE);
  await gotoFleet(page, '/');
  const main = page.locator('[data-testid=site][data-etcd=main]');
  const edge = page.locator('[data-testid=site][data-etcd=edge]');
  await expect(page.getByTestId('site')).toHaveCount(2);
  await expect(main).toHaveAttribute('data-state', 'ok');
  await expect(edge).toHaveAttribute('data-state', 'ok');
  await expect(main.getByTestId('site-health')).toHaveText(/^3 voting members, can lose 1/);
  await expect(edge.getByTestId('site-health')).toHaveText(/^1 voting member, can lose 0/);
  await expect(edge.getByTestId('site-counts')).toHaveText('1 Patroni cluster, 0 not healthy');
  await expect(main.getByTestId('site-counts')).toHaveText(/^4 Patroni clusters, /);

  // The same namespace /pg on both: each cluster under its own etcd cluster.
  const edgeCard = edge.locator('[data-testid=cluster][data-scope=edge]');
  await expect(edgeCard).toBeVisible();
  await expect(edge.getByTestId('cluster')).toHaveCount(1);
  await expect(main.locator('[data-testid=cluster][data-scope=pg-meta]')).toBeVisible();
  await expect(main.locator('[data-testid=cluster][data-scope=edge]')).toHaveCount(0);
  // Links to the other etcd cluster load a full page; the home one's stay in the app.
  await expect(edgeCard.getByTestId('cluster-link')).toHaveAttribute('href', '/e/edge/clusters/pg/edge');
  await expect(edgeCard.getByTestId('cluster-link')).toHaveAttribute('rel', 'external');
  await expect(main.locator('[data-testid=cluster][data-scope=pg-meta] [data-testid=cluster-link]')).toHaveAttribute(
    'href',
    '/clusters/pg/pg-meta',
  );
  await page.screenshot({ path: 'screenshots/fleet.png', fullPage: true });

  const byEtcd = page.getByTestId('filter-etcd');
  await byEtcd.selectOption('edge');
  await expect(main).toBeHidden();
  await expect(edgeCard).toBeVisible();
  await byEtcd.selectOption('');
  await expect(main).toBeVisible();

  await page.getByTestId('filter-name').fill('meta');
  await expect(main.locator('[data-testid=cluster][data-scope=pg-meta]')).toBeVisible();
  await expect(main.getByTestId('cluster')).toHaveCount(1);
  await expect(edge.getByTestId('cluster')).toHaveCount(0);
  await expect(edge.getByTestId('site-none')).toHaveText('No Patroni cluster here matches.');
  expect(errors).toEqual([]);
});

test("a cluster of the other etcd cluster opens on its own scoped page", async ({ page }) => {
  const errors = watchErrors(page);
  await gotoFleet(page, '/');
  await expect(page.getByTestId('etcd-name')).toHaveText('main');
  await page.locator('[data-testid=site][data-etcd=edge] [data-testid=cluster][data-scope=edge] [data-testid=cluster-link]').click();
  await expect(page).toHaveURL(`${base}/e/edge/clusters/pg/edge`);
  await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'ok');
  await expect(page.getByTestId('etcd-name')).toHaveText('edge');
  await expect(page.getByTestId('kv-live')).toHaveAttribute('data-state', 'live');
  await expect(page.locator('[data-testid=member-row]')).toHaveCount(2);
  await expect(page.locator('[data-testid=member-row][data-member=edge-1]')).toBeVisible();
  await expect(page.locator('[data-testid=member-row][data-member=edge-2]')).toBeVisible();
  expect(errors).toEqual([]);
});

test('an admin switches edge over from its scoped page, and the audit log names etcd cluster edge', async ({ page }) => {
  test.setTimeout(150_000);
  const errors = watchErrors(page);
  await page.setViewportSize(WIDE);
  await expect.poll(edgeStreamingReplicas, { timeout: 60_000 }).toHaveLength(1);
  const before = (await edgeMembers()).find((m) => m.role === 'leader')?.name;
  const candidate = (await edgeStreamingReplicas())[0];
  expect(before).toBeTruthy();

  await gotoFleet(page, '/sign-in?next=/e/edge/clusters/pg/edge');
  await page.getByTestId('sign-in-password').fill(adminPassword);
  await page.getByTestId('sign-in-submit').click();
  await expect(page).toHaveURL(`${base}/e/edge/clusters/pg/edge`);
  await expect(page.getByTestId('access')).toHaveText('admin: admin');
  await expect(page.getByTestId('etcd-name')).toHaveText('edge');
  await expect(page.getByTestId('kv-live')).toHaveAttribute('data-state', 'live');

  await page.getByTestId('action-switchover').click();
  const dialog = page.getByTestId('action-dialog');
  await expect(dialog).toHaveAttribute('data-action', 'switchover');
  await expect(dialog.getByTestId('confirm-etcd')).toHaveText('On etcd cluster edge');
  const row = dialog.locator(`[data-testid=candidate][data-candidate="${candidate}"]`);
  await expect(row).toHaveAttribute('data-eligible', 'true', { timeout: 15_000 });
  await expect(row.locator('[data-testid=check-row][data-ok=false]')).toHaveCount(0);
  await row.getByTestId('candidate-radio').check();
  const { submit } = await typeToConfirm(dialog, /^Type the name above exactly/, 'edg', 'edge');
  await submit.click();
  await expect(dialog.getByTestId('action-result')).toHaveAttribute('data-accepted', 'true', { timeout: 60_000 });
  await expect(dialog.getByTestId('follow-through')).toHaveAttribute('data-state', 'met', { timeout: 60_000 });

  // The edge etcd has the new leader, as Patrol's scoped API reads it.
  await expect
    .poll(
      async () => {
        const resp = await page.request.get(`${base}/api/v1/e/edge/clusters/pg/edge`);
        return ((await resp.json()) as { leader: string | null }).leader;
      },
      { timeout: 30_000 },
    )
    .toBe(candidate);
  // The main etcd has no such cluster: the scope is the etcd cluster, not the namespace.
  expect((await page.request.get(`${base}/api/v1/clusters/pg/edge`)).status()).toBe(404);

  const audit = (await (await page.request.get(`${base}/api/v1/audit`)).json()) as {
    records: { action: string; target: string; etcd?: string; phase: string; actor: string }[];
  };
  const records = audit.records.filter((r) => r.action === 'switchover');
  expect(records.map((r) => r.phase).sort()).toEqual(['after', 'before']);
  for (const r of records) {
    expect(r.etcd).toBe('edge');
    expect(r.actor).toBe('admin (session)');
    expect(r.target).toContain('edge');
  }

  // The old leader streams again, for whatever runs next.
  await expect.poll(edgeStreamingReplicas, { timeout: 60_000 }).toEqual([before]);
  expect(errors).toEqual([]);
});
