import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test, expect, type Page } from '@playwright/test';
import { watchErrors } from './etcd';
import { refusedToViewer, shootWideAndNarrow, typeToConfirm, wideWithErrors } from './helpers';

/** `etcdctl snapshot status -w json` of a file. */
function snapshotStatus(file: string): { hash: number; revision: number; totalKey: number; totalSize: number } {
  const env = { ...process.env, ETCDCTL_API: '3' };
  delete env.ETCDCTL_ENDPOINTS;
  return JSON.parse(execFileSync('etcdctl', ['snapshot', 'status', '-w', 'json', file], { env, encoding: 'utf8' }));
}

/** Signs in through the form and comes back to /etcd, hydrated. */
async function signInToEtcd(page: Page) {
  await page.goto('/sign-in?next=/etcd');
  await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'ok');
  await page.getByTestId('sign-in-password').fill('e2e-admin-password');
  await page.getByTestId('sign-in-submit').click();
  await expect(page).toHaveURL(/\/etcd$/);
  await expect(page.getByTestId('access')).toHaveText('admin: admin');
  await expect(page.getByTestId('etcd-member')).toHaveCount(3);
}

test('a viewer sees no etcd admin panel, and the routes refuse', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('/etcd');
  await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'ok');
  await expect(page.getByTestId('etcd-member')).toHaveCount(3);
  await expect(page.getByTestId('access')).toHaveText('read-only');
  await expect(page.getByTestId('etcd-admin')).toHaveCount(0);
  await expect(page.getByTestId('etcd-read-only')).toHaveCount(0);
  await expect(page.locator('[data-testid^=etcd-action-]')).toHaveCount(0);
  await expect(page.getByRole('button', { name: /snapshot|compact|defragment|leader|learner|member/i })).toHaveCount(0);

  await refusedToViewer(page, '/api/v1/etcd/snapshot', { confirm: 'etcd' });
  expect(errors).toEqual([]);
});

