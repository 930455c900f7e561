import { execFileSync } from 'node:child_process';
import { test, expect } from '@playwright/test';
import { etcdctl, watchErrors } from './etcd';

const venv = process.env.PATROL_TESTBED_VENV ?? '/opt/patrol-testbed/venv';
const dir = process.env.PATROL_TESTBED_DIR ?? '/tmp/patrol-testbed';

/** Members of pg-meta that stream from the leader, as Patroni's REST API says. */
async function streamingReplicas(): Promise<string[]> {
  const resp = await fetch('http://127.0.0.1:18001/cluster');
  const body = (await resp.json()) as { members: { name: string; role: string; state: string }[] };
  return body.members.filter((m) => m.role !== 'leader' && m.state === 'streaming').map((m) => m.name);
}

test('the cluster page follows a switchover live, without a reload', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchErrors(page);
  // Both replicas streaming first, so the switchover is not refused.
  await expect.poll(streamingReplicas, { timeout: 60_000 }).toHaveLength(2);
  const before = etcdctl('get', '/pg/pg-meta/leader', '--print-value-only');
  const candidate = (await streamingReplicas()).sort()[0];

  await page.setViewportSize({ width: 1280, height: 1000 });
  await page.goto('/clusters/pg/pg-meta');
  await expect(page.getByTestId('kv-live')).toHaveAttribute('data-state', 'live');
  const facts = page.getByTestId('facts');
  await expect(facts.getByTestId('leader')).toHaveText(before);
  await expect(page.locator(`[data-testid=member-row][data-member="${before}"]`)).toHaveAttribute('data-role', 'leader');
  await expect(page.locator('[data-testid=member-row]')).toHaveCount(3);
  await expect(page.locator(`[data-testid=topology] [data-node="${before}"]`)).toHaveAttribute('data-role', 'leader');
  await expect(page.getByTestId('lease-remaining')).toHaveText(/^\d+ s$/);
  const rowsBefore = await page.getByTestId('history-row').count();
  await page.evaluate(() => ((window as unknown as { __kept: boolean }).__kept = true));

  const started = Date.now();
  execFileSync(
    `${venv}/bin/patronictl`,
    ['-c', `${dir}/${before}/patroni.yml`, 'switchover', 'pg-meta', '--leader', before, '--candidate', candidate, '--force'],
    { encoding: 'utf8' },
  );
  await expect(facts.getByTestId('leader')).toHaveText(candidate, { timeout: 30_000 });
  const seen = Date.now() - started;
  await expect(page.locator(`[data-testid=member-row][data-member="${candidate}"]`)).toHaveAttribute('data-role', 'leader');
  await expect(page.locator(`[data-testid=topology] [data-node="${candidate}"]`)).toHaveAttribute('data-role', 'leader');
  await expect(page.getByTestId('history-row')).toHaveCount(rowsBefore + 1, { timeout: 30_000 });
  await expect(page.getByTestId('history-row').first()).toContainText(candidate);
  expect(await page.evaluate(() => (window as unknown as { __kept?: boolean }).__kept)).toBe(true);
  console.log(`switchover ${before} -> ${candidate}: leader shown ${seen} ms after patronictl started`);

  // Wait for the old leader to stream again before the screenshot (and the
  // next test): a replica's state cell shows its replication state, as
  // `patronictl list` does.
  await expect(page.locator(`[data-testid=member-row][data-member="${before}"] [data-testid=state]`)).toHaveText(
    'streaming',
    { timeout: 60_000 },
  );
  await expect.poll(streamingReplicas, { timeout: 60_000 }).toHaveLength(2);
  await page.screenshot({ path: 'test-results/cluster-1280.png', fullPage: true });
  expect(errors).toEqual([]);
});

test('an unknown cluster says so, and the overview links to each cluster', async ({ page }) => {
  const resp = await page.goto('/clusters/pg/no-such-cluster');
  expect(resp?.status()).toBe(404);
  await expect(page.getByTestId('cluster-error')).toContainText('no cluster no-such-cluster under /pg');
  // From here on, nothing may log an error (the 404 above logs one by design).
  const errors = watchErrors(page);
  await page.goto('/');
  await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'ok');
  await page.locator('[data-scope="mycluster"] [data-testid=cluster-link]').click();
  await expect(page).toHaveURL(/\/clusters\/db\/mycluster$/);
  await expect(page.getByTestId('kv-live')).toHaveAttribute('data-state', 'live');
  const leader = etcdctl('get', '/db/mycluster/leader', '--print-value-only');
  await expect(page.getByTestId('facts').getByTestId('leader')).toHaveText(leader);
  await expect(page.getByTestId('sync')).toContainText('on: ');
  for (const width of [375, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `horizontal overflow at ${width}px`).toBeLessThanOrEqual(0);
  }
  expect(errors).toEqual([]);
});

