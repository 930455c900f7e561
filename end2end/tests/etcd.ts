import { execFileSync } from 'node:child_process';

const endpoints =
  process.env.PATROL_TESTBED_ENDPOINTS ??
  'http://127.0.0.1:12379,http://127.0.0.1:12479,http://127.0.0.1:12579';

/** Runs etcdctl against the test bed (never with ETCDCTL_ENDPOINTS set too). */
export function etcdctl(...args: string[]): string {
  const env = { ...process.env, ETCDCTL_API: '3' };
  delete env.ETCDCTL_ENDPOINTS;
  return execFileSync('etcdctl', [`--endpoints=${endpoints}`, ...args], { env, encoding: 'utf8' }).trim();
}
