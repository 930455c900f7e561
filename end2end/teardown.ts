import fs from 'node:fs';

// Removes the directory playwright.config.ts copied patrol into.
export default function teardown(): void {
  const dir = process.env.PATROL_E2E_DIR;
  if (dir && dir.includes('patrol-e2e-')) fs.rmSync(dir, { recursive: true, force: true });
}
