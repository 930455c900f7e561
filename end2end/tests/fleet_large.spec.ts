import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, expect, type Locator } from '@playwright/test';
import { watchErrors } from './etcd';
import { freePort, WIDE } from './helpers';

// A thousand Patroni clusters in one console: two throwaway single-member
// etcd clusters of this spec's own (never the test bed), 500 Patroni
// clusters each under /pg, served by a Patrol configured with [etcd.<name>]
// tables alone. big-a's clusters are all healthy; big-b has one without a
// leader and one with a member stopped.
const PER_ETCD = 500;
const SICK = { noLeader: 'b137', degraded: 'b402' };

let dir = '';
let bUrl = '';
let base = '';
let output = '';
const children: ChildProcess[] = [];

/** Starts a single-member etcd named `name`: its client URL. */
async function startEtcd(name: string): Promise<string> {
  const [client, peer] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${client}`;
  const etcd = spawn(
    'etcd',
    [
      `--name=${name}`,
      `--data-dir=${path.join(dir, name)}`,
      `--listen-client-urls=${url}`,
      `--advertise-client-urls=${url}`,
      `--listen-peer-urls=http://127.0.0.1:${peer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
      `--initial-cluster=${name}=http://127.0.0.1:${peer}`,
      '--log-level=error',
    ],
    { stdio: 'ignore' },
  );
  children.push(etcd);
  await expect
    .poll(async () => fetch(`${url}/health`).then((r) => r.status, () => 0), {
      message: `etcd ${name} answers`,
      timeout: 20_000,
    })
    .toBe(200);
  return url;
}

/** The keys of a 3-member Patroni 4.1 cluster under /pg, member 1 leading. */
function clusterKeys(scope: string, i: number, sick?: 'no-leader' | 'degraded'): [string, string][] {
  const lsn = 50_331_648;
  const keys: [string, string][] = [
    ['config', JSON.stringify({ ttl: 30, loop_wait: 10, retry_timeout: 10, maximum_lag_on_failover: 1048576 })],
    ['initialize', String(7_310_963_214_869_708_827n + BigInt(i))],
    ['status', JSON.stringify({ optime: lsn })],
  ];
  if (sick !== 'no-leader') keys.push(['leader', `${scope}-1`]);
  for (const m of [1, 2, 3]) {
    const ip = `10.${i >> 8}.${i & 255}.${m}`;
    const member: Record<string, unknown> = {
      conn_url: `postgres://${ip}:5432/postgres`,
      api_url: `http://${ip}:8008/patroni`,
      state: sick === 'degraded' && m === 3 ? 'stopped' : 'running',
      role: m === 1 ? 'primary' : 'replica',
      version: '4.1.5',
      timeline: 2,
      xlog_location: lsn,
    };
    if (m !== 1 && member.state === 'running') {
      Object.assign(member, { replay_lsn: lsn, receive_lsn: lsn, replication_state: 'streaming' });
    }
    keys.push([`members/${scope}-${m}`, JSON.stringify(member)]);
  }
  return keys.map(([k, v]) => [`/pg/${scope}/${k}`, v]);
}

/** b000's third member stopped or running again: a live change to big-b. */
async function setB000(url: string, sick: boolean): Promise<void> {
  const member = clusterKeys('b000', 0, sick ? 'degraded' : undefined).find(([k]) => k.endsWith('/members/b000-3'));
  expect(member).toBeDefined();
  if (member) await put(url, [member]);
}

/** Puts `keys` through etcd's JSON gateway, 128 to a transaction. */
async function put(url: string, keys: [string, string][]): Promise<void> {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  for (let at = 0; at < keys.length; at += 128) {
    const success = keys.slice(at, at + 128).map(([k, v]) => ({ request_put: { key: b64(k), value: b64(v) } }));
    const resp = await fetch(`${url}/v3/kv/txn`, { method: 'POST', body: JSON.stringify({ success }) });
    expect(resp.status, await resp.text()).toBe(200);
  }
}

test.beforeAll(async () => {
  test.setTimeout(90_000);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'patrol-e2e-fleet-large-'));
  const [a, b] = [await startEtcd('big-a'), await startEtcd('big-b')];
  bUrl = b;
  const scopes = Array.from({ length: PER_ETCD }, (_, i) => String(i).padStart(3, '0'));
  await put(a, scopes.flatMap((s, i) => clusterKeys(`a${s}`, i)));
  await put(
    b,
    scopes.flatMap((s, i) => {
      const scope = `b${s}`;
      const sick = scope === SICK.noLeader ? 'no-leader' : scope === SICK.degraded ? 'degraded' : undefined;
      return clusterKeys(scope, i, sick);
    }),
  );
  const config = path.join(dir, 'patrol.toml');
  fs.writeFileSync(
    config,
    `namespace = ["/pg"]\n\n[etcd.big-a]\nendpoints = ["${a}"]\n\n[etcd.big-b]\nendpoints = ["${b}"]\n`,
  );
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const state = path.join(dir, 'state');
  fs.mkdirSync(state);
  const bin = path.join(process.env.PATROL_E2E_DIR ?? '', 'patrol');
  // Tables alone: no --endpoints, so no ETCDCTL_ENDPOINTS either.
  const env = { ...process.env };
  delete env.ETCDCTL_ENDPOINTS;
  const patrol = spawn(bin, ['--config', config, '--listen', `127.0.0.1:${port}`, '--state-dir', state], {
    cwd: state,
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  children.push(patrol);
  patrol.stdout?.on('data', (d) => (output += d));
  patrol.stderr?.on('data', (d) => (output += d));
  await expect
    .poll(
      async () => {
        if (patrol.exitCode !== null) throw new Error(`patrol exited ${patrol.exitCode}:\n${output}`);
        const fleet = await fetch(`${base}/api/v1/fleet`).then((r) => (r.ok ? r.json() : null), () => null);
        const sites = (fleet?.sites ?? []) as { name: string; health: { read_at_ms: number | null }; overview: { clusters: unknown[] } }[];
        return sites.map((s) => `${s.name}:${s.overview.clusters.length}:${s.health.read_at_ms ? 'read' : '-'}`);
      },
      { message: 'both etcd clusters listed in full, health read', timeout: 30_000 },
    )
    .toEqual([`big-a:${PER_ETCD}:read`, `big-b:${PER_ETCD}:read`]);
});

