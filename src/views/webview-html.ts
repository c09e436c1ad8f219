import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { ViewKind } from '../protocol';

/** Webviews may load only the extension's built assets. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [
      vscode.Uri.joinPath(extensionUri, 'dist'),
      vscode.Uri.joinPath(extensionUri, 'media'),
    ],
  };
}

/**
 * The page of a view: a nonce-only content security policy (no inline script or style without the nonce, no eval),
 * the shared stylesheet with the codicon font, and the view's bundle.
 */
export function webviewHtml(
  webview: vscode.Webview,
  extensionUri: vscode.Uri,
  view: ViewKind,
  title: string,
): string {
  const nonce = randomBytes(16).toString('base64');
  const asset = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...p)).toString();
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data: blob:`,
    `font-src ${webview.cspSource}`,
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta name="csp-nonce" content="${nonce}">
<link rel="stylesheet" href="${asset('dist', 'media', 'codicon.css')}" nonce="${nonce}" id="vscode-codicon-stylesheet">
<link rel="stylesheet" href="${asset('media', 'webview.css')}" nonce="${nonce}">
<link rel="stylesheet" href="${asset('dist', 'webview', `${view}.css`)}" nonce="${nonce}">
<title>${escapeHtml(title)}</title>
</head>
<body data-view="${view}" data-charts-js="${asset('dist', 'webview', 'charts.js')}" data-charts-css="${asset('dist', 'webview', 'charts.css')}">
<main id="app" aria-busy="true"><p class="loading"><span class="codicon codicon-loading codicon-modifier-spin"></span> Loading…</p></main>
<script nonce="${nonce}" src="${asset('dist', 'webview', `${view}.js`)}"></script>
</body>
</html>`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
