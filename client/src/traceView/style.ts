// The trace view's style. The page is a fixed header (the verdict and the pickers), one scrolling
// area (the lanes, whose thread headers stay in view and whose step numbers stay at the left when
// state columns scroll sideways) and a footer with the state after the selected step. Colours come
// from the editor theme's variables.

export const TRACE_VIEW_STYLE = `
  html, body { height: 100%; margin: 0; }
  body { color: var(--vscode-foreground); background: var(--vscode-editor-background); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); overflow: hidden; }
  #root { height: 100%; display: flex; flex-direction: column; }
  header.summary { flex: none; padding: 8px 12px 6px; border-bottom: 1px solid var(--vscode-panel-border, transparent); }
  h1 { font-size: 1.1em; font-weight: 600; margin: 0 0 2px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  h1 .file { font-weight: normal; color: var(--vscode-descriptionForeground); }
  .verdict { margin: 0; font-weight: 600; }
  .verdict.unexpected { color: var(--vscode-errorForeground); }
  .verdict.stopped { color: var(--vscode-editorWarning-foreground, var(--vscode-foreground)); }
  .message { color: var(--vscode-descriptionForeground); margin: 2px 0 0; }
  .toolbar { display: flex; flex-wrap: wrap; gap: 6px 12px; align-items: center; margin-top: 6px; }
  .toolbar label { color: var(--vscode-descriptionForeground); display: inline-flex; align-items: center; gap: 4px; max-width: 100%; min-width: 0; }
  .toolbar select { min-width: 0; text-overflow: ellipsis; }
  select { background: var(--vscode-dropdown-background); color: var(--vscode-dropdown-foreground); border: 1px solid var(--vscode-dropdown-border, transparent); font: inherit; max-width: 100%; }
  details.variables { position: relative; }
  details.variables summary { cursor: pointer; color: var(--vscode-textLink-foreground); }
  details.variables .choices { position: absolute; z-index: 3; background: var(--vscode-editorWidget-background, var(--vscode-editor-background)); border: 1px solid var(--vscode-widget-border, var(--vscode-panel-border, transparent)); padding: 4px 8px; max-height: 50vh; overflow: auto; white-space: nowrap; font-family: var(--vscode-editor-font-family); }
  details.variables .choices label { display: block; color: var(--vscode-foreground); }
  .scroller { flex: 1 1 auto; overflow: auto; min-height: 0; }
  .grid { display: grid; align-items: stretch; padding: 0 8px 8px 0; }
  .row { display: contents; }
  .head { position: sticky; top: 0; z-index: 2; background: var(--vscode-editor-background); font-weight: 600; padding: 5px 4px; border-bottom: 1px solid var(--vscode-panel-border, var(--vscode-foreground)); text-align: center; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .head.device { color: var(--vscode-symbolIcon-interfaceForeground, var(--vscode-foreground)); }
  .head.variable { font-family: var(--vscode-editor-font-family); font-weight: normal; color: var(--vscode-descriptionForeground); }
  .head.index, .cell.index { position: sticky; left: 0; z-index: 1; background: var(--vscode-editor-background); }
  .head.index { z-index: 3; }
  .cell { padding: 2px 4px; min-height: 1.5em; display: flex; align-items: center; min-width: 0; }
  .cell.index { color: var(--vscode-descriptionForeground); justify-content: flex-end; padding-right: 6px; font-variant-numeric: tabular-nums; }
  .cell.lifeline { background: linear-gradient(var(--vscode-panel-border, var(--vscode-descriptionForeground)), var(--vscode-panel-border, var(--vscode-descriptionForeground))) no-repeat center / 1px 100%; }
  .cell.value { font-family: var(--vscode-editor-font-family); color: var(--vscode-descriptionForeground); justify-content: center; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
  .cell.value.changed { color: var(--vscode-foreground); font-weight: 600; background: var(--vscode-diffEditor-insertedTextBackground, transparent); }
  .box { border: 1px solid var(--vscode-focusBorder); border-radius: 3px; padding: 1px 6px; background: var(--vscode-editorWidget-background, var(--vscode-editor-background)); min-width: 0; max-width: 100%; overflow-wrap: break-word; }
  .action { font-family: var(--vscode-editor-font-family); }
  .effects { font-size: 0.9em; color: var(--vscode-descriptionForeground); }
  .onzero-tag { font-size: 0.85em; color: var(--vscode-descriptionForeground); }
  .step.onzero .box { border-left: 3px solid var(--vscode-charts-purple, var(--vscode-focusBorder)); }
  .step { cursor: pointer; }
  .step:hover > .cell { background-color: var(--vscode-list-hoverBackground); }
  .step.selected > .cell { background-color: var(--vscode-list-inactiveSelectionBackground, var(--vscode-list-hoverBackground)); }
  .step.failing .box, .blocked .box { border: 2px solid var(--vscode-errorForeground); }
  .step.failing .action, .blocked .action { color: var(--vscode-errorForeground); font-weight: 600; }
  .step.failing > .cell.index, .blocked > .cell.index { color: var(--vscode-errorForeground); font-weight: 600; }
  .step.in-cycle > .cell.index { border-left: 3px solid var(--vscode-charts-blue, var(--vscode-focusBorder)); }
  .marker { grid-column: 1 / -1; padding: 3px 8px; color: var(--vscode-charts-blue, var(--vscode-textLink-foreground)); font-style: italic; }
  .boom { grid-column: 1 / -1; padding: 4px 8px; color: var(--vscode-errorForeground); font-weight: 600; border-top: 1px dashed var(--vscode-errorForeground); }
  footer.state { flex: none; max-height: 30vh; overflow: auto; padding: 4px 12px 6px; border-top: 1px solid var(--vscode-panel-border, transparent); font-family: var(--vscode-editor-font-family); color: var(--vscode-descriptionForeground); }
  footer.state .where { font-family: var(--vscode-font-family); color: var(--vscode-foreground); }
  footer.state .pair { display: inline-block; margin-right: 12px; cursor: pointer; }
  footer.state .pair.changed { color: var(--vscode-foreground); font-weight: 600; }
  footer.state .pair.pinned { text-decoration: underline; }
  .empty { color: var(--vscode-descriptionForeground); padding: 8px 12px; }
`;
