// The trace view's script. It runs inside the webview, not in the extension host: the extension
// embeds this function's source in the page (`(webviewMain)()`), so it must not refer to anything
// outside its own body except the browser's globals.
//
// It draws one violation at a time: a lane per thread and device, a row per step (what the step
// did, then its effects), the threads a deadlock blocks at the statements they wait in, and the
// cycle of a lasso trace. By default no state columns are shown, since each step lists what it
// changed; the user pins variables as columns, and the footer shows the whole state after the
// selected step. On every new trace it scrolls to the failing step.

import type { TraceViewData, TraceViewViolation } from '../protocol';

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
  let violationIndex = 0;
  let selected = -1;
  const saved = (vscode.getState() ?? {}) as { pinned?: unknown };
  const pinned = new Set<string>(Array.isArray(saved.pinned) ? saved.pinned.filter((v): v is string => typeof v === 'string') : []);

  function element(tag: string, className: string, text?: string): HTMLElement {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function current(): TraceViewViolation | undefined {
    return data?.violations[violationIndex];
  }

  function saveState(): void {
    vscode.setState({ pinned: [...pinned] });
  }

  /** Rows that stand for steps: the trace's steps, then the blocked row of a deadlock (index = steps.length). */
  function rowCount(violation: TraceViewViolation): number {
    return violation.steps.length + (violation.blocked.length > 0 ? 1 : 0);
  }

  function select(index: number, reveal: boolean): void {
    const violation = current();
    if (!violation) return;
    selected = Math.max(0, Math.min(index, rowCount(violation) - 1));
    for (const row of Array.from(root.querySelectorAll('.step, .blocked'))) {
      const isSelected = Number((row as HTMLElement).dataset.index) === selected;
      row.classList.toggle('selected', isSelected);
      if (isSelected) (row.firstElementChild as HTMLElement | null)?.scrollIntoView({ block: 'nearest' });
    }
    renderFooter();
    if (reveal) vscode.postMessage({ type: 'reveal', violation: violationIndex, index: selected });
  }

  function renderHeader(violation: TraceViewViolation | undefined): HTMLElement {
    const header = element('header', 'summary');
    const title = element('h1', '');
    title.appendChild(element('span', 'proposal', data!.label));
    if (data!.fileName) title.appendChild(element('span', 'file', ` · ${data!.fileName}`));
    title.title = `${data!.label} in ${data!.fileName}`;
    header.appendChild(title);
    const unexpected = /, (unexpected|expected )/.test(data!.verdict) && !/unconfirmed$/.test(data!.verdict);
    const verdictClass = /^stopped|not checked|no violation found|^No verdict yet/.test(data!.verdict) ? 'stopped' : unexpected ? 'unexpected' : 'ok';
    header.appendChild(element('p', `verdict ${verdictClass}`, data!.verdict));
    const message = violation?.message ?? data!.message;
    if (message) header.appendChild(element('p', 'message', message));
    const toolbar = element('div', 'toolbar');
    if (data!.others.length > 0) {
      const label = element('label', '', 'Proposal ');
      const picker = document.createElement('select');
      picker.className = 'proposal-picker';
      for (const option of [{ name: data!.proposal, label: data!.label, verdict: data!.verdict }, ...data!.others]) {
        const item = document.createElement('option');
        item.value = option.name;
        item.textContent = `${option.label}: ${option.verdict}`;
        picker.appendChild(item);
      }
      picker.addEventListener('change', () => vscode.postMessage({ type: 'proposal', name: picker.value }));
      label.appendChild(picker);
      toolbar.appendChild(label);
    }
    if (data!.violations.length > 1) {
      const label = element('label', '', 'Violation ');
      const picker = document.createElement('select');
      picker.className = 'violation-picker';
      data!.violations.forEach((v, i) => {
        const item = document.createElement('option');
        item.value = String(i);
        item.textContent = `${i + 1} of ${data!.violations.length}: ${v.title}`;
        item.selected = i === violationIndex;
        picker.appendChild(item);
      });
      picker.addEventListener('change', () => {
        violationIndex = Number(picker.value);
        selected = -1;
        vscode.postMessage({ type: 'violation', index: violationIndex });
        render(true);
      });
      label.appendChild(picker);
      toolbar.appendChild(label);
    }
    if (violation && violation.variables.length > 0) {
      const chooser = element('details', 'variables');
      chooser.appendChild(element('summary', '', pinned.size > 0 ? `State columns (${[...pinned].filter((v) => violation.variables.includes(v)).length})` : 'State columns'));
      const choices = element('div', 'choices');
      for (const variable of violation.variables) {
        const label = element('label', '');
        const box = document.createElement('input');
        box.type = 'checkbox';
        box.checked = pinned.has(variable);
        box.addEventListener('change', () => togglePinned(variable));
        label.appendChild(box);
        label.appendChild(document.createTextNode(` ${variable}`));
        choices.appendChild(label);
      }
      chooser.appendChild(choices);
      toolbar.appendChild(chooser);
    }
    if (toolbar.childElementCount > 0) header.appendChild(toolbar);
    return header;
  }

  function togglePinned(variable: string): void {
    if (pinned.has(variable)) pinned.delete(variable);
    else pinned.add(variable);
    saveState();
    const open = root.querySelector('details.variables')?.hasAttribute('open') === true;
    render(false);
    if (open) root.querySelector('details.variables')?.setAttribute('open', '');
  }

  function stepBox(action: string, effects: string[], tag?: string): HTMLElement {
    const box = element('div', 'box');
    if (tag) box.appendChild(element('div', 'onzero-tag', tag));
    box.appendChild(element('div', 'action', action));
    if (effects.length > 0) box.appendChild(element('div', 'effects', effects.join(', ')));
    return box;
  }

  function renderGrid(violation: TraceViewViolation): HTMLElement {
    const columns = violation.variables.filter((v) => pinned.has(v));
    const grid = element('div', 'grid');
    grid.setAttribute('role', 'grid');
    // Lanes take the width their steps need: a lane with one short step leaves room to the busy ones.
    grid.style.gridTemplateColumns = `2.6em repeat(${violation.actors.length}, minmax(min-content, auto))${columns.length > 0 ? ` repeat(${columns.length}, minmax(4.5em, max-content))` : ''}`;
    const head = element('div', 'row head-row');
    head.appendChild(element('div', 'head index', '#'));
    for (const actor of violation.actors) {
      const cell = element('div', `head actor ${actor.kind}`, actor.name);
      cell.title = `${actor.kind} ${actor.name}`;
      head.appendChild(cell);
    }
    for (const variable of columns) {
      const cell = element('div', 'head variable', variable);
      cell.title = `${variable} (click to remove the column)`;
      cell.addEventListener('click', () => togglePinned(variable));
      head.appendChild(cell);
    }
    grid.appendChild(head);
    const valueCells = (row: HTMLElement, values: string[] | undefined, changed: string[]): void => {
      for (const variable of columns) {
        const value = values ? values[violation.variables.indexOf(variable)] : violation.initial[violation.variables.indexOf(variable)];
        row.appendChild(element('div', `cell value${changed.includes(variable) ? ' changed' : ''}`, value));
      }
    };
    if (columns.length > 0) {
      const start = element('div', 'row start');
      const origin = element('div', 'cell index', '0');
      origin.title = 'Before the first step';
      start.appendChild(origin);
      for (let i = 0; i < violation.actors.length; i++) start.appendChild(element('div', 'cell lifeline', ''));
      valueCells(start, undefined, []);
      grid.appendChild(start);
    }
    for (const step of violation.steps) {
      if (violation.cycleStart !== undefined && step.index === violation.cycleStart) {
        grid.appendChild(element('div', 'marker cycle-start', '↻ From here the steps repeat forever:'));
      }
      const classes = ['row', 'step'];
      if (step.failing) classes.push('failing');
      if (step.inCycle) classes.push('in-cycle');
      if (step.onZero) classes.push('onzero');
      const row = element('div', classes.join(' '));
      row.dataset.index = String(step.index);
      row.setAttribute('role', 'row');
      row.tabIndex = 0;
      row.title = `Step ${step.index + 1} of ${violation.steps.length}, ${step.actor}, line ${step.range.start.line + 1}: ${step.source}`;
      row.appendChild(element('div', 'cell index', String(step.index + 1)));
      for (const actor of violation.actors) {
        if (actor.name !== step.actor) {
          row.appendChild(element('div', 'cell lifeline', ''));
          continue;
        }
        const cell = element('div', 'cell event');
        const tag = step.onZero && step.onZeroStart ? `↳ on zero of ${step.onZero}` : step.onZero ? '↳' : undefined;
        cell.appendChild(stepBox(step.action, step.effects, tag));
        row.appendChild(cell);
      }
      valueCells(row, step.values, step.changed);
      row.addEventListener('click', () => select(step.index, true));
      grid.appendChild(row);
    }
    if (violation.cycleStart !== undefined) grid.appendChild(element('div', 'marker cycle-end', `↻ Back to step ${violation.cycleStart + 1}, forever`));
    if (violation.blocked.length > 0) {
      const index = violation.steps.length;
      const row = element('div', 'row blocked');
      row.dataset.index = String(index);
      row.setAttribute('role', 'row');
      const end = element('div', 'cell index', 'end');
      end.title = 'Where the deadlock leaves each thread';
      row.appendChild(end);
      for (const actor of violation.actors) {
        const blocked = violation.blocked.find((b) => b.actor === actor.name);
        if (!blocked) {
          row.appendChild(element('div', 'cell', ''));
          continue;
        }
        const cell = element('div', 'cell event');
        cell.appendChild(stepBox(`blocked at ${blocked.statement}`, [blocked.waitsFor]));
        cell.title = `${blocked.actor}: ${blocked.text} (line ${blocked.range.start.line + 1})`;
        row.appendChild(cell);
      }
      const last = violation.steps.at(-1);
      valueCells(row, last?.values, []);
      row.addEventListener('click', () => select(index, true));
      grid.appendChild(row);
    }
    if (violation.message) grid.appendChild(element('div', 'boom', `✗ ${violation.message}`));
    return grid;
  }

  function renderFooter(): void {
    const violation = current();
    const footer = root.querySelector('footer.state');
    if (!violation || !footer) return;
    footer.textContent = '';
    if (violation.variables.length === 0) {
      footer.appendChild(element('span', 'where', 'The trace changes no variable.'));
      return;
    }
    const index = selected >= 0 ? selected : violation.focus;
    const step = violation.steps[Math.min(index, violation.steps.length - 1)];
    const blockedRow = index >= violation.steps.length;
    const where = !step
      ? 'Before the first step'
      : blockedRow
        ? `State in the deadlock (after step ${violation.steps.length})`
        : `After step ${step.index + 1} of ${violation.steps.length} (${step.actor}, line ${step.range.start.line + 1})`;
    footer.appendChild(element('span', 'where', `${where}: `));
    violation.variables.forEach((variable, i) => {
      const changed = !blockedRow && step !== undefined && step.changed.includes(variable);
      const pair = element('span', `pair${changed ? ' changed' : ''}${pinned.has(variable) ? ' pinned' : ''}`, `${variable} = ${step ? step.values[i] : violation.initial[i]}`);
      pair.title = pinned.has(variable) ? 'Click to remove the column' : 'Click to show as a column';
      pair.addEventListener('click', () => togglePinned(variable));
      footer.appendChild(pair);
    });
  }

  function render(scrollToFocus: boolean): void {
    const scroller = root.querySelector('.scroller');
    const scrollTop = scroller?.scrollTop ?? 0;
    root.textContent = '';
    if (!data) return;
    const violation = current();
    root.appendChild(renderHeader(violation));
    if (!violation) {
      root.appendChild(element('p', 'empty', data.verdict.startsWith('safe') ? 'No trace: the search found no violation.' : 'No trace to show.'));
      return;
    }
    const area = element('div', 'scroller');
    area.appendChild(renderGrid(violation));
    root.appendChild(area);
    root.appendChild(element('footer', 'state'));
    renderFooter();
    if (selected >= 0) select(selected, false);
    if (scrollToFocus) {
      const target = root.querySelector(`[data-index="${violation.focus}"]`);
      (target?.firstElementChild as HTMLElement | null)?.scrollIntoView({ block: 'center' });
    } else {
      area.scrollTop = scrollTop;
    }
  }

  window.addEventListener('message', (event: MessageEvent) => {
    const message = event.data as { type?: string; data?: TraceViewData; index?: number; violation?: number };
    if (message.type === 'trace' && message.data) {
      data = message.data;
      violationIndex = typeof message.violation === 'number' && message.violation >= 0 && message.violation < data.violations.length ? message.violation : 0;
      selected = typeof message.index === 'number' ? message.index : -1;
      render(selected < 0);
    } else if (message.type === 'select' && typeof message.index === 'number') {
      select(message.index, false);
    }
  });

  window.addEventListener('keydown', (event: KeyboardEvent) => {
    if (!current() || (event.target instanceof HTMLSelectElement)) return;
    if (event.key === 'ArrowDown' || event.key === 'j') select(selected + 1, true);
    else if (event.key === 'ArrowUp' || event.key === 'k') select(selected - 1, true);
    else if (event.key === 'Enter' && selected >= 0) select(selected, true);
    else return;
    event.preventDefault();
  });

  vscode.postMessage({ type: 'ready' });
}
