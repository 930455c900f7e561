import net from 'node:net';
import { expect, type Locator, type Page } from '@playwright/test';
import { etcdctl, watchErrors } from './etcd';

/** The window the wide screenshots are taken in. */
export const WIDE = { width: 1280, height: 900 };

/** Sets the wide window and collects every error the page logs (see watchErrors). */
export async function wideWithErrors(page: Page): Promise<string[]> {
  const errors = watchErrors(page);
  await page.setViewportSize(WIDE);
  return errors;
}

/** Opens `address` and waits until the app has hydrated and its event stream is open. */
export async function gotoLive(page: Page, address: string): Promise<void> {
  await page.goto(address);
  await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'ok');
}

/** Marks the document; the check it returns fails if the page has loaded again since. */
export async function markDocument(page: Page): Promise<() => Promise<void>> {
  await page.evaluate(() => ((window as unknown as { __kept: boolean }).__kept = true));
  return async () => {
    const kept = await page.evaluate(() => (window as unknown as { __kept?: boolean }).__kept);
    expect(kept, 'the page was loaded again').toBe(true);
  };
}

/**
 * Writes a leader for `scope` under /service to etcd: the overview shows the
 * cluster's card with `leader`, and drops the card once the key is deleted.
 */
export async function clusterComesAndGoes(page: Page, scope: string, leader: string): Promise<void> {
  const card = page.locator(`[data-testid=cluster][data-scope="${scope}"]`);
  try {
    etcdctl('put', `/service/${scope}/leader`, leader);
    await expect(card.getByTestId('leader')).toHaveText(leader, { timeout: 5_000 });
  } finally {
    etcdctl('del', '--prefix', `/service/${scope}/`);
  }
  await expect(card).toHaveCount(0, { timeout: 5_000 });
}

/**
 * Opens `address` 375, 1280 and 1920 px wide: hydrated, `ready` met, no
 * horizontal overflow, and a full-page screenshot to `shot(width)`.
 */
export async function fitsEveryWidth(
  page: Page,
  address: string,
  shot: (width: number) => string,
  ready: () => Promise<void> = async () => {},
): Promise<void> {
  for (const width of [375, 1280, 1920]) {
    await page.setViewportSize({ width, height: 900 });
    await gotoLive(page, address);
    await ready();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `horizontal overflow at ${width}px`).toBeLessThanOrEqual(0);
    await page.screenshot({ path: shot(width), fullPage: true });
  }
}

/**
 * Screenshots `part` as test-results/<name>-1280.png, then the page 375 px
 * wide and `height` high as <name>-375.png (with `scrollTo` scrolled into
 * view first; `bottom`, when given, scrolled to and shot again as
 * <name>-375-bottom.png), and returns to the wide window.
 */
export async function shootWideAndNarrow(
  page: Page,
  part: Page | Locator,
  name: string,
  { height = 800, scrollTo, bottom }: { height?: number; scrollTo?: Locator; bottom?: Locator } = {},
): Promise<void> {
  await part.screenshot({ path: `test-results/${name}-1280.png` });
  await page.setViewportSize({ width: 375, height });
  await scrollTo?.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `test-results/${name}-375.png` });
  if (bottom) {
    await bottom.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `test-results/${name}-375-bottom.png` });
  }
  await page.setViewportSize(WIDE);
}

/** A POST of `data` to `url` without a session is refused with 401. */
export async function refusedToViewer(page: Page, url: string, data: object): Promise<void> {
  const resp = await page.request.post(url, { data });
  expect(resp.status(), `POST ${url}`).toBe(401);
}

/**
 * The action dialog's submit stays off, its hint saying `hint`, until the
 * word is typed exactly: `almost` leaves it off, `word` turns it on. The
 * dialog's submit button and confirmation field.
 */
export async function typeToConfirm(
  dialog: Locator,
  hint: RegExp,
  almost: string,
  word: string,
): Promise<{ submit: Locator; confirm: Locator }> {
  const submit = dialog.getByTestId('action-submit');
  const confirm = dialog.getByTestId('confirm-input');
  await expect(submit).toBeDisabled();
  await expect(dialog.getByTestId('submit-hint')).toHaveText(hint);
  await confirm.fill(almost);
  await expect(submit).toBeDisabled();
  await confirm.fill(word);
  await expect(submit).toBeEnabled();
  return { submit, confirm };
}

/** A port nothing listens on now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
