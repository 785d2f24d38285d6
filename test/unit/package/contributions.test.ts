import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../src/vscode/commands/index';
import { formatOnly } from '../../support/format-only';
import { SETTING_FIELDS } from '../../../src/vscode/settings';
import { allFieldNames } from '../../support/field-names';
import { ENVIRONMENT_ACTIONS_COMMAND } from '../../../src/vscode/contribution-ids';
import { ENVIRONMENTS_VIEW, MONITOR_VIEW, RUNS_VIEW, TERMINAL_PROFILE_ID } from '../../../src/vscode/contribution-ids';
import type { RunState } from '../../../src/shared/protocol/dashboard';
import { runContextValue } from '../../../src/vscode/views/run-node';
import { TASK_TYPE } from '../../../src/vscode/tasks/train-task';
import { OPEN_DASHBOARD } from '../../../src/vscode/monitor/gpu-monitor-service';
import { ROOT, manifest, nls, nlsZh, strings } from '../../support/package-manifest';

/** The dashboard panel's view type; dashboard-panel.ts needs the vscode module, so it is repeated here. */
const DASHBOARD_VIEW_TYPE = 'gpuEnv.dashboard';

const declaredIds = manifest.contributes.commands.map((c) => c.command);
const registeredIds = COMMANDS.map((c) => c.id);

describe('package.json commands', () => {
  it('every declared command is registered, and every registered one declared', () => {
    expect([...registeredIds].sort()).toEqual([...declaredIds].sort());
    expect(new Set(registeredIds).size).toBe(registeredIds.length);
  });

  it('the issue\'s commands have exactly these titles, under the GPU category', () => {
    const title = (id: string) => nls[manifest.contributes.commands.find((c) => c.command === id)!.title.slice(1, -1)];
    expect(Object.fromEntries(['start', 'stop', 'remove', 'openTerminal', 'attach', 'showLogs', 'copySshCommand', 'runDoctor'].map((id) => [id, title(`gpuEnv.${id}`)]))).toEqual({
      start: 'Start GPU Environment',
      stop: 'Stop GPU Environment',
      remove: 'Remove GPU Environment',
      openTerminal: 'Open Terminal in GPU Environment',
      attach: 'Attach VS Code to GPU Environment',
      showLogs: 'Show GPU Environment Logs',
      copySshCommand: 'Copy SSH Command',
      runDoctor: 'Run GPU Doctor',
    });
    for (const command of manifest.contributes.commands) expect(nls[command.category!.slice(1, -1)]).toBe('GPU');
  });

  it('each handler\'s title (used in its messages) is its palette title', () => {
    for (const command of COMMANDS) {
      const declared = manifest.contributes.commands.find((c) => c.command === command.id)!;
      expect(command.title(formatOnly), command.id).toBe(nls[declared.title.slice(1, -1)]);
    }
  });

  it('menus only name declared commands, and item menus match the tree\'s context values', () => {
    const builtIn = new Set<string>();
    for (const [menu, entries] of Object.entries(manifest.contributes.menus)) {
      for (const entry of entries) {
        expect(declaredIds.includes(entry.command) || builtIn.has(entry.command), `${menu}: ${entry.command}`).toBe(true);
        if (menu === 'view/item/context') expect(entry.when).toMatch(/view == gpuEnv\.environments && viewItem (==|=~) \/?\^?environment\\?\.|view == gpuEnv\.runs && viewItem (==|=~) \/?\^?run\\?\./);
      }
    }
  });

  it('command links in welcome content and walkthroughs name declared commands', () => {
    const links = strings({ nls, nlsZh }).flatMap(({ value }) => [...value.matchAll(/\(command:([\w.]+)\)/g)].map((m) => m[1]!));
    expect(links.length).toBeGreaterThan(3);
    for (const id of links) expect(declaredIds, id).toContain(id);
  });

  it('run rows offer stop while active, resume once ended, and the dashboard and log always', () => {
    const itemMenus = manifest.contributes.menus['view/item/context']!.filter((e) => e.when?.startsWith('view == gpuEnv.runs'));
    const offered = (state: RunState): string[] => {
      const value = runContextValue(state);
      return [...new Set(itemMenus.filter((e) => new RegExp(/viewItem =~ \/(.+)\/$/.exec(e.when!)![1]!).test(value)).map((e) => e.command))].sort();
    };
    expect(offered('running')).toEqual(['gpuEnv.openDashboard', 'gpuEnv.showTrainingLog', 'gpuEnv.stopTraining']);
    expect(offered('starting')).toEqual(['gpuEnv.openDashboard', 'gpuEnv.showTrainingLog', 'gpuEnv.stopTraining']);
    for (const state of ['stopped', 'failed', 'unknown'] as const) expect(offered(state), state).toEqual(['gpuEnv.openDashboard', 'gpuEnv.resumeTraining', 'gpuEnv.showTrainingLog']);
    expect(offered('succeeded')).toEqual(['gpuEnv.openDashboard', 'gpuEnv.showTrainingLog']);
  });

  it('Train CNN is on Python editors\' title bar, and the task type and dashboard restore are declared', () => {
    const manifestAny = manifest as unknown as { contributes: { taskDefinitions: Array<{ type: string; properties: Record<string, unknown> }> } };
    expect(manifest.contributes.menus['editor/title']).toContainEqual(expect.objectContaining({ command: 'gpuEnv.trainCnn', when: expect.stringContaining('resourceLangId == python') }));
    expect(manifestAny.contributes.taskDefinitions).toEqual([expect.objectContaining({ type: TASK_TYPE })]);
    expect(Object.keys(manifestAny.contributes.taskDefinitions[0]!.properties)).toEqual(expect.arrayContaining(['environment', 'template', 'dataset', 'epochs', 'batchSize', 'lr', 'seed']));
    expect(manifest.activationEvents).toEqual(expect.arrayContaining([`onWebviewPanel:${DASHBOARD_VIEW_TYPE}`, `onTaskType:${TASK_TYPE}`]));
  });

  it('the status bar item\'s command is declared', () => {
    expect(declaredIds).toContain(ENVIRONMENT_ACTIONS_COMMAND);
    expect(declaredIds).toContain(OPEN_DASHBOARD.id);
  });
});

