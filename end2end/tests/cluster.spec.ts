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

  // Wait for the old leader to stream again before the screenshot (and the next test).
  await expect(page.locator(`[data-testid=member-row][data-member="${before}"] [data-testid=state]`)).toHaveText(
    'running',
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
