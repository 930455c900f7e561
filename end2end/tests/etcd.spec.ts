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

test('the etcd page shows upgrade readiness: members agree, versions, v2 off, no learners', async ({ page }) => {
  const errors = watchErrors(page);
  await gotoLive(page, '/etcd');
  const card = page.getByTestId('etcd-readiness');
  await expect(card.getByRole('heading', { name: 'Upgrade readiness' })).toBeVisible();
  await expect(card.getByTestId('hashkv')).toHaveText(/^3 of 3 agree at revision \d+$/);
  await expect(card.getByTestId('hashkv-alarm')).toHaveCount(0);
  await expect(card.getByTestId('cluster-version')).toHaveText('3.4.0');
  await expect(card.getByTestId('next-step')).toContainText('3.4 → 3.5');
  await expect(card.getByTestId('v2-store')).toHaveText('v2 API off: nothing to migrate');
  await expect(card.getByTestId('learners')).toHaveText('0 of 1: etcd allows 1 learner by default (--max-learners)');
  await expect(card.getByTestId('readiness-warnings')).toHaveCount(0);

  // One row per member, each hashed, all with the same hash, versions as etcdctl reports them.
  const rows = card.getByTestId('readiness-member');
  await expect(rows).toHaveCount(3);
  await expect(card.locator('[data-testid=readiness-member][data-checked=true]')).toHaveCount(3);
  const hashes = await card.getByTestId('hash').allTextContents();
  expect(hashes.every((h) => /^\d+$/.test(h))).toBe(true);
  expect(new Set(hashes).size).toBe(1);
  const versions = etcdctl('endpoint', 'status', '--cluster')
    .split('\n')
    .map((line) => line.split(',').map((f) => f.trim())[2]);
  const shownVersions = await rows.evaluateAll((trs) => trs.map((tr) => tr.querySelectorAll('td')[1]?.textContent ?? ''));
  expect(shownVersions.sort()).toEqual(versions.sort());
  await card.screenshot({ path: '/tmp/patrol-etcd-readiness.png' });
  expect(errors).toEqual([]);
});
