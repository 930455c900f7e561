import { execFileSync } from 'node:child_process';
import type { Page } from '@playwright/test';

const endpoints =
  process.env.PATROL_TESTBED_ENDPOINTS ??
  'http://127.0.0.1:12379,http://127.0.0.1:12479,http://127.0.0.1:12579';

/** Runs etcdctl against the test bed (never with ETCDCTL_ENDPOINTS set too). */
export function etcdctl(...args: string[]): string {
  const env = { ...process.env, ETCDCTL_API: '3' };
  delete env.ETCDCTL_ENDPOINTS;
  return execFileSync('etcdctl', [`--endpoints=${endpoints}`, ...args], { env, encoding: 'utf8' }).trim();
}

/** Puts raw bytes (any key, any value) through etcd's v3 JSON gateway. */
export async function putBytes(key: Buffer, value: Buffer): Promise<void> {
  const first = endpoints.split(',')[0];
  const body = JSON.stringify({ key: key.toString('base64'), value: value.toString('base64') });
  const resp = await fetch(`${first}/v3/kv/put`, { method: 'POST', body });
  if (!resp.ok) throw new Error(`etcd put failed: ${resp.status} ${await resp.text()}`);
}

/** Collects every error the page logs (a broken hydration shows up here). */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  return errors;
}
