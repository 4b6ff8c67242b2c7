// Builds the intermediate form of one C function (cirTypes.ts) from the tree-sitter tree:
// expressions, and a control-flow graph of statements. Kernel loop macros
// (`list_for_each_entry(...) { }`), which the grammar reads as a call missing its `;` followed by a
// block, become loops; macros whose definitions jump or return (`GOTO(out, rc)`) become jumps; ERROR
// nodes are searched for the calls inside them so that analysis carries on around them.

import { directiveConstant } from './conditionalArms';
import type { BuildOptions, CFunction, CfgNode, Expr, LabelInfo, Span, StatementPlace } from './cirTypes';
import { NO_RETURN } from './callRoles';
import type { ControlMacro } from './controlMacros';
import { declaratorName, declaresPointerResult, definedFunctionName, functionName, parameterNames } from './declarators';
import { uncast } from './keys';
import type { SyntaxNode } from './parser';

export type { BuildOptions, CFunction, CfgNode, Expr, LabelInfo, Span, StatementPlace, SwitchLabels } from './cirTypes';
export { definedFunctionName };

const EXPRESSION_LIKE = new Set([
  'identifier', 'field_identifier', 'number_literal', 'null', 'true', 'false', 'char_literal', 'string_literal',
  'concatenated_string', 'call_expression', 'field_expression', 'subscript_expression', 'unary_expression',
  'pointer_expression', 'binary_expression', 'assignment_expression', 'conditional_expression', 'cast_expression',
  'parenthesized_expression', 'update_expression', 'comma_expression', 'sizeof_expression', 'compound_literal_expression',
  'initializer_list', 'offsetof_expression', 'alignof_expression', 'generic_expression', 'gnu_asm_expression',
  'statement_expression', 'type_descriptor', 'extension_expression',
]);

class Builder {
  readonly nodes: CfgNode[] = [];
  readonly labels: LabelInfo[] = [];
  readonly labelNodes = new Map<string, number>();
  readonly locals = new Set<string>();
  readonly scopedLocals = new Set<string>();
  readonly calls: (Expr & { k: 'call' })[] = [];
  readonly jumps: { s: number; block: number }[] = [];
  readonly loops: Span[] = [];
  errorCount = 0;
  firstError?: Span;
  private breakTargets: number[] = [];
  private continueTargets: number[] = [];
  private blockStack: number[] = [];

  constructor(private readonly options: BuildOptions) {}

  private span(node: SyntaxNode): Span {
    return { s: node.startIndex - this.options.delta, e: node.endIndex - this.options.delta };
  }

  private source(node: SyntaxNode): string {
    return this.options.text.slice(node.startIndex, node.endIndex);
  }

  add(node: CfgNode): number {
    this.nodes.push(node);
    return this.nodes.length - 1;
  }

  private noteError(node: SyntaxNode): void {
    this.errorCount++;
    this.firstError ??= this.span(node);
  }

  private labelNode(name: string): number {
    let id = this.labelNodes.get(name);
    if (id === undefined) {
      id = this.add({ k: 'nop', next: -1 });
      this.labelNodes.set(name, id);
    }
    return id;
  }

  // ------------------------------------------------------------------------------------------
  // Expressions