test('an admin downloads a snapshot etcdctl reads, and defragments one follower', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = await wideWithErrors(page);
  await signInToEtcd(page);
  const panel = page.getByTestId('etcd-admin');
  await expect(panel).toBeVisible();
  // The e2e Patrol keeps no copies (no --snapshot-dir): no list.
  await expect(panel.getByTestId('kept-snapshots')).toHaveCount(0);
  // No alarms and no learners on the test bed: those buttons stay away.
  await expect(panel.getByTestId('etcd-action-disarm')).toHaveCount(0);
  await expect(panel.getByTestId('etcd-action-promote')).toHaveCount(0);
  await shootWideAndNarrow(page, panel, 'etcd-admin-panel', { scrollTo: panel });

  // Snapshot: the word first, then a native download.
  await panel.getByTestId('etcd-action-snapshot').click();
  const dialog = page.getByTestId('action-dialog');
  await expect(dialog).toHaveAttribute('data-action', 'snapshot');
  await expect(dialog.getByTestId('snapshot-file')).toHaveText(/^patrol-[0-9a-f]+-\d+-<time>\.db$/);
  const { submit, confirm } = await typeToConfirm(dialog, /^Type the word above exactly/, 'etc', 'etcd');

  // The page reads etcd again every 3 s; the open dialog keeps its state.
  const readAt = await page.getByTestId('read-at').getAttribute('data-ms');
  await expect(page.getByTestId('read-at')).not.toHaveAttribute('data-ms', readAt ?? '', { timeout: 10_000 });
  await expect(confirm).toHaveValue('etcd');
  await expect(submit).toBeEnabled();
  await shootWideAndNarrow(page, dialog, 'etcd-snapshot-dialog');

  const [download] = await Promise.all([page.waitForEvent('download'), submit.click()]);
  const name = download.suggestedFilename();
  expect(name).toMatch(/^patrol-[0-9a-f]+-\d+-\d{8}T\d{6}Z\.db$/);
  const dir = path.join('test-results', 'etcd-admin');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  await download.saveAs(file);
  expect(await download.failure()).toBeNull();
  const status = snapshotStatus(file);
  expect(status.totalKey).toBeGreaterThan(0);
  expect(status.revision).toBeGreaterThan(0);
  await expect(dialog.getByTestId('action-pending')).toContainText('Your browser is saving the snapshot');
  await expect(dialog.getByTestId('action-result')).toHaveCount(0);
  // The audit log's after record holds the file's SHA-256.
  const sha = createHash('sha256').update(readFileSync(file)).digest('hex');
  await expect
    .poll(async () => JSON.stringify(await (await page.request.get('/api/v1/audit')).json()), { timeout: 15_000 })
    .toContain(sha);
  await dialog.getByTestId('dialog-close').click();
  await expect(dialog).toHaveCount(0);

  // Compact: the preflight only (the keyspace tests want their history).
  await panel.getByTestId('etcd-action-compact').click();
  await expect(dialog).toHaveAttribute('data-action', 'compact');
  await dialog.getByTestId('compact-keep').fill('5');
  await expect(dialog.getByTestId('preflight-current')).toHaveText(/^\d+$/);
  const current = Number(await dialog.getByTestId('preflight-current').textContent());
  await expect(dialog.getByTestId('preflight-target')).toHaveText(/^revisions before \d+$/);
  await expect(dialog.getByTestId('preflight-lost')).toHaveText(/^\d+ revisions$/);
  expect(current).toBeGreaterThan(5);
  await dialog.getByTestId('confirm-input').fill('etcd');
  await shootWideAndNarrow(page, dialog, 'etcd-compact-dialog');
  await dialog.getByTestId('dialog-cancel').click();
  await expect(dialog).toHaveCount(0);

  // Defragment one follower, confirmed by its name.
  const follower = await page
    .locator('[data-testid=etcd-member][data-role=follower]')
    .first()
    .getAttribute('data-member');
  expect(follower).toBeTruthy();
  await panel.getByTestId('etcd-action-defragment').click();
  await expect(dialog).toHaveAttribute('data-action', 'defragment');
  await expect(dialog.getByTestId('confirm-word')).toHaveText('etcd');
  const id = await dialog.locator(`option[data-label="${follower}"]`).getAttribute('value');
  await dialog.getByTestId('member-select').selectOption(id ?? '');
  await expect(dialog.getByTestId('confirm-word')).toHaveText(follower ?? '');
  await dialog.getByTestId('confirm-input').fill('etcd');
  await expect(dialog.getByTestId('action-submit')).toBeDisabled();
  await dialog.getByTestId('confirm-input').fill(follower ?? '');
  await dialog.getByTestId('action-submit').click();
  const result = dialog.getByTestId('action-result');
  await expect(result).toHaveAttribute('data-accepted', 'true', { timeout: 30_000 });
  await expect(dialog.getByTestId('result-line')).toHaveText(/^✓ Defragmented 1 member, .* given back\.$/);
  await expect(dialog.getByTestId('defrag-row')).toHaveCount(1);
  await expect(dialog.getByTestId('defrag-row')).toHaveAttribute('data-member', follower ?? '');
  await expect(dialog.getByTestId('audit-seq')).toBeVisible();
  await dialog.screenshot({ path: 'test-results/etcd-defragment-done-1280.png' });
  await dialog.getByTestId('dialog-done').click();
  await expect(dialog).toHaveCount(0);

  // A refusal comes back verbatim: signed out behind the page's back, the
  // snapshot form's answer is a 401, shown in the dialog.
  await panel.getByTestId('etcd-action-snapshot').click();
  await dialog.getByTestId('confirm-input').fill('etcd');
  expect((await page.request.delete('/api/v1/session')).status()).toBe(200);
  await dialog.getByTestId('action-submit').click();
  await expect(result).toHaveAttribute('data-accepted', 'false');
  await expect(result).toHaveAttribute('data-status', '401');
  await expect(dialog.getByTestId('result-line')).toHaveText('✗ Refused: HTTP 401');
  await expect(dialog.getByTestId('etcd-error')).toHaveText(/^unauthorized: /);
  await page.setViewportSize({ width: 375, height: 800 });
  await page.screenshot({ path: 'test-results/etcd-snapshot-refused-375.png' });
  // The refused post is logged by the browser as a 401; nothing else may be.
  expect(errors.filter((e) => !e.includes('status of 401'))).toEqual([]);
});