test.afterAll(async () => {
  for (const child of children.reverse()) {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  }
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** The clusters a group lists, as cards or one-line briefs, in order. */
async function cards(group: Locator): Promise<string[]> {
  return group
    .locator('[data-testid=cluster], [data-testid=cluster-brief]')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-scope') ?? ''));
}

test('a thousand Patroni clusters stay readable: healthy groups fold, the troubled come first, filters open what matches', async ({
  page,
}) => {
  test.setTimeout(60_000);
  const errors = watchErrors(page);
  await page.setViewportSize(WIDE);
  const started = Date.now();
  await page.goto(`${base}/`);
  await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'ok', { timeout: 20_000 });
  console.log(`fleet of ${2 * PER_ETCD} Patroni clusters: / live and hydrated after ${Date.now() - started} ms`);

  // The etcd cluster with troubles first, open; the all-healthy one folded.
  const groups = page.getByTestId('site');
  await expect(groups).toHaveCount(2);
  expect(await groups.evaluateAll((els) => els.map((e) => e.getAttribute('data-etcd')))).toEqual(['big-b', 'big-a']);
  const a = page.locator('[data-testid=site][data-etcd=big-a]');
  const b = page.locator('[data-testid=site][data-etcd=big-b]');
  await expect(a.getByTestId('site-counts')).toHaveText(`${PER_ETCD} Patroni clusters, 0 not healthy`);
  await expect(b.getByTestId('site-counts')).toHaveText(`${PER_ETCD} Patroni clusters, 2 not healthy`);
  await expect(a).toHaveJSProperty('open', false);
  await expect(b).toHaveJSProperty('open', true);
  await expect(a.locator('[data-testid=cluster-brief][data-scope=a000]')).toBeHidden();
  // Within big-b, worst first: no leader, then degraded, then the healthy.
  const inB = await cards(b);
  expect(inB.slice(0, 3)).toEqual([SICK.noLeader, SICK.degraded, 'b000']);
  expect(inB).toHaveLength(PER_ETCD);
  await expect(b.locator(`[data-testid=cluster][data-scope=${SICK.noLeader}]`)).toHaveAttribute('data-health', 'no leader');
  await expect(b.locator(`[data-testid=cluster][data-scope=${SICK.degraded}]`)).toHaveAttribute('data-health', 'degraded');
  // The two that need a look as cards, the 498 healthy one line each.
  await expect(b.getByTestId('cluster')).toHaveCount(2);
  await expect(b.getByTestId('cluster-brief')).toHaveCount(PER_ETCD - 2);
  const brief = b.locator('[data-testid=cluster-brief][data-scope=b000]');
  await expect(brief.getByTestId('cluster-link')).toHaveAttribute('href', '/e/big-b/clusters/pg/b000');
  await expect(brief.getByTestId('leader')).toHaveText('b000-1 · 3 members');
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  console.log(`page height with big-b open and big-a folded: ${height} px`);
  await page.screenshot({ path: 'screenshots/fleet-large.png' });

  // A name: the folded group opens on its one match, and stays filtered
  // while the stream redraws the groups (b000 turns degraded).
  const name = page.getByTestId('filter-name');
  await name.fill('a123');
  await expect(a).toHaveJSProperty('open', true);
  await expect(a.locator('[data-testid=cluster-brief][data-scope=a123]')).toBeVisible();
  expect(await cards(a)).toEqual(['a123']);
  await expect(b.getByTestId('site-none')).toHaveText('No Patroni cluster here matches.');
  await setB000(bUrl, true);
  await expect(b.getByTestId('site-counts')).toHaveText(`${PER_ETCD} Patroni clusters, 3 not healthy`);
  await expect(name).toHaveValue('a123');
  await expect(name).toBeFocused();
  expect(await cards(a)).toEqual(['a123']);
  await expect(a).toHaveJSProperty('open', true);

  // Not healthy: the two, and nothing from big-a.
  await page.getByTestId('filter-name').fill('');
  await page.getByTestId('filter-state').selectOption('unhealthy');
  await expect.poll(() => cards(b)).toEqual([SICK.noLeader, 'b000', SICK.degraded]);
  expect(await cards(a)).toEqual([]);
  await expect(a.getByTestId('site-none')).toBeVisible();

  // Filters cleared: big-a folds again.
  await page.getByTestId('filter-state').selectOption('');
  await expect(a).toHaveJSProperty('open', false);
  await expect.poll(async () => (await cards(b)).length).toBe(PER_ETCD);

  // Opened by hand, big-a stays open while the stream redraws (b000
  // recovers); folded by hand again, it is back to its default.
  await a.locator('summary').click();
  await expect(a).toHaveJSProperty('open', true);
  await setB000(bUrl, false);
  await expect(b.getByTestId('site-counts')).toHaveText(`${PER_ETCD} Patroni clusters, 2 not healthy`);
  await expect(a).toHaveJSProperty('open', true);
  await expect(a.locator('[data-testid=cluster-brief][data-scope=a000]')).toBeVisible();
  await a.locator('summary').click();
  await expect(a).toHaveJSProperty('open', false);
  expect(errors).toEqual([]);
});
