import { test, expect, type Page } from '@playwright/test';
import { watchErrors } from './etcd';
import { refusedToViewer, shootWideAndNarrow, typeToConfirm, wideWithErrors } from './helpers';

/** Members of pg-meta that stream from the leader, as Patroni's REST API says. */
async function streamingReplicas(): Promise<string[]> {
  const resp = await fetch('http://127.0.0.1:18001/cluster');
  const body = (await resp.json()) as { members: { name: string; role: string; state: string }[] };
  return body.members.filter((m) => m.role !== 'leader' && m.state === 'streaming').map((m) => m.name);
}

/** pg-meta's leader, as Patroni's REST API says. */
async function leader(): Promise<string | undefined> {
  const resp = await fetch('http://127.0.0.1:18001/cluster');
  const body = (await resp.json()) as { members: { name: string; role: string }[] };
  return body.members.find((m) => m.role === 'leader')?.name;
}

async function signIn(page: Page, password: string) {
  await page.getByTestId('sign-in-password').fill(password);
  await page.getByTestId('sign-in-submit').click();
}

test('a viewer sees no admin actions, and the API refuses them', async ({ page }) => {
  const errors = watchErrors(page);
  await page.goto('/clusters/pg/pg-meta');
  await expect(page.getByTestId('kv-live')).toHaveAttribute('data-state', 'live');
  await expect(page.getByTestId('access')).toHaveText('read-only');
  await expect(page.getByTestId('sign-in-link')).toBeVisible();
  await expect(page.getByTestId('admin-actions')).toHaveCount(0);
  await expect(page.locator('[data-testid^=action-]')).toHaveCount(0);
  await expect(page.getByRole('button', { name: /switchover|failover|pause|restart/i })).toHaveCount(0);

  await refusedToViewer(page, '/api/v1/clusters/pg/pg-meta/pause', { confirm: 'pg-meta' });
  expect(errors).toEqual([]);
});