  expr(node: SyntaxNode | null): Expr {
    if (!node) return { k: 'other', kids: [], s: 0, e: 0 };
    const span = this.span(node);
    switch (node.type) {
      case 'identifier': {
        const name = this.source(node);
        if (name === 'NULL') return { k: 'null', ...span };
        if (name === 'true') return { k: 'num', value: 1, ...span };
        if (name === 'false') return { k: 'num', value: 0, ...span };
        return { k: 'id', name, ...span };
      }
      case 'null':
        return { k: 'null', ...span };
      case 'true':
        return { k: 'num', value: 1, ...span };
      case 'false':
        return { k: 'num', value: 0, ...span };
      case 'number_literal': {
        const value = Number.parseInt(this.source(node).replace(/[uUlL]+$/, ''));
        return { k: 'num', value: Number.isFinite(value) ? value : 1, ...span };
      }
      case 'parenthesized_expression': {
        const inner = node.namedChildren.find((c) => c !== null && c.type !== 'comment');
        return inner ? this.expr(inner) : { k: 'other', kids: [], ...span };
      }
      case 'call_expression': {
        const fn = node.childForFieldName('function');
        const argsNode = node.childForFieldName('arguments');
        const args: Expr[] = [];
        if (argsNode) for (const a of argsNode.namedChildren) if (a && a.type !== 'comment') args.push(this.expr(a));
        let callee = '';
        if (fn && fn.type === 'identifier') callee = this.source(fn);
        else if (fn && fn.type !== 'identifier') args.unshift(this.expr(fn));
        const call: Expr & { k: 'call' } = { k: 'call', callee, args, ...span };
        this.calls.push(call);
        return call;
      }
      case 'field_expression': {
        const base = this.expr(node.childForFieldName('argument'));
        const field = node.childForFieldName('field');
        const operator = node.childForFieldName('operator');
        const arrow = operator ? this.source(operator) === '->' : this.source(node).includes('->');
        return { k: 'field', base, name: field ? this.source(field) : '', arrow, ...span };
      }
      case 'subscript_expression':
        return { k: 'index', base: this.expr(node.childForFieldName('argument')), index: this.expr(node.childForFieldName('index')), ...span };
      case 'pointer_expression':
      case 'unary_expression':
      case 'update_expression': {
        const operator = node.childForFieldName('operator');
        const op = operator ? this.source(operator) : node.type === 'pointer_expression' ? '*' : '?';
        return { k: 'unary', op, arg: this.expr(node.childForFieldName('argument')), ...span };
      }
      case 'binary_expression': {
        const operator = node.childForFieldName('operator');
        return {
          k: 'bin',
          op: operator ? this.source(operator) : '?',
          left: this.expr(node.childForFieldName('left')),
          right: this.expr(node.childForFieldName('right')),
          ...span,
        };
      }
      case 'assignment_expression': {
        const operator = node.childForFieldName('operator');
        return {
          k: 'assign',
          op: operator ? this.source(operator) : '=',
          left: this.expr(node.childForFieldName('left')),
          right: this.expr(node.childForFieldName('right')),
          ...span,
        };
      }
      case 'conditional_expression':
        return {
          k: 'cond',
          test: this.expr(node.childForFieldName('condition')),
          then: this.expr(node.childForFieldName('consequence')),
          other: this.expr(node.childForFieldName('alternative')),
          ...span,
        };
      case 'cast_expression':
        return { k: 'cast', arg: this.expr(node.childForFieldName('value')), ...span };
      case 'sizeof_expression':
      case 'alignof_expression':
      case 'offsetof_expression':
      case 'string_literal':
      case 'concatenated_string':
      case 'char_literal':
        return { k: 'other', kids: [], ...span };
      default: {
        if (node.type === 'ERROR' || node.isMissing) this.noteError(node);
        const kids: Expr[] = [];
        for (const child of node.namedChildren) {
          if (child && (EXPRESSION_LIKE.has(child.type) || child.type === 'ERROR')) kids.push(this.expr(child));
        }
        return { k: 'other', kids, ...span };
      }
    }
  }

  // ------------------------------------------------------------------------------------------
  // Statements: each builder takes the node to continue with and returns its own entry node.

  private place(node: SyntaxNode, unbracedOwner: SyntaxNode | undefined): StatementPlace {
    const span = this.span(node);
    return { ...span, unbraced: unbracedOwner !== undefined, ownerStart: unbracedOwner ? unbracedOwner.startIndex - this.options.delta : span.s };
  }

