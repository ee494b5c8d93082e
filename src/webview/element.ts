export interface ElementOptions {
  className?: string;
  text?: string;
  /** Set with setAttribute: aria-*, data-*, title, type… */
  attributes?: Record<string, string>;
}

/** A new element with its class, text, attributes and children: the view is built from these, never from HTML strings. */
export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  options: ElementOptions = {},
  children: readonly (Node | string)[] = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (options.className) node.className = options.className;
  if (options.text !== undefined) node.textContent = options.text;
  for (const [name, value] of Object.entries(options.attributes ?? {})) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

/** A real <button type="button"> with a visible label and an accessible name. */
export function button(
  label: string,
  ariaLabel: string,
  onClick?: (event: MouseEvent) => void,
  className = 'button',
): HTMLButtonElement {
  const node = element('button', {
    className,
    text: label,
    attributes: { type: 'button', 'aria-label': ariaLabel, title: ariaLabel },
  });
  if (onClick) node.addEventListener('click', onClick);
  return node;
}
