// The product in Restricted Mode: the folder is opened and the trust dialog answered "No".
// gpu-env declares `capabilities.untrustedWorkspaces.supported: "limited"`, so the extension stays
// enabled and its commands stay in the palette; the ones that create containers or run code refuse
// with an error naming the command (src/vscode/trust.ts), and nothing reaches the engine.
//
// Screenshots: test-artifacts/e2e/product-untrusted.png (the refusal),
// product-untrusted.manage-trust.png (its "Manage Workspace Trust" button opened the trust editor).
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clearNotifications,
  clickNotificationButton,
  getNotifications,
  getStatusBarItems,
  isCommandAvailable,
  isRestrictedMode,
  runCommand,
  screenshot,
  viewLocator,
  waitForNotification,
  waitForStatusBarItem,
} from '../browser';
import { runJourney } from '../journey';
import { sleep } from '../paths';
import {
  BASE_IMAGE,
  buildProductVsix,
  containersWithLabel,
  makeTempDir,
  NAME_LABEL,
  ownedWorkspace,
  productEnv,
  productSettings,
  removeJourneyContainers,
  SKIP_REASON,
  TITLES,
  uniqueEnvName,
  WORKSPACE_LABEL,
} from '../product';

const ENV_NAME = uniqueEnvName('untrusted');

/** What src/vscode/trust.ts shows for a refused command (English; the harness runs VS Code in English). */
function refusal(commandTitle: string): string {
  return `"${commandTitle}" requires a trusted workspace: this workspace's settings choose the Docker engine, the image and the folder to mount. Nothing was started.`;
}

let tmp: string | undefined;
let workspace: string | undefined;
let vsix: string | undefined;

beforeAll(async () => {
  if (!BASE_IMAGE) {
    console.log(`[product-untrusted] ${SKIP_REASON}`);
    return;
  }
  tmp = makeTempDir('product-untrusted');
  vsix = await buildProductVsix(tmp);
  workspace = ownedWorkspace(tmp, 'workspace', 1234);
}, 240_000);

afterAll(async () => {
  if (BASE_IMAGE) {
    const removed = await removeJourneyContainers([ENV_NAME], workspace ? [workspace] : []);
    if (removed.length > 0) console.log(`[product-untrusted] removed containers (there should have been none): ${removed.join(', ')}`);
  }
  if (tmp) rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
}, 120_000);

describe('gpu-env product journeys (untrusted workspace)', () => {
  it('3. Restricted Mode: Start and Open Terminal are refused with the trust message, no container is created', async (ctx) => {
    if (!BASE_IMAGE) ctx.skip(SKIP_REASON);
    const noContainers = async () => {
      expect(await containersWithLabel(NAME_LABEL, ENV_NAME)).toEqual([]);
      expect(await containersWithLabel(WORKSPACE_LABEL, workspace!)).toEqual([]);
    };
    await runJourney(
      {
        name: 'product-untrusted',
        vsix: vsix!,
        folder: workspace!,
        trust: 'restricted',
        env: productEnv(),
        settings: productSettings(ENV_NAME),
        finalScreenshot: false,
        timeoutMs: 4 * 60_000,
      },
      async ({ name, page }) => {
        await waitForStatusBarItem(page, 'Restricted Mode');
        expect(await isRestrictedMode(page)).toBe(true);
        await noContainers();

        // "limited" support: the extension is enabled and the command is in the palette.
        expect(await isCommandAvailable(page, TITLES.start, 10_000)).toBe(true);
        await runCommand(page, TITLES.start);
        const toast = await waitForNotification(page, refusal('Start GPU Environment'), { timeoutMs: 30_000 });
        expect(await toast.locator('.codicon-error').count()).toBeGreaterThan(0);
        const shown = (await getNotifications(page)).find((n) => n.message === refusal('Start GPU Environment'));
        expect(shown?.buttons).toEqual(['Manage Workspace Trust']);
        // No progress notification either ("Starting GPU environment ...").
        expect((await getNotifications(page)).some((n) => /Starting GPU environment/i.test(n.message))).toBe(false);

        // The Environments view still lists (read-only) in Restricted Mode; show it for the picture.
        await page.locator('.part.activitybar .action-item a.action-label[aria-label="GPU"], .part.activitybar .action-item a.action-label[aria-label^="GPU ("]').first().click();
        await viewLocator(page, 'Environments').waitFor({ state: 'visible', timeout: 30_000 });
        await page.mouse.move(700, 450); // no activity-bar hover in the picture

        // Give a (wrongly) started creation time to reach the engine, then check: nothing.
        await sleep(5_000);
        await noContainers();
        expect((await getStatusBarItems(page)).some((i) => i.text.startsWith('GPU: '))).toBe(false);
        await screenshot(page, name);

        // Open Terminal is refused the same way.
        await clearNotifications(page);
        await runCommand(page, TITLES.openTerminal);
        await waitForNotification(page, refusal('Open Terminal in GPU Environment'), { timeoutMs: 30_000 });
        await noContainers();

        // The refusal's button opens the Workspace Trust editor (and trusts nothing by itself).
        await clickNotificationButton(page, refusal('Open Terminal in GPU Environment'), 'Manage Workspace Trust');
        await page.locator('.workspace-trust-editor').waitFor({ state: 'visible', timeout: 30_000 });
        expect(await isRestrictedMode(page)).toBe(true);
        await screenshot(page, name, 'manage-trust');
        await noContainers();
      },
    );
  }, 5 * 60_000);
});