test('the member dialogs follow the chosen member and stay off until its name is typed', async ({ page }) => {
  // Nothing is submitted here: the test bed keeps its members and leader.
  const errors = await wideWithErrors(page);
  await signInToEtcd(page);
  const panel = page.getByTestId('etcd-admin');
  const dialog = page.getByTestId('action-dialog');
  const submit = dialog.getByTestId('action-submit');
  const confirm = dialog.getByTestId('confirm-input');
  const hint = dialog.getByTestId('submit-hint');
  const leader = (await page.locator('[data-testid=etcd-member][data-role=leader]').getAttribute('data-member')) ?? '';
  expect(leader).toMatch(/^etcd\d$/);

  // Move leader: only a follower may lead; the word is its name.
  await panel.getByTestId('etcd-action-move-leader').click();
  await expect(dialog).toHaveAttribute('data-action', 'move-leader');
  await expect(dialog.locator(`option[data-label="${leader}"]`)).toHaveJSProperty('disabled', true);
  const to = (await dialog.getByTestId('confirm-word').textContent()) ?? '';
  expect(to).toMatch(/^etcd\d$/);
  expect(to).not.toBe(leader);
  await confirm.fill(leader);
  await expect(submit).toBeDisabled();
  await confirm.fill(to);
  await expect(submit).toBeEnabled();
  await dialog.screenshot({ path: 'test-results/etcd-move-leader-1280.png' });
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);

  // Add learner: a new name and a peer URL first, then that name typed again.
  await panel.getByTestId('etcd-action-add-learner').click();
  await expect(dialog).toHaveAttribute('data-action', 'add-learner');
  await expect(hint).toHaveText("Give the new member's name.");
  await dialog.getByTestId('learner-name').fill(leader);
  await expect(hint).toHaveText(`A member named ${leader} exists already.`);
  await dialog.getByTestId('learner-name').fill('etcd9');
  await expect(hint).toHaveText(/^Give its peer URL/);
  await dialog.getByTestId('learner-peer-urls').fill('127.0.0.1:12999');
  await expect(hint).toHaveText('127.0.0.1:12999 is not an http:// or https:// URL.');
  await dialog.getByTestId('learner-peer-urls').fill('http://127.0.0.1:12999');
  await expect(dialog.getByTestId('confirm-word')).toHaveText('etcd9');
  await confirm.fill('etcd9');
  await expect(submit).toBeEnabled();
  await shootWideAndNarrow(page, dialog, 'etcd-add-learner');
  await dialog.getByTestId('dialog-cancel').click();
  await expect(dialog).toHaveCount(0);

  // Remove: nothing is picked until the admin picks.
  await panel.getByTestId('etcd-action-remove').click();
  await expect(dialog).toHaveAttribute('data-action', 'remove');
  await expect(hint).toHaveText('Pick the member to remove.');
  await expect(submit).toBeDisabled();
  const id = await dialog.locator(`option[data-label="${to}"]`).getAttribute('value');
  await dialog.getByTestId('member-select').selectOption(id ?? '');
  await expect(dialog.getByTestId('confirm-word')).toHaveText(to);
  await expect(dialog.getByTestId('option-override')).toHaveCount(0);
  await dialog.screenshot({ path: 'test-results/etcd-remove-1280.png' });
  await dialog.getByTestId('dialog-close').click();
  await expect(dialog).toHaveCount(0);
  expect(errors).toEqual([]);
});
