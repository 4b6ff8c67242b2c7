// The trace view's script. It runs inside the webview, not in the extension host: the extension
// embeds this function's source in the page (`(webviewMain)()`), so it must not refer to anything
// outside its own body except the browser's globals.

import type { TraceViewData } from '../protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export function webviewMain(): void {
  const vscode = acquireVsCodeApi();
  const root = document.getElementById('root') as HTMLElement;
  let data: TraceViewData | undefined;
  let selected = -1;

  function element(tag: string, className: string, text?: string): HTMLElement {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function select(index: number, reveal: boolean): void {
    if (!data) return;
    selected = Math.max(0, Math.min(index, data.steps.length - 1));
    for (const row of Array.from(root.querySelectorAll('.step'))) {
      const isSelected = Number((row as HTMLElement).dataset.index) === selected;
      row.classList.toggle('selected', isSelected);
      if (isSelected) (row as HTMLElement).scrollIntoView({ block: 'nearest' });
    }
    vscode.setState({ selected });
    if (reveal) vscode.postMessage({ type: 'reveal', index: selected });
  }

  function render(): void {
    root.textContent = '';
    if (!data) return;
    const header = element('header', 'summary');
    header.appendChild(element('h1', '', `${data.label}: ${data.verdict}`));
    if (data.message) header.appendChild(element('p', 'message', data.message));
    root.appendChild(header);
    if (data.steps.length === 0) {
      root.appendChild(element('p', 'empty', 'No trace: the search found no violation.'));
      return;
    }
    const grid = element('div', 'grid');
    grid.style.gridTemplateColumns = `3em repeat(${data.actors.length}, minmax(9em, 1fr)) repeat(${data.variables.length}, minmax(5em, auto))`;
    grid.setAttribute('role', 'grid');
    grid.appendChild(element('div', 'head', '#'));
    for (const actor of data.actors) grid.appendChild(element('div', `head actor ${actor.kind}`, actor.name));
    for (const variable of data.variables) {
      // A break opportunity after each dot lets a long name wrap between its parts.
      const head = element('div', 'head variable');
      variable.split('.').forEach((part, i, parts) => {
        head.appendChild(document.createTextNode(i < parts.length - 1 ? `${part}.` : part));
        if (i < parts.length - 1) head.appendChild(document.createElement('wbr'));
      });
      head.title = variable;
      grid.appendChild(head);
    }
    const start = element('div', 'row start');
    start.appendChild(element('div', 'cell index', ''));
    for (let i = 0; i < data.actors.length; i++) start.appendChild(element('div', 'cell lifeline', ''));
    for (const value of data.initial) start.appendChild(element('div', 'cell value', value));
    grid.appendChild(start);
    for (const step of data.steps) {
      const row = element('div', `row step${step.failing ? ' failing' : ''}`);
      row.dataset.index = String(step.index);
      row.tabIndex = 0;
      row.title = `${step.actor}: ${step.source} (line ${step.range.start.line + 1})`;
      row.appendChild(element('div', 'cell index', String(step.index + 1)));
      for (const actor of data.actors) {
        if (actor.name === step.actor) {
          const cell = element('div', 'cell event');
          cell.appendChild(element('span', 'box', step.event));
          row.appendChild(cell);
        } else {
          row.appendChild(element('div', 'cell lifeline', ''));
        }
      }
      data.variables.forEach((variable, i) => {
        row.appendChild(element('div', `cell value${step.changed.includes(variable) ? ' changed' : ''}`, step.values[i]));
      });
      row.addEventListener('click', () => select(step.index, true));
      grid.appendChild(row);
    }
    root.appendChild(grid);
    if (selected >= 0) select(selected, false);
  }

  window.addEventListener('message', (event: MessageEvent) => {
    const message = event.data as { type?: string; data?: TraceViewData; index?: number };
    if (message.type === 'trace' && message.data) {
      data = message.data;
      selected = typeof message.index === 'number' ? message.index : -1;
      render();
    } else if (message.type === 'select' && typeof message.index === 'number') {
      select(message.index, false);
    }
  });

  window.addEventListener('keydown', (event: KeyboardEvent) => {
    if (!data) return;
    if (event.key === 'ArrowDown' || event.key === 'j') select(selected + 1, true);
    else if (event.key === 'ArrowUp' || event.key === 'k') select(selected - 1, true);
    else if (event.key === 'Enter' && selected >= 0) select(selected, true);
    else return;
    event.preventDefault();
  });

  vscode.postMessage({ type: 'ready' });
}