  /** A statement that is the direct body of `owner` without braces gets `owner` passed in. */
  stmt(node: SyntaxNode | null, next: number, owner?: SyntaxNode): number {
    if (!node) return next;
    switch (node.type) {
      case 'compound_statement':
        return this.sequence(node.namedChildren.filter((c): c is SyntaxNode => c !== null), next, node.startIndex);
      case 'expression_statement': {
        const inner = node.namedChildren.find((c) => c !== null && c.type !== 'comment');
        if (!inner) return next;
        const control = this.controlMacroStatement(node, inner, owner);
        if (control !== undefined) return control;
        return this.add({ k: 'eval', expr: this.expr(inner), next });
      }
      case 'declaration':
        return this.declaration(node, next);
      case 'if_statement': {
        const cond = this.expr(node.childForFieldName('condition'));
        const consequence = node.childForFieldName('consequence');
        const alternative = node.childForFieldName('alternative');
        const t = this.stmt(consequence, next, consequence?.type === 'compound_statement' ? undefined : node);
        let f = next;
        if (alternative) {
          const body = alternative.type === 'else_clause' ? alternative.namedChildren.find((c) => c !== null && c.type !== 'comment') ?? null : alternative;
          f = this.stmt(body, next, body && body.type !== 'compound_statement' && body.type !== 'if_statement' ? alternative : undefined);
        }
        return this.add({ k: 'branch', cond, t, f });
      }
      case 'while_statement': {
        const head = this.add({ k: 'branch', cond: this.expr(node.childForFieldName('condition')), t: -1, f: next });
        const body = this.loopBody(node.childForFieldName('body'), head, next, node);
        (this.nodes[head] as { t: number }).t = body;
        return head;
      }
      case 'do_statement': {
        const condNode = node.childForFieldName('condition');
        const cond = this.expr(condNode);
        const constantFalse = cond.k === 'num' && cond.value === 0;
        const tail = this.add({ k: 'branch', cond, t: -1, f: next });
        const body = this.loopBody(node.childForFieldName('body'), tail, next, node);
        (this.nodes[tail] as { t: number }).t = constantFalse ? next : body;
        if (constantFalse) this.nodes[tail] = { k: 'nop', next };
        return body;
      }
      case 'for_statement':
        return this.forStatement(node, next);
      case 'switch_statement':
        return this.switchStatement(node, next);
      case 'return_statement': {
        const value = node.namedChildren.find((c) => c !== null && c.type !== 'comment');
        this.jumps.push({ s: node.startIndex - this.options.delta, block: this.currentBlock() });
        return this.add({ k: 'return', expr: value ? this.expr(value) : undefined, stmt: this.place(node, owner), ...this.span(node) });
      }
      case 'goto_statement': {
        const label = node.childForFieldName('label');
        const name = label ? this.source(label) : '';
        this.jumps.push({ s: node.startIndex - this.options.delta, block: this.currentBlock() });
        return this.add({ k: 'goto', label: name, stmt: this.place(node, owner), next: this.labelNode(name), ...this.span(node) });
      }
      case 'break_statement':
        return this.breakTargets.length > 0 ? this.breakTargets[this.breakTargets.length - 1] : next;
      case 'continue_statement':
        return this.continueTargets.length > 0 ? this.continueTargets[this.continueTargets.length - 1] : next;
      case 'labeled_statement': {
        const label = node.childForFieldName('label');
        const name = label ? this.source(label) : '';
        const id = this.labelNode(name);
        const inner = node.namedChildren.filter((c): c is SyntaxNode => c !== null && c.type !== 'statement_identifier' && c.type !== 'comment');
        const entry = this.sequence(inner, next, this.currentBlock());
        (this.nodes[id] as { next: number }).next = entry;
        return id;
      }
      case 'preproc_if':
      case 'preproc_ifdef':
      case 'preproc_else':
      case 'preproc_elif':
      case 'preproc_elifdef':
        return this.preprocConditional(node, next);
      case 'comment':
      case 'preproc_call':
      case 'preproc_def':
      case 'preproc_function_def':
      case 'preproc_include':
      case 'type_definition':
      case 'struct_specifier':
      case 'enum_specifier':
      case 'union_specifier':
      case ';':
        return next;
      case 'case_statement':
        return this.sequence(this.caseBody(node), next, this.currentBlock());
      case 'function_definition': {
        const loop = this.nestedDefinitionLoop(node, next);
        if (loop !== undefined) return loop;
        this.noteError(node);
        return next;
      }
      case 'attributed_statement': {
        const inner = node.namedChildren.filter((c): c is SyntaxNode => c !== null && c.type !== 'attribute_declaration');
        return this.sequence(inner, next, this.currentBlock());
      }
      default: {
        if (node.type === 'ERROR' || node.isMissing) this.noteError(node);
        if (EXPRESSION_LIKE.has(node.type)) return this.add({ k: 'eval', expr: this.expr(node), next });
        const children = node.namedChildren.filter((c): c is SyntaxNode => c !== null);
        return this.sequence(children, next, this.currentBlock());
      }
    }
  }

  private currentBlock(): number {
    return this.blockStack.length > 0 ? this.blockStack[this.blockStack.length - 1] : -1;
  }

