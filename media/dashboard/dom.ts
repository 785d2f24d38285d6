/**
 * DOM building for the webviews. Text only ever goes in through textContent: names of runs and
 * metrics come from user files, and a metric named `<img src=x onerror=…>` must read as itself.
 * There is deliberately no helper that takes HTML.
 */

export interface ElementOptions {
  readonly className?: string;
  readonly text?: string;
  readonly title?: string;
  readonly attrs?: Readonly<Record<string, string>>;
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, options?: ElementOptions, ...children: Node[]): HTMLElementTagNameMap[K];
export function el(tag: string, options?: ElementOptions, ...children: Node[]): HTMLElement;
export function el(tag: string, options: ElementOptions = {}, ...children: Node[]): HTMLElement {
  const node = document.createElement(tag);
  if (options.className) node.className = options.className;
  if (options.text !== undefined) node.textContent = options.text;
  if (options.title !== undefined) node.title = options.title;
  for (const [name, value] of Object.entries(options.attrs ?? {})) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

/** Replaces an element's text, touching the DOM only when it changed. */
export function setText(node: Node, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}

export function clear(node: Node): void {
  while (node.firstChild) node.removeChild(node.firstChild);
}
