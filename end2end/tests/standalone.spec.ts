import fs from 'node:fs';
import path from 'node:path';
import { test, expect, type Page } from '@playwright/test';
import { watchErrors } from './etcd';
import { clusterComesAndGoes, gotoLive, markDocument } from './helpers';

// The directory playwright.config.ts copied patrol into, alone.
const standaloneDir = process.env.PATROL_E2E_DIR;

/** Content-Security-Policy violations the page reports, as text. */
async function watchViolations(page: Page): Promise<() => Promise<string[]>> {
  // Injected by the browser's debugging protocol, which the policy does not govern.
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __violations: string[] }).__violations = seen;
    document.addEventListener('securitypolicyviolation', (e) =>
      seen.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`),
    );
  });
  return () => page.evaluate(() => (window as unknown as { __violations: string[] }).__violations);
}

test('the binary copied alone into an empty directory serves every page, hydrated', async ({ page }) => {
  // Nothing beside the copy, and the copy is what answers (see playwright.config.ts).
  expect(standaloneDir).toBeTruthy();
  expect(fs.readdirSync(standaloneDir ?? '')).toEqual(['patrol']);
  const copy = path.join(standaloneDir ?? '', 'patrol');
  const running = fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .some((pid) => {
      try {
        return fs.readlinkSync(`/proc/${pid}/exe`) === copy;
      } catch {
        return false;
      }
    });
  expect(running, `no process runs ${copy}`).toBe(true);

  const errors = watchErrors(page);
  const violations = await watchViolations(page);
  const blocked: string[] = [];
  const headers = (await page.goto('/'))?.headers() ?? {};
  expect(headers['content-security-policy']).toContain("'wasm-unsafe-eval'");
  expect(headers['content-security-policy']).not.toContain('unsafe-inline');

  // "live" needs the wasm hydrated and its event stream open.
  await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'ok');
  // The stylesheet, by its hashed name, is applied.
  const css = await page.evaluate(() =>
    Array.from(document.styleSheets).map((s) => [s.href ?? '', s.cssRules.length] as const),
  );
  expect(css.some(([href, rules]) => /\/pkg\/patrol\.[0-9a-f]{16}\.css$/.test(href) && rules > 0), JSON.stringify(css)).toBe(
    true,
  );

  // The overview follows etcd without a reload.
  const notReloaded = await markDocument(page);
  await clusterComesAndGoes(page, `e2e-standalone-${Date.now()}`, 'standalone-node');
  await notReloaded();
  blocked.push(...(await violations()));

  // Every page loads from the server and hydrates.
  for (const address of ['/clusters/pg/pg-meta', '/keys/pg/pg-meta/', '/etcd', '/audit', '/sign-in', '/no/such/page']) {
    const response = await page.goto(address);
    expect(response?.headers()['cache-control'], address).toBe('no-store');
    await expect(page.getByTestId('connection'), address).toHaveAttribute('data-state', 'ok');
    blocked.push(...(await violations()));
  }
  // Client-side navigation works too: a hydrated link does not reload.
  await gotoLive(page, '/');
  const stillLoaded = await markDocument(page);
  await page.getByRole('link', { name: 'Keys' }).click();
  await expect(page.getByTestId('dir')).toHaveText('/');
  await stillLoaded();

  blocked.push(...(await violations()));
  expect(blocked).toEqual([]);
  // A missing page is logged by the browser as a 404; nothing else may be.
  expect(errors.filter((e) => !e.includes('status of 404'))).toEqual([]);
});