  private loopBody(body: SyntaxNode | null, continueTarget: number, breakTarget: number, owner: SyntaxNode): number {
    // A loop macro's owner is its call (`list_for_each_entry(e, ...)`), and its body follows it.
    const loop = this.span(owner);
    this.loops.push(body ? { s: Math.min(loop.s, this.span(body).s), e: Math.max(loop.e, this.span(body).e) } : loop);
    this.breakTargets.push(breakTarget);
    this.continueTargets.push(continueTarget);
    const entry = this.stmt(body, continueTarget, body && body.type !== 'compound_statement' ? owner : undefined);
    this.breakTargets.pop();
    this.continueTargets.pop();
    return entry;
  }

  private forStatement(node: SyntaxNode, next: number): number {
    const initializer = node.childForFieldName('initializer');
    const conditionNode = node.childForFieldName('condition');
    const update = node.childForFieldName('update');
    const cond: Expr = conditionNode ? this.expr(conditionNode) : { k: 'num', value: 1, s: 0, e: 0 };
    const head = this.add({ k: 'branch', cond, t: -1, f: next });
    const step = update ? this.add({ k: 'eval', expr: this.expr(update), next: head }) : head;
    const body = this.loopBody(node.childForFieldName('body'), step, next, node);
    (this.nodes[head] as { t: number }).t = body;
    // `for (i = 0; i < N; i++)` with N a positive constant or ARRAY_SIZE runs its body at least once.
    const first = initializer && firstIterationCertain(this.source(initializer), cond) ? body : head;
    if (!initializer) return head;
    if (initializer.type === 'declaration') return this.declaration(initializer, first);
    return this.add({ k: 'eval', expr: this.expr(initializer), next: first });
  }

  private caseBody(node: SyntaxNode): SyntaxNode[] {
    const value = node.childForFieldName('value');
    return node.namedChildren.filter((c): c is SyntaxNode => c !== null && c.type !== 'comment' && (!value || c.startIndex !== value.startIndex || c.endIndex !== value.endIndex));
  }

  /**
   * `GOTO(out, rc = -ENOMEM);`, `RETURN(rc);`, `RETURN_EXIT;`, `LBUG();`, `panic(...)`: a macro whose
   * definition always jumps, returns or stops, or a call that does not return (`NO_RETURN`). The
   * other arguments of a jump or return are evaluated first (`rc = -ENOMEM`).
   */
  private controlMacroStatement(node: SyntaxNode, inner: SyntaxNode, owner: SyntaxNode | undefined): number | undefined {
    const callee = inner.type === 'call_expression' ? inner.childForFieldName('function') : inner.type === 'identifier' ? inner : null;
    if (!callee || callee.type !== 'identifier') return undefined;
    const name = this.source(callee);
    const macro: ControlMacro | undefined = this.options.controlMacros?.get(name) ?? (inner.type === 'call_expression' && NO_RETURN.test(name) ? { kind: 'noreturn' } : undefined);
    if (!macro) return undefined;
    if (macro.kind === 'noreturn') return this.add({ k: 'eval', expr: this.expr(inner), next: this.add({ k: 'stop' }) });
    const argsNode = inner.type === 'call_expression' ? inner.childForFieldName('arguments') : null;
    const args = argsNode ? argsNode.namedChildren.filter((c): c is SyntaxNode => c !== null && c.type !== 'comment') : [];
    const place = this.place(node, owner);
    const span = this.span(node);
    let exit: number;
    let used: number | undefined;
    if (macro.kind === 'goto') {
      const label = args[macro.label];
      if (!label || label.type !== 'identifier') return undefined;
      const target = this.source(label);
      exit = this.add({ k: 'goto', label: target, stmt: place, next: this.labelNode(target), ...span });
      used = macro.label;
    } else {
      const value = macro.value !== undefined ? args[macro.value] : undefined;
      exit = this.add({ k: 'return', expr: value ? this.expr(value) : undefined, stmt: place, ...span });
      used = macro.value;
    }
    this.jumps.push({ s: span.s, block: this.currentBlock() });
    return this.evaluateFirst(args.filter((_, i) => i !== used), exit);
  }

  /** Eval nodes for `args`, in order, before `next`. */
  private evaluateFirst(args: SyntaxNode[], next: number): number {
    let entry = next;
    for (let i = args.length - 1; i >= 0; i--) entry = this.add({ k: 'eval', expr: this.expr(args[i]), next: entry });
    return entry;
  }

