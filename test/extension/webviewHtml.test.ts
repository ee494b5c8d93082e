import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contentSecurityPolicy, renderChatHtml } from '../../src/extension/webviewHtml';
import { createNonce } from '../../src/extension/nonce';

describe('chat webview HTML', () => {
  it('has a strict CSP: nothing by default, local styles, nonce scripts only', () => {
    assert.equal(
      contentSecurityPolicy('https://file+.vscode-resource.vscode-cdn.net', 'abc'),
      "default-src 'none'; style-src https://file+.vscode-resource.vscode-cdn.net; font-src https://file+.vscode-resource.vscode-cdn.net; " +
        "img-src https://file+.vscode-resource.vscode-cdn.net data:; script-src 'nonce-abc'; base-uri 'none'; form-action 'none'",
    );
  });

  it('loads only its own script, carrying the nonce, and has no inline script or remote URL', () => {
    const html = renderChatHtml({
      cspSource: 'vscode-resource:',
      nonce: 'N0nce',
      scriptUri: 'vscode-resource:/media/webview.js',
      styleUri: 'vscode-resource:/media/chat.css',
    });
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.equal(scripts.length, 1);
    assert.equal(scripts[0][1], ' nonce="N0nce" src="vscode-resource:/media/webview.js"');
    assert.equal(scripts[0][2], '');
    assert.doesNotMatch(html, /https?:\/\//);
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
  });

  it('makes a fresh 128-bit nonce each time', () => {
    const a = createNonce();
    assert.equal(Buffer.from(a, 'base64').length, 16);
    assert.notEqual(a, createNonce());
  });
});
