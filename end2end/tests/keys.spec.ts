import { test, expect } from '@playwright/test';
import { etcdctl, putBytes, watchErrors } from './etcd';

test('a Patroni directory shows its keys and the leader key holds the real leader', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('/keys/pg/pg-meta/');
  await expect(page.getByTestId('kv-live')).toHaveAttribute('data-state', 'live');
  await expect(page.locator('[data-testid=dir-entry][data-name="members"]')).toContainText('3 keys');
  for (const key of ['config', 'leader', 'status']) {
    await expect(page.locator(`[data-testid=key-entry][data-name="${key}"]`)).toBeVisible();
  }
  await page.locator('[data-testid=key-entry][data-name="leader"] a').click();
  await expect(page).toHaveURL(/\/keys\/pg\/pg-meta\/leader$/);
  const leader = etcdctl('get', '/pg/pg-meta/leader', '--print-value-only');
  expect(leader).not.toBe('');
  await expect(page.getByTestId('value')).toHaveText(leader);
  // Patroni's leader key is leased: the page counts its TTL down.
  await expect(page.getByTestId('ttl')).toContainText(/\d+ s left of 20 s/);

  // A member key is JSON: shown pretty and highlighted.
  await page.goto('/keys/pg/pg-meta/members/pg-meta-1');
  await expect(page.getByTestId('value')).toHaveAttribute('data-kind', 'json');
  await expect(page.locator('[data-testid=value] .t-key').first()).toBeVisible();
  await page.goBack();
  await expect(page).toHaveURL(/\/keys\/pg\/pg-meta\/leader$/);
  expect(errors).toEqual([]);
});

test('keys written with etcdctl appear, change and vanish without a reload', async ({ page }) => {
  const errors = watchErrors(page);
  const dir = `/patrol-e2e/live-${Date.now()}/`;
  etcdctl('put', `${dir}first`, 'one');
  try {
    await page.goto(`/keys${dir}`);
    await expect(page.getByTestId('kv-live')).toHaveAttribute('data-state', 'live');
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 1));
    await expect(page.locator('[data-testid=key-entry][data-name="first"]')).toBeVisible();

    etcdctl('put', `${dir}second`, 'two');
    etcdctl('put', `${dir}sub/deep`, 'x');
    await expect(page.locator('[data-testid=key-entry][data-name="second"]')).toBeVisible();
    await expect(page.locator('[data-testid=dir-entry][data-name="sub"]')).toBeVisible();
    etcdctl('del', `${dir}first`);
    await expect(page.locator('[data-testid=key-entry][data-name="first"]')).toHaveCount(0);

    // The key view follows its value and keeps the old one as a diff.
    await page.locator('[data-testid=key-entry][data-name="second"] a').click();
    await expect(page.getByTestId('value')).toHaveText('two');
    await expect(page.getByTestId('kv-live')).toHaveAttribute('data-state', 'live');
    etcdctl('put', `${dir}second`, '{"changed": true}');
    await expect(page.getByTestId('value')).toHaveAttribute('data-kind', 'json');
    await expect(page.getByTestId('value')).toContainText('"changed": true');
    const version = page.locator('[data-testid=version][data-version="1"]');
    await version.locator('summary').click();
    await expect(version.locator('.d-del')).toHaveText('- two');
    await expect(version.locator('pre.diff')).toContainText('+   "changed": true');

    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1);
  } finally {
    etcdctl('del', '--prefix', dir);
  }
  expect(errors).toEqual([]);
});

test('a key that is not UTF-8 is listed escaped and opens', async ({ page }) => {
  const dir = `/patrol-e2e/bytes-${Date.now()}/`;
  const key = Buffer.concat([Buffer.from(`${dir}odd-`), Buffer.from([0xff, 0xfe]), Buffer.from(' x')]);
  await putBytes(key, Buffer.from([0x00, 0x01, 0xc3, 0x28, 0x41]));
  try {
    await page.goto(`/keys${dir}`);
    const entry = page.locator('[data-testid=key-entry]', { hasText: 'odd-' });
    await expect(entry).toHaveText(/odd-\\xff\\xfe x/);
    await entry.locator('a').click();
    await expect(page.getByTestId('key')).toHaveText(`${dir}odd-\\xff\\xfe x`);
    await expect(page.getByTestId('value')).toHaveAttribute('data-kind', 'hex');
    await expect(page.getByTestId('value')).toContainText('00 01 c3 28 41');
  } finally {
    etcdctl('del', '--prefix', dir);
  }
});

test('search finds keys below the directory by prefix', async ({ page }) => {
  await page.goto('/keys/pg/');
  await page.getByRole('searchbox').fill('pg-meta/mem');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(/\?q=pg-meta%2Fmem/);
  await expect(page.getByTestId('found')).toContainText('3 keys starting with /pg/pg-meta/mem');
  await expect(page.locator('[data-testid=key-entry]')).toHaveCount(3);
});

test('the keyspace pages fit a phone and a wide screen', async ({ page }) => {
  for (const width of [375, 1920]) {
    await page.setViewportSize({ width, height: 900 });
    for (const path of ['/keys/', '/keys/pg/pg-meta/', '/keys/pg/pg-meta/members/pg-meta-1']) {
      await page.goto(path);
      await expect(page.getByTestId('kv-live')).toHaveAttribute('data-state', 'live');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `horizontal overflow on ${path} at ${width}px`).toBeLessThanOrEqual(0);
    }
    await page.screenshot({ path: `test-results/keys-member-${width}.png`, fullPage: true });
  }
});

test('a value over 256 KiB is cut on the page and downloads whole', async ({ page, request }) => {
  const key = `/patrol-e2e/big-${Date.now()}`;
  const value = Buffer.alloc(300 * 1024, 'x');
  await putBytes(Buffer.from(key), value);
  try {
    await page.goto(`/keys${key}`);
    await expect(page.getByTestId('truncated')).toContainText('Showing the first 256.0 KiB of 300.0 KiB');
    const href = await page.getByTestId('truncated').locator('a').getAttribute('href');
    expect(href).not.toBeNull();
    const whole = await request.get(href ?? '');
    expect(whole.status()).toBe(200);
    expect((await whole.body()).length).toBe(300 * 1024);
  } finally {
    etcdctl('del', key);
  }
});