  private switchStatement(node: SyntaxNode, next: number): number {
    const discriminant = this.expr(node.childForFieldName('condition'));
    const body = node.childForFieldName('body');
    const items = body ? body.namedChildren.filter((c): c is SyntaxNode => c !== null) : [];
    this.breakTargets.push(next);
    this.blockStack.push(body ? body.startIndex : -1);
    const targets: number[] = [];
    const labels: (string | 'default' | undefined)[] = [];
    let hasDefault = false;
    let fallthrough = next;
    for (let i = items.length - 1; i >= 0; i--) {
      const item = items[i];
      if (item.type === 'case_statement') {
        fallthrough = this.sequence(this.caseBody(item), fallthrough, body ? body.startIndex : -1);
        targets.push(fallthrough);
        const value = item.childForFieldName('value');
        if (!value) hasDefault = true;
        labels.push(value ? caseLabel(this.source(value)) : 'default');
      } else {
        fallthrough = this.stmt(item, fallthrough);
      }
    }
    this.blockStack.pop();
    this.breakTargets.pop();
    if (!hasDefault) {
      targets.push(next);
      labels.push('default');
    }
    const subject: Expr = uncast(discriminant);
    const known = labels.every((l): l is string => l !== undefined);
    const switchOn = subject.k === 'id' && known ? { subject: subject.name, labels } : undefined;
    const choice = this.add({ k: 'choice', key: '', targets, ...(switchOn ? { switchOn } : {}) });
    return this.add({ k: 'eval', expr: discriminant, next: choice });
  }

  private preprocConditional(node: SyntaxNode, next: number): number {
    const conditionNode = node.childForFieldName('condition') ?? node.childForFieldName('name');
    const key = `#${node.type}:${conditionNode ? this.source(conditionNode) : ''}`;
    const alternative = node.childForFieldName('alternative');
    const body = node.namedChildren.filter(
      (c): c is SyntaxNode => c !== null && c !== conditionNode && c.type !== 'comment' && !(alternative && c.startIndex === alternative.startIndex) && !(conditionNode && c.startIndex === conditionNode.startIndex),
    );
    const conditionText = conditionNode ? this.source(conditionNode).trim() : '';
    // `#if 0` is dead code and `#if 1` always taken: only the live arm is a path.
    const constant = node.type === 'preproc_if' || node.type === 'preproc_elif' ? directiveConstant(conditionText, this.options.constants) : undefined;
    const elseEntry = alternative ? this.stmt(alternative, next) : next;
    if (constant === 0) return elseEntry;
    const thenEntry = this.sequence(body, next, this.currentBlock());
    if (constant === 1) return thenEntry;
    return this.add({ k: 'choice', key, targets: [thenEntry, elseEntry] });
  }

  private declaration(node: SyntaxNode, next: number): number {
    const entries: { name: string; init?: Expr; span: Span; scoped: boolean }[] = [];
    const span = this.span(node);
    const scoped = this.options.freeAnnotations.some((offset) => offset - this.options.delta >= span.s && offset - this.options.delta < span.e);
    for (const child of node.namedChildren) {
      if (!child) continue;
      if (child.type === 'init_declarator') {
        const name = declaratorName(child.childForFieldName('declarator'), this.options.text);
        const value = child.childForFieldName('value');
        if (name) entries.push({ name, init: value && value.type !== 'initializer_list' ? this.expr(value) : undefined, span: this.span(child), scoped });
      } else if (child.type === 'identifier' || child.type === 'pointer_declarator' || child.type === 'array_declarator') {
        const name = declaratorName(child, this.options.text);
        if (name) entries.push({ name, span: this.span(child), scoped });
      } else if (child.type === 'ERROR') {
        this.noteError(child);
      }
    }
    let entry = next;
    for (let i = entries.length - 1; i >= 0; i--) {
      const { name, init, span: s, scoped: isScoped } = entries[i];
      this.locals.add(name);
      if (isScoped) this.scopedLocals.add(name);
      entry = this.add({ k: 'decl', name, init, scoped: isScoped, next: entry, ...s });
    }
    return entry;
  }

