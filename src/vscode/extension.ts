import type * as vscode from 'vscode';

export function activate(_context: vscode.ExtensionContext): void {
  // Commands are registered in later steps.
}

export function deactivate(): void {}
