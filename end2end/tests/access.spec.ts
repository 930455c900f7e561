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