  /** A statement list, with kernel loop macros (a call missing its `;` and then a body) made loops. */
  sequence(items: SyntaxNode[], next: number, block: number): number {
    type Unit = { node: SyntaxNode; macro?: { call: SyntaxNode; name: string }; label?: SyntaxNode };
    const units: Unit[] = [];
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (item.type === 'comment') continue;
      // `err: list_for_each_entry_safe(...) { ... }`: the label holds the macro, the body follows it.
      const labelled = item.type === 'labeled_statement' ? item.namedChildren.filter((c): c is SyntaxNode => c !== null && c.type !== 'statement_identifier' && c.type !== 'comment') : [];
      const macro = labelled.length === 1 ? this.loopMacro(labelled[0]) : this.loopMacro(item);
      const bodyIndex = i + 1 < items.length && items[i + 1].type === 'comment' ? i + 2 : i + 1;
      // Under a label, only a macro followed by a block is a loop (`out: D2(...)` is a parse gap, not a loop).
      if (macro && labelled.length === 1 && items[bodyIndex]?.type !== 'compound_statement') {
        units.push({ node: item });
        continue;
      }
      if (macro && i + 1 < items.length) {
        let j = i + 1;
        while (j < items.length && items[j].type === 'comment') j++;
        // `DB(DB_QUEUE_COMMAND, printk(")Q "))` then `spin_unlock_irq(...);`: an upper-case debug macro
        // that brings its own `;` (or expands to nothing) is a statement; the one after it always runs.
        if (j < items.length && items[j].type !== 'compound_statement' && statementMacroName(macro.name)) {
          units.push({ node: item });
          continue;
        }
        if (j < items.length) {
          units.push({ node: items[j], macro, label: labelled.length === 1 ? item : undefined });
          i = j;
          continue;
        }
      }
      units.push({ node: item });
    }
    this.blockStack.push(block);
    let entry = next;
    for (let i = units.length - 1; i >= 0; i--) {
      const unit = units[i];
      const labelled = unit.label ?? (unit.node.type === 'labeled_statement' ? unit.node : undefined);
      if (labelled) {
        const label = labelled.childForFieldName('label');
        if (label) {
          const s = this.span(labelled);
          this.labels.push({ name: this.source(label), block, index: i, ...s });
        }
      }
      entry = unit.macro ? this.macroLoop(unit.macro, unit.node, entry) : this.stmt(unit.node, entry);
      if (unit.label) {
        const label = unit.label.childForFieldName('label');
        const id = this.labelNode(label ? this.source(label) : '');
        (this.nodes[id] as { next: number }).next = entry;
        entry = id;
      }
    }
    this.blockStack.pop();
    return entry;
  }

  private loopMacro(item: SyntaxNode): { call: SyntaxNode; name: string } | undefined {
    if (item.type !== 'expression_statement') return undefined;
    if (this.options.text.charCodeAt(item.endIndex - 1) === 59) return undefined;
    const call = item.namedChildren.find((c) => c !== null && c.type !== 'comment');
    if (!call || call.type !== 'call_expression') return undefined;
    const fn = call.childForFieldName('function');
    if (!fn || fn.type !== 'identifier') return undefined;
    return { call, name: this.source(fn) };
  }

  private macroLoop(macro: { call: SyntaxNode; name: string }, body: SyntaxNode, next: number): number {
    return this.macroLoopOf(macro.name, this.expr(macro.call) as Expr & { k: 'call' }, body, next, macro.call);
  }

  /** `for_each_x(a, b) { ... }` that the grammar read as a nested function definition. */
  private nestedDefinitionLoop(node: SyntaxNode, next: number): number | undefined {
    const type = node.childForFieldName('type');
    const declarator = node.childForFieldName('declarator');
    const body = node.childForFieldName('body');
    if (!type || type.type !== 'type_identifier' || !declarator || !body) return undefined;
    const args: Expr[] = [];
    const visit = (n: SyntaxNode): void => {
      if (n.type === 'identifier' || n.type === 'type_identifier') args.push({ k: 'id', name: this.source(n), ...this.span(n) });
      else for (const c of n.namedChildren) if (c) visit(c);
    };
    visit(declarator);
    const call: Expr & { k: 'call' } = { k: 'call', callee: this.source(type), args, s: type.startIndex - this.options.delta, e: declarator.endIndex - this.options.delta };
    this.calls.push(call);
    return this.macroLoopOf(call.callee, call, body, next, node);
  }

  private macroLoopOf(name: string, call: Expr & { k: 'call' }, body: SyntaxNode, next: number, owner: SyntaxNode): number {
    const macro = { name, call: owner };
    if (this.options.isBlockMacro(macro.name)) {
      const inner = this.stmt(body, next);
      return this.add({ k: 'eval', expr: { ...call, callee: '' }, next: inner });
    }
    const ids = call.args.filter((a): a is Expr & { k: 'id' } => a.k === 'id').map((a) => a.name);
    // `for_each_child_of_node_scoped(parent, child)` declares its loop variable, the last argument,
    // and releases it itself: the other arguments are only read.
    const names = SCOPED_LOOP.test(name) ? ids.slice(-1) : ids;
    if (this.options.isLoopMacro(macro.name)) {
      const iter = this.add({ k: 'iter', call, loopVar: '', body: -1, exit: next });
      const bodyEntry = this.loopBody(body, iter, next, macro.call);
      const node = this.nodes[iter] as { body: number };
      node.body = bodyEntry;
      return iter;
    }
    const head = this.add({ k: 'branch', cond: { k: 'other', kids: [], s: call.s, e: call.e }, t: -1, f: next });
    const reassign = this.add({ k: 'reassign', names, next: head, at: call.s });
    const bodyEntry = this.loopBody(body, reassign, next, macro.call);
    (this.nodes[head] as { t: number }).t = bodyEntry;
    // The loop variables are assigned by the macro, not read: only the other arguments are evaluated.
    const argsEval = this.add({ k: 'eval', expr: { ...call, callee: '', args: call.args.filter((a) => a.k !== 'id') }, next: reassign });
    return argsEval;
  }
}

