import { test, expect } from '@playwright/test';
import { etcdctl, watchErrors } from './etcd';
import { clusterComesAndGoes, fitsEveryWidth, gotoLive, markDocument } from './helpers';

test('overview hydrates and shows both clusters with their real leaders', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('/');
  // "live" needs the wasm app hydrated and its event stream open.
  await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'ok');
  await expect(page.getByTestId('connection')).toHaveText('live');

  for (const [ns, scope] of [['/pg', 'pg-meta'], ['/db', 'mycluster']]) {
    const leader = etcdctl('get', `${ns}/${scope}/leader`, '--print-value-only');
    expect(leader).not.toBe('');
    const card = page.locator(`[data-testid=cluster][data-scope="${scope}"][data-namespace="${ns}"]`);
    await expect(card.getByTestId('leader')).toHaveText(leader);
    await expect(card.locator(`[data-member="${leader}"]`)).toContainText('leader');
    // Each replica's chip says what patronictl's State column says.
    await expect(card.locator(`[data-testid=member]:not([data-member="${leader}"])`).first())
      .toHaveAttribute('data-state', 'streaming');
    await expect(card.locator(`[data-member="${leader}"]`)).toHaveAttribute('data-state', 'running');
  }
  await expect(page.locator('[data-scope="pg-meta"] [data-testid=member]')).toHaveCount(3);
  await expect(page.locator('[data-scope="mycluster"] [data-testid=member]')).toHaveCount(2);
  await expect(page.getByTestId('access')).toHaveText('read-only');
  await expect(page.getByTestId('cluster-id')).toHaveText(/^[0-9a-f]+$/);
  expect(errors).toEqual([]);
});

test('a cluster written to etcd appears and vanishes without a reload', async ({ page }) => {
  const errors = watchErrors(page);
  await gotoLive(page, '/');
  // Marks the document so a reload would be noticed.
  const notReloaded = await markDocument(page);
  await clusterComesAndGoes(page, `e2e-${Date.now()}`, 'e2e-node');
  await notReloaded();
  expect(errors).toEqual([]);
});

test('navigation works from a phone-sized to a wide window', async ({ page }) => {
  await fitsEveryWidth(page, '/', (width) => `test-results/overview-${width}.png`);
  await page.getByRole('link', { name: 'Keys' }).click();
  await expect(page).toHaveURL(/\/keys\/$/);
  await expect(page.getByTestId('dir')).toHaveText('/');
  await page.goBack();
  await expect(page.locator('h1')).toHaveText('Clusters');
});

test('the member table shows a replica as streaming, as patronictl list does', async ({ page }) => {
  const errors = watchErrors(page);
  await gotoLive(page, '/clusters/pg/pg-meta');
  const leader = etcdctl('get', '/pg/pg-meta/leader', '--print-value-only');
  const rows = page.getByTestId('member-row');
  await expect(rows).toHaveCount(3);
  await expect(page.locator(`[data-testid=member-row][data-member="${leader}"] [data-testid=state]`))
    .toHaveText('running');
  const replicas = page.locator(`[data-testid=member-row]:not([data-member="${leader}"]) [data-testid=state]`);
  await expect(replicas).toHaveText(['streaming', 'streaming']);
  expect(errors).toEqual([]);
});

test('the standby cluster shows its standby leader and the source it follows', async ({ page }) => {
  const errors = watchErrors(page);
  await gotoLive(page, '/');
  const card = page.locator('[data-testid=cluster][data-scope="standby"][data-namespace="/db"]');
  const leader = etcdctl('get', '/db/standby/leader', '--print-value-only');
  expect(leader).not.toBe('');
  await expect(card.getByTestId('standby-badge')).toHaveText('standby cluster');
  await expect(card.getByTestId('leader')).toHaveText(leader);
  await expect(card.locator(`[data-member="${leader}"]`)).toContainText('standby leader');
  // The test bed's standby follows quorum-1 (end2end/testbed/start.sh).
  await expect(card.getByTestId('standby-source')).toHaveText('127.0.0.1:15451');
  await expect(page.locator('[data-scope="standby"] [data-testid=member]')).toHaveCount(2);

  await card.getByTestId('cluster-link').click();
  await expect(page).toHaveURL(/\/clusters\/db\/standby$/);
  await expect(page.getByTestId('standby-cluster')).toHaveText('on');
  await expect(page.getByTestId('standby-source')).toHaveText('127.0.0.1:15451');
  await expect(page.locator(`[data-testid=member-row][data-member="${leader}"]`)).toContainText('standby leader');
  expect(errors).toEqual([]);
});
