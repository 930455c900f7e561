import { test, expect, type Page } from '@playwright/test';
import { etcdctl } from './etcd';

// Markup planted in etcd and in URLs: each piece would bump window.__pwned
// if it ever ran. None may, on any page, before or after hydration.
const scope = 'e2e-x<img src=x onerror=window.__pwned=(window.__pwned||0)+1>';
const member = 'm<svg onload=window.__pwned=(window.__pwned||0)+2>';
const script = '<script>window.__pwned=(window.__pwned||0)+4</script>';
const closeTitle = '</title><script>window.__pwned=(window.__pwned||0)+8</script>';

/** Opens `path`, lets it hydrate and follow its streams, then proves no planted script ran. */
async function visit(page: Page, path: string, dialogs: string[]) {
  const resp = await page.goto(path);
  expect([200, 404], path).toContain(resp?.status());
  // Hydration, live streams and the first updates.
  await page.waitForTimeout(1500);
  const pwned = await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned ?? 0);
  expect(pwned, `${path}: a planted script ran`).toBe(0);
  expect(dialogs, path).toEqual([]);
  // The title is text, whatever the URL held: one <title> in the head (the
  // topology's SVG has its own), and no element made from planted markup.
  expect(await page.locator('head > title').count(), path).toBe(1);
  const planted = await page.evaluate(
    () =>
      [...document.querySelectorAll('*')].filter(
        (e) =>
          // Hydration data quotes planted text inside JSON strings; a planted
          // script would begin with it.
          (e.tagName === 'SCRIPT' && (e.textContent ?? '').trim().startsWith('window.__pwned')) ||
          [...e.attributes].some((a) => a.name.startsWith('on')) ||
          /^\s*javascript:/i.test(e.getAttribute('href') ?? '')
      ).map((e) => e.outerHTML.slice(0, 200))
  );
  expect(planted, `${path}: planted markup became an element`).toEqual([]);
}

test('markup in etcd keys, values and URLs never runs as script', async ({ page }) => {
  const dialogs: string[] = [];
  page.on('dialog', async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });
  const base = `/pg/${scope}`;
  const value = JSON.stringify({
    conn_url: 'postgres://127.0.0.1:1/postgres',
    api_url: 'javascript:window.__pwned=16',
    state: script,
    role: 'primary',
    xlog_location: 1,
    timeline: 1,
    version: closeTitle,
    tags: { nofailover: script, replicatefrom: member, [script]: closeTitle },
    pending_restart: true,
    pending_restart_reason: { [script]: { old_value: script, new_value: closeTitle } },
  });
  etcdctl('put', `${base}/members/${member}`, value);
  etcdctl('put', `${base}/leader`, member);
  etcdctl('put', `${base}/config`, JSON.stringify({ ttl: 30, [script]: closeTitle }));
  etcdctl('put', `${base}/history`, JSON.stringify([[1, 100, script, closeTitle, member]]));
  etcdctl('put', `/pg/${script}`, script);
  try {
    const enc = encodeURIComponent;
    const paths = [
      '/',
      `/clusters/pg/${enc(scope)}`,
      `/keys/pg/${enc(scope)}/`,
      `/keys/pg/${enc(scope)}/members/${enc(member)}`,
      `/keys/pg/${enc(scope)}/config`,
      `/keys/pg/?q=${enc('<script')}`,
      `/keys/pg/${enc(script)}`,
      `/sign-in?next=${enc(script)}`,
      // The reproductions: markup in the path of pages that do not exist.
      `/keys/${enc(closeTitle)}/`,
      `/clusters/${enc(closeTitle)}/${enc(script)}`,
      `/${enc(closeTitle)}`,
    ];
    for (const path of paths) {
      await visit(page, path, dialogs);
    }
    // The cluster page shows the planted names as text.
    await page.goto(`/clusters/pg/${enc(scope)}`);
    await expect(page.getByTestId('cluster-title')).toHaveText(scope);
    await expect(page.locator('body')).toContainText(member);
    // A key page's title is the key as text.
    await page.goto(`/keys/${enc(closeTitle)}/`);
    expect(await page.title()).toContain('</title>');
  } finally {
    etcdctl('del', '--prefix', base);
    etcdctl('del', `/pg/${script}`);
  }
});