/** An upper-case macro that is not named as a loop (`FOR_WALKERS`, `LIST_FOREACH`): a statement of its own. */
function statementMacroName(name: string): boolean {
  return /^[A-Z][A-Z0-9_]*$/.test(name) && !/FOR|EACH|LOOP|WALK|ITER|LIST|SCAN|REPEAT|WHILE/.test(name);
}
/** Loop macros that declare and release their own loop variable. */
const SCOPED_LOOP = /for_each.*_scoped$/;

function firstIterationCertain(initializer: string, cond: Expr): boolean {
  if (cond.k !== 'bin' || cond.op !== '<' || cond.left.k !== 'id') return false;
  const start = new RegExp(`\\b${cond.left.name}\\s*=\\s*0\\s*;?$`);
  if (!start.test(initializer.trim())) return false;
  const limit = cond.right;
  if (limit.k === 'num') return limit.value > 0;
  if (limit.k === 'call') return limit.callee === 'ARRAY_SIZE';
  return limit.k === 'id' && /^[A-Z][A-Z0-9_]+$/.test(limit.name);
}

/** Builds the control-flow graph of one `function_definition` node. */
export function buildFunction(node: SyntaxNode, options: BuildOptions): CFunction | undefined {
  const body = node.childForFieldName('body');
  if (!body) return undefined;
  const declarator = node.childForFieldName('declarator');
  const named = functionName(declarator, options.text);
  const builder = new Builder(options);
  const params = parameterNames(declarator, options.text);
  for (const p of params) builder.locals.add(p);
  const end = builder.add({
    k: 'return',
    stmt: { s: body.endIndex - 1 - options.delta, e: body.endIndex - options.delta, unbraced: false, ownerStart: body.endIndex - 1 - options.delta },
    s: body.endIndex - 1 - options.delta,
    e: body.endIndex - options.delta,
  });
  const entry = builder.stmt(body, end);
  if (node.hasError) builder.errorCount = Math.max(builder.errorCount, 1);
  return {
    name: named?.name ?? '<function>',
    nameSpan: named ? { s: named.span.s - options.delta, e: named.span.e - options.delta } : { s: node.startIndex - options.delta, e: node.startIndex - options.delta },
    s: node.startIndex - options.delta,
    e: node.endIndex - options.delta,
    bodyStart: body.startIndex - options.delta,
    nodes: builder.nodes,
    entry,
    params,
    returnsPointer: declaresPointerResult(declarator),
    locals: builder.locals,
    scopedLocals: builder.scopedLocals,
    labels: builder.labels,
    calls: builder.calls,
    jumps: builder.jumps,
    loops: builder.loops,
    errorCount: builder.errorCount,
    firstError: builder.firstError,
    fragment: options.delta > 0,
  };
}

/** A case label the analysis can compare with another: a named constant, or an integer by its value. */
function caseLabel(text: string): string | undefined {
  const label = text.trim().replace(/^\((.*)\)$/, '$1').trim();
  if (/^[A-Z][A-Z0-9_]*$/.test(label)) return label;
  if (!/^(0x[0-9a-fA-F]+|\d+)[uUlL]*$/.test(label)) return undefined;
  const value = Number(label.replace(/[uUlL]+$/, ''));
  return Number.isSafeInteger(value) ? String(value) : undefined;
}

