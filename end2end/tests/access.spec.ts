import { test, expect } from '@playwright/test';
import { watchErrors } from './etcd';

test('a signed-in admin is named in the top bar, and signing out returns to read-only', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('/');
  await expect(page.getByTestId('access')).toHaveText('read-only');

  const wrong = await page.request.post('/api/v1/session', { data: { username: 'admin', password: 'guess' } });
  expect(wrong.status()).toBe(401);
  const ok = await page.request.post('/api/v1/session', {
    data: { username: 'admin', password: 'e2e-admin-password' },
  });
  expect(ok.status()).toBe(200);
  expect(ok.headers()['set-cookie']).toContain('HttpOnly');
  await page.reload();
  await expect(page.getByTestId('access')).toHaveText('admin: admin');
  // The cookie is HttpOnly: page scripts cannot read it.
  expect(await page.evaluate(() => document.cookie)).not.toContain('patrol_session');

  const out = await page.request.delete('/api/v1/session');
  expect(out.status()).toBe(200);
  await page.reload();
  await expect(page.getByTestId('access')).toHaveText('read-only');
  expect(errors).toEqual([]);
});

test('an admin sees demote on a cluster and promote on a standby cluster, each guarded before anything is sent', async ({ page }) => {
  const errors = watchErrors(page);
  const sent: string[] = [];
  page.on('request', (r) => {
    if (/demote-cluster|promote-cluster/.test(r.url())) sent.push(r.url());
  });
  const ok = await page.request.post('/api/v1/session', {
    data: { username: 'admin', password: 'e2e-admin-password' },
  });
  expect(ok.status()).toBe(200);

  await page.goto('/clusters/pg/pg-meta');
  await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'ok');
  await expect(page.getByTestId('action-promote-cluster')).toHaveCount(0);
  await page.getByTestId('action-demote-cluster').click();
  const dialog = page.getByTestId('action-dialog');
  await expect(dialog).toHaveAttribute('data-action', 'demote-cluster');
  await expect(dialog.getByTestId('preflight-basis')).toContainText('checked at etcd revision');
  await expect(dialog.getByTestId('preflight-blockers')).toHaveCount(0);
  await dialog.getByTestId('confirm-input').fill('pg-meta');
  const submit = dialog.getByTestId('action-submit');
  const hint = dialog.getByTestId('submit-hint');
  await expect(submit).toBeDisabled();
  await expect(hint).toHaveText('Name the source: a host, a port or a restore command.');
  await dialog.getByTestId('source-port').fill('70000');
  await expect(hint).toHaveText('The port must be a number from 1 to 65535.');
  await dialog.getByTestId('source-port').fill('5432');
  await dialog.getByTestId('source-host').fill('10.0.0.5');
  await expect(submit).toBeEnabled();
  await dialog.getByTestId('dialog-cancel').click();
  await expect(dialog).toHaveCount(0);

  await page.goto('/clusters/db/standby');
  await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'ok');
  await expect(page.getByTestId('action-demote-cluster')).toHaveCount(0);
  await page.getByTestId('action-promote-cluster').click();
  await expect(dialog).toHaveAttribute('data-action', 'promote-cluster');
  await expect(dialog.getByTestId('preflight-blockers')).toHaveCount(0);
  await expect(dialog.getByTestId('preflight-warnings')).toContainText('stops following its source');
  await dialog.getByTestId('confirm-input').fill('standby');
  await expect(submit).toBeEnabled();
  await dialog.getByTestId('dialog-cancel').click();
  expect(sent).toEqual([]);
  expect(errors).toEqual([]);
});