test('an admin signs in through the form and runs a switchover to a chosen replica', async ({ page }) => {
  test.setTimeout(150_000);
  const errors = await wideWithErrors(page);
  await page.goto('/clusters/pg/pg-meta');
  await page.getByTestId('sign-in-link').click();
  await expect(page).toHaveURL(/\/sign-in\?next=\/clusters\/pg\/pg-meta$/);
  await expect(page.getByTestId('sign-in-user')).toHaveValue('admin');
  // Hydrated (the live stream is open), so the form signs in without a reload.
  await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'ok');
  await shootWideAndNarrow(page, page, 'sign-in', { height: 700 });

  await signIn(page, 'not-the-password');
  await expect(page.getByTestId('sign-in-error')).toHaveText('Wrong user name or password.');
  await expect(page.getByTestId('sign-in-password')).not.toHaveValue(/e2e/);
  await signIn(page, 'e2e-admin-password');
  await expect(page).toHaveURL(/\/clusters\/pg\/pg-meta$/);
  await expect(page.getByTestId('access')).toHaveText('admin: admin');
  await expect(page.getByTestId('kv-live')).toHaveAttribute('data-state', 'live');
  const panel = page.getByTestId('admin-actions');
  await expect(panel).toBeVisible();

  // Both replicas streaming, so both are eligible; the first by name is the target.
  await expect.poll(streamingReplicas, { timeout: 60_000 }).toHaveLength(2);
  const before = await leader();
  const candidate = (await streamingReplicas()).sort()[0];
  expect(before).toBeTruthy();
  await page.getByTestId('action-switchover').click();
  const dialog = page.getByTestId('action-dialog');
  await expect(dialog).toHaveAttribute('data-action', 'switchover');
  const row = dialog.locator(`[data-testid=candidate][data-candidate="${candidate}"]`);
  await expect(row).toHaveAttribute('data-eligible', 'true', { timeout: 15_000 });
  await expect(row.getByTestId('check-row').first()).toBeVisible();
  await expect(row.locator('[data-testid=check-row][data-ok=false]')).toHaveCount(0);
  await expect(dialog.locator(`[data-testid=candidate][data-candidate="${before}"]`)).toHaveCount(0);
  await row.getByTestId('candidate-radio').check();

  const { submit } = await typeToConfirm(dialog, /^Type the name above exactly/, 'pg-met', 'pg-meta');
  await expect(dialog.getByTestId('submit-hint')).toHaveText('');
  await shootWideAndNarrow(page, dialog, 'switchover-dialog', { bottom: submit });

  await submit.click();
  await expect(dialog.getByTestId('action-result')).toHaveAttribute('data-accepted', 'true', { timeout: 60_000 });
  const follow = dialog.getByTestId('follow-through');
  await expect(follow).toHaveAttribute('data-state', 'met', { timeout: 60_000 });
  await expect(follow).toHaveText(new RegExp(`^New leader ${candidate} seen in etcd after \\d+\\.\\d s$`));
  await expect(dialog.getByTestId('result-line')).toContainText(candidate);
  await shootWideAndNarrow(page, dialog, 'switchover-done', { height: 700 });
  await expect(page.getByTestId('facts').getByTestId('leader')).toHaveText(candidate);
  await dialog.getByTestId('dialog-done').click();
  await expect(dialog).toHaveCount(0);
  // Recent changes lists the move, from the store, once the writer's tick has passed.
  const moved = page.locator('[data-testid=change-row][data-kind=leader_changed]').filter({ hasText: `→ ${candidate}` });
  await expect(moved.first()).toBeVisible({ timeout: 20_000 });
  await expect(page.locator(`[data-testid=change-row][data-kind=role_changed]`).filter({ hasText: `${candidate}: role ` }).first()).toBeVisible();
  await shootWideAndNarrow(page, page.getByTestId('changes'), 'recent-changes', { height: 700, scrollTo: page.getByTestId('changes') });

  await page.goto('/audit');
  const record = page.getByTestId('audit-row').filter({ hasText: 'switchover' }).filter({ hasText: 'pg/pg-meta' });
  await expect(record.first()).toBeVisible();
  await expect(page.getByTestId('audit-verified')).toHaveAttribute('data-ok', 'true');

  await page.getByTestId('sign-out').click();
  await expect(page.getByTestId('access')).toHaveText('read-only');
  await expect(page.getByTestId('sign-in-link')).toBeVisible();

  // The old leader streams again before the next test.
  await expect.poll(streamingReplicas, { timeout: 60_000 }).toHaveLength(2);
  // The one wrong password above is answered 401, which the browser logs.
  expect(errors.filter((e) => !e.includes('status of 401'))).toEqual([]);
});

test('without WebAssembly the sign-in form still works, errors included', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/sign-in?next=/clusters/pg/pg-meta');
  await signIn(page, 'not-the-password');
  await expect(page.getByTestId('sign-in-error')).toHaveText('Wrong user name or password.');
  await signIn(page, 'e2e-admin-password');
  await expect(page.getByTestId('signed-in')).toHaveText('Signed in as admin.');
  await expect(page.getByTestId('access')).toHaveText('admin: admin');
  // The cluster page itself needs WebAssembly (it streams); the link leads there.
  await expect(page.getByTestId('continue')).toHaveAttribute('href', '/clusters/pg/pg-meta');
  await context.close();
});

