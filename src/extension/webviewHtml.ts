/** The chat webview's HTML. Pure, so that the Content-Security-Policy is unit-tested as a string. */
export interface WebviewHtmlInput {
  /** `webview.cspSource`: the origin VS Code serves local resources from. */
  cspSource: string;
  /** A fresh random nonce per render: only scripts carrying it run. */
  nonce: string;
  scriptUri: string;
  styleUri: string;
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    `script-src 'nonce-${nonce}'`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

export function renderChatHtml({ cspSource, nonce, scriptUri, styleUri }: WebviewHtmlInput): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(cspSource, nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${styleUri}">
<title>Hearth</title>
</head>
<body>
<main id="hearth-chat" aria-label="Hearth chat"></main>
<script nonce="${nonce}" src="${scriptUri}"></script>
</body>
</html>`;
}
