import { test, expect } from '@playwright/test';
import { etcdctl, watchErrors } from './etcd';
import { fitsEveryWidth, gotoLive, markDocument, wideWithErrors } from './helpers';

/** `etcdctl endpoint status --cluster`: member ID (hex) and leader flag per line. */
function endpointStatus(): { id: string; leader: boolean }[] {
  return etcdctl('endpoint', 'status', '--cluster')
    .split('\n')
    .map((line) => line.split(',').map((f) => f.trim()))
    .map((f) => ({ id: f[1], leader: f[4] === 'true' }));
}

test('the etcd page shows three members, one leader and the quorum, and refreshes', async ({ page }) => {
  const errors = await wideWithErrors(page);
  await gotoLive(page, '/etcd');
  const rows = page.getByTestId('etcd-member');
  await expect(rows).toHaveCount(3);
  await expect(page.locator('[data-testid=etcd-member][data-role=leader]')).toHaveCount(1);
  await expect(page.getByTestId('quorum')).toHaveText('3 voting members, can lose 1');
  await expect(page.getByTestId('alarms')).toHaveText('none');
  await expect(page.getByTestId('etcd-risks')).toHaveCount(0);

  // The same members and leader etcdctl sees, IDs in its hex.
  const etcd = endpointStatus();
  expect(etcd).toHaveLength(3);
  const shown = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id')).sort());
  expect(shown).toEqual(etcd.map((e) => e.id).sort());
  const leader = etcd.find((e) => e.leader)?.id ?? '';
  await expect(page.locator('[data-testid=etcd-member][data-role=leader]')).toHaveAttribute('data-id', leader);
  for (const health of await page.getByTestId('health').allTextContents()) {
    expect(health).toMatch(/^healthy · \d+\.\d ms$/);
  }

  // Live: a new reading within a few seconds, without a reload. Patroni
  // writes every 2 s, so the raft index moves too.
  const notReloaded = await markDocument(page);
  const readAt = await page.getByTestId('read-at').getAttribute('data-ms');
  const index = Number(await page.getByTestId('raft-index').first().textContent());
  await expect(page.getByTestId('read-at')).not.toHaveAttribute('data-ms', readAt ?? '', { timeout: 10_000 });
  await expect
    .poll(async () => Number(await page.getByTestId('raft-index').first().textContent()), { timeout: 10_000 })
    .toBeGreaterThan(index);
  await notReloaded();
  await page.screenshot({ path: '/tmp/patrol-etcd-live.png', fullPage: true });
  expect(errors).toEqual([]);
});

test('the etcd page reads well from a phone to a wide window', async ({ page }) => {
  await fitsEveryWidth(
    page,
    '/etcd',
    (width) => `/tmp/patrol-etcd-${width}.png`,
    () => expect(page.getByTestId('etcd-member')).toHaveCount(3),
  );
});

test('the nav link opens the etcd page in the browser, no reload', async ({ page }) => {
  const errors = watchErrors(page);
  await gotoLive(page, '/');
  const notReloaded = await markDocument(page);
  await page.getByRole('link', { name: 'etcd', exact: true }).click();
  await expect(page).toHaveURL(/\/etcd$/);
  await expect(page.getByTestId('etcd-member')).toHaveCount(3);
  await expect(page.getByTestId('quorum')).toHaveText('3 voting members, can lose 1');
  await notReloaded();
  expect(errors).toEqual([]);
});