test('an admin flushes a scheduled restart, and the page shows it gone', async ({ page }) => {
  test.setTimeout(90_000);
  const errors = watchErrors(page);
  const current = await leader();
  const replica = ['pg-meta-1', 'pg-meta-2', 'pg-meta-3'].find((m) => m !== current) as string;
  const api = `http://127.0.0.1:1800${replica.slice(-1)}`;
  const at = new Date(Date.now() + 3_600_000).toISOString();
  const scheduled = await fetch(`${api}/restart`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ schedule: at, restart_pending: true }),
  });
  expect(scheduled.status).toBe(202);
  try {
    await page.goto('/sign-in?next=/clusters/pg/pg-meta');
    await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'ok');
    await signIn(page, 'e2e-admin-password');
    await expect(page).toHaveURL(/\/clusters\/pg\/pg-meta$/);
    const op = page.locator(`[data-testid=scheduled-op][data-kind=restart][data-member="${replica}"]`);
    await expect(op).toContainText('only if a restart is pending');
    await expect(page.locator(`[data-testid=member-row][data-member="${replica}"] [data-testid=scheduled-restart]`))
      .toContainText('only if a restart is pending');

    await page.getByTestId('action-flush').click();
    const dialog = page.getByTestId('action-dialog');
    await expect(dialog).toHaveAttribute('data-action', 'flush');
    await expect(dialog.locator(`[data-testid=scheduled-op][data-member="${replica}"]`)).toBeVisible();
    const { submit } = await typeToConfirm(dialog, /^Type the name above exactly/, 'pg-met', 'pg-meta');
    await submit.click();
    await expect(dialog.getByTestId('action-result')).toHaveAttribute('data-accepted', 'true', { timeout: 30_000 });
    await expect(dialog.getByTestId('flush-item')).toHaveAttribute('data-cancelled', 'true');
    await expect(dialog.getByTestId('follow-through')).toHaveAttribute('data-state', 'met', { timeout: 20_000 });
    await expect(dialog.getByTestId('audit-seq')).toBeVisible();
    await dialog.getByTestId('dialog-done').click();
    await expect(page.getByTestId('scheduled-empty')).toBeVisible();
    await expect(op).toHaveCount(0);
  } finally {
    // Whatever happened above, leave nothing scheduled.
    await fetch(`${api}/restart`, { method: 'DELETE' });
  }
  expect(errors).toEqual([]);
});

test('an admin edits the configuration: a checked diff, then Patroni applies it', async ({ page }) => {
  test.setTimeout(90_000);
  const errors = await wideWithErrors(page);
  const config = async () => (await (await fetch('http://127.0.0.1:18001/config')).json()) as Record<string, unknown>;
  const before = (await config()).maximum_lag_on_failover as number;
  const edited = before + 4096;
  try {
    await page.goto('/sign-in?next=/clusters/pg/pg-meta');
    await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'ok');
    await signIn(page, 'e2e-admin-password');
    await expect(page).toHaveURL(/\/clusters\/pg\/pg-meta$/);
    await page.getByTestId('action-edit-config').click();
    const dialog = page.getByTestId('action-dialog');
    await expect(dialog).toHaveAttribute('data-action', 'edit-config');
    const text = dialog.getByTestId('config-text');
    await expect(text).toHaveValue(new RegExp(`"maximum_lag_on_failover": ${before}`));
    await expect(dialog.getByTestId('submit-hint')).toHaveText('Check the changes first.');

    // A type error stops the edit.
    const original = await text.inputValue();
    await text.fill(original.replace(/"ttl": \d+/, '"ttl": "soon"'));
    await dialog.getByTestId('config-check').click();
    await expect(dialog.getByTestId('config-errors')).toContainText('ttl: "soon" is not a whole number');
    await expect(dialog.getByTestId('action-submit')).toBeDisabled();

    // The real change: its diff, then the typed confirmation.
    await text.fill(original.replace(`"maximum_lag_on_failover": ${before}`, `"maximum_lag_on_failover": ${edited}`));
    await expect(dialog.getByTestId('config-stale')).toBeVisible();
    await dialog.getByTestId('config-check').click();
    const diff = dialog.getByTestId('diff');
    await expect(diff.locator('.d-del')).toHaveText(new RegExp(`^-\\s+"maximum_lag_on_failover": ${before},\\s*$`));
    await expect(diff.locator('.d-add')).toHaveText(new RegExp(`^\\+\\s+"maximum_lag_on_failover": ${edited},\\s*$`));
    await shootWideAndNarrow(page, dialog, 'edit-config', { scrollTo: diff });
    const { submit } = await typeToConfirm(dialog, /^Type the name above exactly/, 'pg-met', 'pg-meta');
    await submit.click();
    await expect(dialog.getByTestId('action-result')).toHaveAttribute('data-accepted', 'true', { timeout: 30_000 });
    await expect(dialog.getByTestId('follow-through')).toHaveAttribute('data-state', 'met', { timeout: 20_000 });
    await expect(dialog.getByTestId('follow-through')).toContainText('The new configuration seen in etcd');
    await expect(dialog.getByTestId('audit-seq')).toBeVisible();
    expect((await config()).maximum_lag_on_failover).toBe(edited);
  } finally {
    await fetch('http://127.0.0.1:18001/config', {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ maximum_lag_on_failover: before }),
    });
  }
  expect(errors).toEqual([]);
});