test('pause, a scheduled switchover, cascading and vanished members show on the page', async ({ page }) => {
  const errors = watchErrors(page);
  const scope = `e2e-facts-${Date.now()}`;
  const base = `/service/${scope}`;
  const member = (port: number, role: string, extra: string) =>
    `{"conn_url":"postgres://127.0.0.1:${port}/postgres","api_url":"http://127.0.0.1:1/patroni","state":"running","role":"${role}","version":"4.1.5","xlog_location":83886080,"timeline":2${extra}}`;
  try {
    etcdctl('put', `${base}/config`, '{"pause":true,"maximum_lag_on_failover":1048576}');
    etcdctl('put', `${base}/leader`, 'f1');
    etcdctl('put', `${base}/status`, '{"optime":83886080}');
    etcdctl('put', `${base}/history`, '[[1,25165984,"no recovery target specified"]]');
    etcdctl('put', `${base}/failover`, '{"leader":"f1","member":"f2","scheduled_at":"2030-01-01T03:00:00+00:00"}');
    etcdctl('put', `${base}/members/f1`, member(1, 'primary', ''));
    etcdctl('put', `${base}/members/f2`, member(2, 'replica', ',"replication_state":"streaming","tags":{"nofailover":true}'));
    etcdctl('put', `${base}/members/f3`, member(3, 'replica', ',"replication_state":"streaming","tags":{"replicatefrom":"f2"}'));
    await page.goto(`/clusters/service/${scope}`);
    await expect(page.getByTestId('kv-live')).toHaveAttribute('data-state', 'live');
    await expect(page.getByTestId('paused-banner')).toContainText('Maintenance mode');
    await expect(page.getByTestId('switchover-banner')).toContainText('f1 → f2, at 2030-01-01T03:00:00+00:00');
    await expect(page.locator('[data-testid=topology] [data-edge="f2->f3"]')).toHaveCount(1);
    await expect(page.locator('[data-testid=member-row][data-member=f2] [data-testid=lag-ok]')).toHaveText('no: nofailover tag');
    await expect(page.locator('[data-testid=member-row][data-member=f3] [data-testid=tags]')).toHaveText('replicatefrom=f2');
    await expect(page.getByTestId('history-row')).toContainText(['(not recorded)']);
    // A member key vanishing (as when its lease expires) leaves it on the page as gone.
    etcdctl('del', `${base}/members/f3`);
    await expect(page.locator('[data-testid=member-row][data-member=f3] [data-testid=state]')).toHaveText(
      'gone (key expired)',
    );
    await expect(page.locator('[data-testid=topology] [data-node=f3]')).toHaveAttribute('data-gone', 'true');
    // Resumed and the switchover done: the banners go, without a reload.
    etcdctl('put', `${base}/config`, '{"maximum_lag_on_failover":1048576}');
    etcdctl('put', `${base}/failover`, '{}');
    await expect(page.getByTestId('paused-banner')).toHaveCount(0);
    await expect(page.getByTestId('switchover-banner')).toHaveCount(0);
  } finally {
    etcdctl('del', '--prefix', `${base}/`);
  }
  await expect(page.getByTestId('cluster-missing')).toBeVisible({ timeout: 5_000 });
  expect(errors).toEqual([]);
});

test('the lag charts switch between the live hour and the stored day and week', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('/clusters/pg/pg-meta');
  const chart = page.locator('[data-testid=lag-chart]').first();
  await expect(chart).toHaveAttribute('aria-label', /, last hour$/);
  await expect(page.getByTestId('lag-range-1h')).toHaveAttribute('aria-pressed', 'true');
  // The day and the week come from the store, which the writer fills every 2 s.
  for (const [range, words] of [['24h', 'last 24 hours'], ['7d', 'last 7 days'], ['1h', 'last hour']]) {
    await page.getByTestId(`lag-range-${range}`).click();
    await expect(page.getByTestId(`lag-range-${range}`)).toHaveAttribute('aria-pressed', 'true');
    await expect(chart).toHaveAttribute('aria-label', new RegExp(`^Receive and replay lag of pg-meta-\\d, ${words}$`), { timeout: 15_000 });
    await expect(page.locator('[data-testid=lag-history-error]')).toHaveCount(0);
  }
  await page.screenshot({ path: 'test-results/lag-ranges.png', fullPage: false });
  expect(errors).toEqual([]);
});
