import * as vscode from 'vscode';
import type { Translate } from '../l10n';
import { mainGuardLines } from './main-guard';

import { TRAIN_COMMAND } from '../contribution-ids';

/** A "Train in GPU Environment" lens on the main guard of Python files on disk; it runs that file. */
export function registerMainGuardCodeLens(t: Translate): vscode.Disposable {
  return vscode.languages.registerCodeLensProvider({ language: 'python', scheme: 'file' }, {
    provideCodeLenses(document) {
      return mainGuardLines(document.getText()).map((line) =>
        new vscode.CodeLens(new vscode.Range(line, 0, line, 0), { title: t('$(rocket) Train in GPU Environment'), command: TRAIN_COMMAND, arguments: [document.uri] }),
      );
    },
  });
}