describe('package.json views, terminal and activation', () => {
  it('declares the GPU container with the environments tree, the runs tree and the monitor webview', () => {
    expect(manifest.contributes.viewsContainers.activitybar).toEqual([expect.objectContaining({ id: 'gpuEnv', icon: 'media/icons/gpu.svg' })]);
    expect(existsSync(join(ROOT, 'media/icons/gpu.svg'))).toBe(true);
    expect(manifest.contributes.views.gpuEnv!.map((v) => [v.id, v.type ?? 'tree'])).toEqual([
      [ENVIRONMENTS_VIEW, 'tree'], [RUNS_VIEW, 'tree'], [MONITOR_VIEW, 'webview'],
    ]);
  });

  it('contributes the terminal profile that the code registers', () => {
    expect(manifest.contributes.terminal.profiles.map((p) => p.id)).toEqual([TERMINAL_PROFILE_ID]);
  });

  it('stays lazy: no "*" or startup activation', () => {
    for (const event of manifest.activationEvents ?? []) expect(event).not.toMatch(/^(\*|onStartupFinished)$/);
  });

  it('the walkthrough\'s train step links Train CNN in both languages', () => {
    for (const file of [nls, nlsZh]) expect(file['walkthrough.train.description']).toContain('(command:gpuEnv.trainCnn)');
  });

  it('walkthrough media exist in both languages', () => {
    for (const step of manifest.contributes.walkthroughs[0]!.steps) {
      const key = step.media.markdown.slice(1, -1);
      expect(existsSync(join(ROOT, nls[key]!)), nls[key]).toBe(true);
      expect(existsSync(join(ROOT, nlsZh[key]!)), nlsZh[key]).toBe(true);
    }
  });
});

describe('settings and workspace trust', () => {
  const properties = manifest.contributes.configuration.properties;

  it('every setting the validators name is contributed', () => {
    for (const name of allFieldNames(SETTING_FIELDS)) expect(Object.keys(properties), name).toContain(name);
    for (const name of ['gpuEnv.autoStart', 'gpuEnv.monitor.intervalMs']) expect(Object.keys(properties)).toContain(name);
  });

  it('restricted settings exist and cover hosts, images and mounts', () => {
    const restricted = manifest.capabilities.untrustedWorkspaces.restrictedConfigurations;
    expect(manifest.capabilities.untrustedWorkspaces.supported).toBe('limited');
    for (const name of restricted) expect(Object.keys(properties), name).toContain(name);
    expect(restricted).toEqual(expect.arrayContaining([SETTING_FIELDS.host, SETTING_FIELDS.baseImage, SETTING_FIELDS.image, SETTING_FIELDS.workspace]));
  });
});
