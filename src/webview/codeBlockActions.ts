import type { WebviewToExtensionMessage } from '../shared/webviewProtocol';
import { button, element } from './element';

type CodeAction = 'copy' | 'insert' | 'apply';

const actions: readonly { action: CodeAction; label: string; ariaLabel: string }[] = [
  { action: 'copy', label: 'Copy', ariaLabel: 'Copy code' },
  { action: 'insert', label: 'Insert', ariaLabel: 'Insert code at the cursor' },
  { action: 'apply', label: 'Apply', ariaLabel: 'Apply code to the editor (shows a diff first)' },
];

/** The language from the code element's `language-…` class (set by the Markdown renderer), or ''. */
function languageOf(code: Element): string {
  for (const name of code.classList) if (name.startsWith('language-')) return name.slice('language-'.length);
  return '';
}

/**
 * Wraps each rendered code block in a `.code-block` with a toolbar of Copy / Insert / Apply buttons. Runs on
 * sanitised DOM; the buttons are the view's own, found again by `codeActionMessage` through event delegation.
 */
export function addCodeBlockActions(root: DocumentFragment | Element): void {
  for (const pre of root.querySelectorAll('pre')) {
    const code = pre.querySelector(':scope > code');
    if (!code) continue;
    const language = languageOf(code);
    const buttons = actions.map(({ action, label, ariaLabel }) => {
      const node = button(label, ariaLabel, undefined, 'code-action');
      node.dataset.codeAction = action;
      return node;
    });
    const toolbar = element('div', { className: 'code-toolbar' }, [
      element('span', { className: 'code-language', text: language }),
      ...buttons,
    ]);
    const block = element('div', { className: 'code-block' });
    pre.replaceWith(block);
    block.append(toolbar, pre);
  }
}

/** The message a click on a code-block button posts, or undefined when the click was not on one. */
export function codeActionMessage(target: EventTarget | null): WebviewToExtensionMessage | undefined {
  if (!(target instanceof Element)) return undefined;
  const actionButton = target.closest<HTMLButtonElement>('button[data-code-action]');
  const code = actionButton?.closest('.code-block')?.querySelector(':scope > pre > code');
  if (!actionButton || !code) return undefined;
  const text = code.textContent ?? '';
  switch (actionButton.dataset.codeAction as CodeAction) {
    case 'copy':
      return { type: 'copyCode', code: text };
    case 'insert':
      return { type: 'insertCode', code: text };
    case 'apply':
      return { type: 'applyCode', code: text, language: languageOf(code) };
    default:
      return undefined;
  }
}
