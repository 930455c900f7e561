import { test, expect } from '@playwright/test';
import { etcdctl, watchErrors } from './etcd';
import { gotoLive, shootWideAndNarrow, typeToConfirm, WIDE } from './helpers';

// Guarded key writes from the key page: an admin creates, edits and deletes
// a scratch key through preview and typed confirmation; Patroni's keys show
// why they are write-protected instead; viewers see nothing of it.

test('an admin creates, edits and deletes a key; a Patroni key stays protected', async ({ page, browser }) => {
  test.setTimeout(90_000);
  const errors = watchErrors(page);
  await page.setViewportSize(WIDE);
  const dir = `/patrol-test/writes/e2e-${Date.now()}/`;
  const key = `${dir}note`;
  try {
    await page.goto(`/sign-in?next=/keys${key}`);
    await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'ok');
    await page.getByTestId('sign-in-password').fill('e2e-admin-password');
    await page.getByTestId('sign-in-submit').click();
    await expect(page).toHaveURL(new RegExp(`/keys${key}$`));
    await expect(page.getByTestId('kv-missing')).toBeVisible();
    const panel = page.getByTestId('key-admin');

    // Create: the editor, the preview of a new key, the key typed to confirm.
    await panel.getByTestId('key-create').click();
    await panel.getByTestId('key-editor').fill('hello');
    await panel.getByTestId('key-preview').click();
    let dialog = page.getByTestId('action-dialog');
    await expect(dialog).toHaveAttribute('data-action', 'kv-put');
    await expect(dialog.getByTestId('write-pin')).toContainText('does not exist');
    await expect(dialog.getByTestId('write-diff')).toHaveText('+ hello');
    let { submit } = await typeToConfirm(dialog, /Type the key/, key.slice(0, -1), key);
    await submit.click();
    await expect(dialog.getByTestId('result-line')).toHaveText(/^Written at revision \d+\.$/);
    await expect(dialog.getByTestId('audit-seq')).toBeVisible();
    await expect(dialog.getByTestId('follow-through')).toHaveAttribute('data-state', 'met');
    await dialog.getByTestId('dialog-done').click();
    await expect(page.getByTestId('value')).toHaveText('hello');
    expect(etcdctl('get', key, '--print-value-only')).toBe('hello');

    // Edit: the preview's diff, pinned to the revision the page shows.
    const revision = await page.getByTestId('mod-revision').innerText();
    await panel.getByTestId('key-edit').click();
    await expect(panel.getByTestId('key-editor')).toHaveValue('hello');
    await panel.getByTestId('key-editor').fill('hello\nworld');
    await panel.getByTestId('key-preview').click();
    dialog = page.getByTestId('action-dialog');
    await expect(dialog.getByTestId('write-pin')).toHaveAttribute('data-revision', revision);
    await expect(dialog.getByTestId('write-diff')).toContainText('+ world');
    await shootWideAndNarrow(page, dialog, 'key-write-preview', { height: 800 });
    ({ submit } = await typeToConfirm(dialog, /Type the key/, 'note', key));
    await submit.click();
    await expect(dialog.getByTestId('follow-through')).toHaveAttribute('data-state', 'met');
    await dialog.getByTestId('dialog-done').click();
    await expect(page.getByTestId('value')).toHaveText('hello\nworld');

    // Someone else changes it: the write pinned to the old revision is refused.
    const seen = await page.getByTestId('mod-revision').innerText();
    await panel.getByTestId('key-edit').click();
    await panel.getByTestId('key-editor').fill('mine');
    await panel.getByTestId('key-preview').click();
    dialog = page.getByTestId('action-dialog');
    await expect(dialog.getByTestId('write-pin')).toHaveAttribute('data-revision', seen);
    etcdctl('put', key, 'theirs');
    ({ submit } = await typeToConfirm(dialog, /Type the key/, 'x', key));
    await submit.click();
    await expect(dialog.getByTestId('action-error')).toContainText('nothing was written');
    expect(etcdctl('get', key, '--print-value-only')).toBe('theirs');
    await dialog.getByTestId('dialog-cancel').click();

    // Delete.
    await panel.getByTestId('key-delete').click();
    dialog = page.getByTestId('action-dialog');
    await expect(dialog).toHaveAttribute('data-action', 'kv-delete');
    await expect(dialog.getByTestId('write-diff')).toHaveText('- theirs');
    ({ submit } = await typeToConfirm(dialog, /Type the key/, 'theirs', key));
    await submit.click();
    await expect(dialog.getByTestId('result-line')).toHaveText(/^Deleted at revision \d+\.$/);
    await expect(dialog.getByTestId('follow-through')).toHaveAttribute('data-state', 'met');
    await dialog.getByTestId('dialog-done').click();
    await expect(page.getByTestId('kv-missing')).toBeVisible();
    expect(etcdctl('get', key, '--print-value-only')).toBe('');

    // Patroni's configuration: the explanation and the way instead, no buttons.
    await gotoLive(page, '/keys/pg/pg-meta/config');
    await expect(page.getByTestId('key-protected')).toContainText('Write-protected');
    await expect(page.getByTestId('key-protected-instead')).toContainText('configuration on the cluster page');
    await expect(page.getByTestId('key-edit')).toHaveCount(0);
    await expect(page.getByTestId('key-delete')).toHaveCount(0);
    await page.getByTestId('key-admin').screenshot({ path: 'test-results/key-write-protected-1280.png' });

    // A viewer (another browser, not signed in) sees nothing of it.
    const origin = new URL(page.url()).origin;
    const viewer = await browser.newPage();
    etcdctl('put', key, 'for the viewer');
    await gotoLive(viewer, `${origin}/keys${key}`);
    await expect(viewer.getByTestId('value')).toHaveText('for the viewer');
    await expect(viewer.getByTestId('key-admin')).toHaveCount(0);
    await viewer.close();
    // The browser logs each refused request: the stale write (409) and the
    // reads of the key while it does not exist (404); nothing else.
    const expected = /^Failed to load resource: the server responded with a status of (404|409)\b/;
    expect(errors.filter((e) => !expected.test(e))).toEqual([]);
  } finally {
    etcdctl('del', '--prefix', dir);
  }
});
