// C inside models: translates a `c { ... }` body into `.lifetime` statements through the kernel API
// table, with C expressions bound to model places by name, by `x->field`, and by `bind` items.

import type * as Ast from '../syntax/ast';
import { CODES, makeDiagnostic, type Diagnostic } from '../diagnostics/codes';
import type { ApiEntry, ApiTable, ModelApiEntry } from './apiTable';
import { instantiate, templateCondition, templateStatement } from './modelApis';
import { loadedCParser, type CParser, type SyntaxNode } from './parser';
import { preprocessC } from './preprocess';

export type ModelMemberKind = 'ref' | 'lock' | 'flag' | 'state' | 'int' | 'ptr';

export interface ModelObjectInfo {
  name: string;
  members: { name: string; kind: ModelMemberKind; target?: string }[];
}

export interface CBodyContext {
  table: ApiTable;
  objects: ModelObjectInfo[];
  /** Procedures the model declares; calls to them become call statements. */
  functions: string[];
  binds: Ast.BindDecl[];
  /** Parameters of the procedure whose body this is; they stand for themselves. */
  params?: string[];
  parser?: CParser;
}

export interface CBodyTranslation {
  statements: Ast.Statement[];
  diagnostics: Diagnostic[];
}

const PREFIX = 'void __lifetime_body(void)\n{\n';

/** The context for C bodies in a parsed `.lifetime` file. */
export function cBodyContextFromFile(file: Ast.SourceFile, table: ApiTable, params: string[] = []): CBodyContext {
  const objects: ModelObjectInfo[] = [];
  const functions: string[] = [];
  const binds: Ast.BindDecl[] = [];
  const visit = (items: readonly (Ast.Item | Ast.ProposalItem)[]) => {
    for (const item of items) {
      if (item.kind === 'ObjectDecl') {
        objects.push({
          name: item.name.text,
          members: item.members.flatMap((m): ModelObjectInfo['members'] => {
            switch (m.kind) {
              case 'RefMember':
                return [{ name: m.name.text, kind: 'ref' as const }];
              case 'LockMember':
                return [{ name: m.name.text, kind: 'lock' as const }];
              case 'FlagMember':
                return [{ name: m.name.text, kind: 'flag' as const }];
              case 'StateMember':
                return [{ name: m.name.text, kind: 'state' as const }];
              case 'IntMember':
                return [{ name: m.name.text, kind: 'int' as const }];
              case 'PtrMember':
                return [{ name: m.name.text, kind: 'ptr' as const, target: m.target.text }];
              default:
                return [];
            }
          }),
        });
      } else if (item.kind === 'FnDecl') functions.push(item.name.text);
      else if (item.kind === 'BindDecl') binds.push(item);
      else if (item.kind === 'ProposalDecl') visit(item.items);
    }
  };
  visit(file.items);
  return { table, objects, functions, binds, params };
}

function normalise(text: string): string {
  return text.replace(/\s+/g, '').replace(/^\((.*)\)$/, '$1');
}

class Translator {
  readonly diagnostics: Diagnostic[] = [];
  private readonly bindMap = new Map<string, Ast.BindDecl>();
  private readonly objects = new Map<string, ModelObjectInfo>();

  constructor(
    private readonly text: string,
    private readonly base: number,
    private readonly context: CBodyContext,
  ) {
    for (const bind of context.binds) this.bindMap.set(normalise(bind.cExpr.value), bind);
    for (const object of context.objects) this.objects.set(object.name, object);
  }

  private range(node: SyntaxNode): Ast.Range {
    return { start: node.startIndex + this.base, end: node.endIndex + this.base };
  }

  private source(node: SyntaxNode): string {
    return this.text.slice(node.startIndex, node.endIndex);
  }

  private warn(node: SyntaxNode, message: string): void {
    const r = this.range(node);
    this.diagnostics.push(makeDiagnostic(CODES.cUntranslatable, message, r.start, r.end));
  }

  private unbound(node: SyntaxNode): void {
    const r = this.range(node);
    this.diagnostics.push(
      makeDiagnostic(CODES.unboundCName, `The C expression \`${this.source(node)}\` maps to no model object; add \`bind "${this.source(node)}" = PLACE\`.`, r.start, r.end),
    );
  }

  // ------------------------------------------------------------------------------------------
  // Places

  private place(node: SyntaxNode | null | undefined): Ast.Place | undefined {
    if (!node) return undefined;
    const r = this.range(node);
    const ident = (text: string): Ast.Identifier => ({ kind: 'Identifier', text, start: r.start, end: r.end });
    const bound = this.bindMap.get(normalise(this.source(node))) ?? this.bindMap.get(normalise(this.source(node)).replace(/^&/, ''));
    if (bound) return { kind: 'Place', segments: bound.target.segments.map((s) => ident(s.text)), start: r.start, end: r.end };
    switch (node.type) {
      case 'parenthesized_expression':
      case 'cast_expression': {
        const inner = node.type === 'cast_expression' ? node.childForFieldName('value') : node.namedChildren.find((c) => c !== null) ?? null;
        return this.place(inner);
      }
      case 'pointer_expression': {
        const operator = node.childForFieldName('operator');
        if (operator && this.source(operator) === '&') return this.place(node.childForFieldName('argument'));
        return undefined;
      }
      case 'identifier': {
        const name = this.source(node);
        if (this.objects.has(name) || (this.context.params ?? []).includes(name)) return { kind: 'Place', segments: [ident(name)], start: r.start, end: r.end };
        return undefined;
      }
      case 'call_expression': {
        // rcu_dereference(p) and the like: the place they read.
        const fn = node.childForFieldName('function');
        const entry = fn ? this.context.table.models.get(this.source(fn)) : undefined;
        const read = entry ? /^rcu_dereference \{arg(\d)\}$/.exec(entry.model) : null;
        return read ? this.place(this.args(node)[Number(read[1])]) : undefined;
      }
      case 'field_expression': {
        const basePlace = this.place(node.childForFieldName('argument'));
        const field = node.childForFieldName('field');
        if (!basePlace || !field) return undefined;
        return { kind: 'Place', segments: [...basePlace.segments, ident(this.source(field))], start: r.start, end: r.end };
      }
      default:
        return undefined;
    }
  }

  /** The object a place designates, when its last segment is an object of the model. */
  private objectOf(place: Ast.Place): ModelObjectInfo | undefined {
    const last = place.segments[place.segments.length - 1]?.text;
    if (last !== undefined && this.objects.has(last)) return this.objects.get(last);
    if (place.segments.length === 1) return undefined;
    // `bond.mm`: follow the pointer member's target.
    let current = this.objects.get(place.segments[0].text);
    for (const segment of place.segments.slice(1)) {
      const member = current?.members.find((m) => m.name === segment.text);
      if (!member || member.kind !== 'ptr' || !member.target) return undefined;
      current = this.objects.get(member.target);
    }
    return current;
  }

  /** A place for the API's member kind: `mm` with mmput becomes `mm.users`. */
  private memberPlace(place: Ast.Place, entry: ApiEntry, kind: 'ref' | 'lock'): Ast.Place {
    const object = this.objectOf(place);
    if (!object) return place;
    const candidates = object.members.filter((m) => m.kind === kind);
    if (candidates.length === 0) return place;
    const byFamily = candidates.find((m) => entry.families.some((f) => f.includes(m.name) || m.name.includes(f)));
    const chosen = byFamily ?? candidates[0];
    const end = place.segments[place.segments.length - 1];
    return { ...place, segments: [...place.segments, { kind: 'Identifier', text: chosen.name, start: end.start, end: end.end }] };
  }

  private args(call: SyntaxNode): SyntaxNode[] {
    const args = call.childForFieldName('arguments');
    return args ? args.namedChildren.filter((c): c is SyntaxNode => c !== null && c.type !== 'comment') : [];
  }

  private objectArg(call: SyntaxNode, entry: ApiEntry): SyntaxNode | undefined {
    if (typeof entry.object === 'number') return this.args(call)[entry.object];
    return undefined;
  }

  // ------------------------------------------------------------------------------------------
  // Calls of the kernel's mechanisms (model entries of the API table, see modelApis.ts)

  private modelEntry(call: SyntaxNode): ModelApiEntry | undefined {
    const fn = call.childForFieldName('function');
    return fn ? this.context.table.models.get(this.source(fn)) : undefined;
  }

  /** The template of a model entry filled from a call's arguments; undefined (and a warning) when it cannot be. */
  private filled(entry: ModelApiEntry, call: SyntaxNode, result: Ast.Place | undefined): string | undefined {
    const args = this.args(call);
    const text = (place: Ast.Place): string => place.segments.map((s) => s.text).join('.');
    const outcome = instantiate(entry, (placeholder) => {
      if (placeholder === 'result') return result ? text(result) : undefined;
      const arg = args[Number(placeholder.slice(-1))];
      if (!arg) return undefined;
      if (placeholder.startsWith('fn')) {
        const name = this.source(arg).replace(/^&/, '');
        return this.context.functions.includes(name) ? name : undefined;
      }
      if (placeholder.startsWith('arg') && /^(NULL|0)$/.test(this.source(arg).trim())) return 'null';
      const place = this.place(arg);
      if (!place) return undefined;
      // `{objN}`: the object the argument lies in (`&e->rcu` is in `e`).
      if (placeholder.startsWith('arg') || place.segments.length === 1) return text(place);
      return text({ ...place, segments: place.segments.slice(0, -1) });
    });
    if ('text' in outcome) return outcome.text;
    const missing = outcome.missing;
    const index = Number(missing.slice(-1));
    if (missing === 'result') this.warn(call, `${entry.name}()'s value is not stored in a model place; skipped.`);
    else if (missing.startsWith('fn')) this.warn(args[index] ?? call, `${this.source(args[index] ?? call)} is not a procedure of the model; ${entry.name}() is skipped.`);
    else if (args[index]) this.unbound(args[index]);
    else this.warn(call, `${entry.name}() has no argument ${index + 1}; skipped.`);
    return undefined;
  }

  private modelCall(entry: ModelApiEntry, call: SyntaxNode, r: Ast.Range, result: Ast.Place | undefined): Ast.Statement[] {
    const text = this.filled(entry, call, result);
    if (text === undefined) return [];
    const statement = templateStatement(text, r);
    if (!statement) {
      this.warn(call, `${entry.name}() maps to \`${text}\`, which is not a model statement; skipped.`);
      return [];
    }
    return [statement];
  }

  /** A condition that is a call of a mechanism: `tryget_live ...`, `put ... locking ...`. */
  private modelCondition(call: SyntaxNode): Ast.Expression | undefined {
    const entry = this.modelEntry(call);
    if (!entry) return undefined;
    const text = this.filled(entry, call, undefined);
    return text === undefined ? undefined : templateCondition(text, this.range(call));
  }

  /**
   * A mechanism's call tested by a condition that the model cannot decide (`if (!queue_work(...))`):
   * the call still happens, before the branch.
   */
  private conditionEffects(node: SyntaxNode | null): Ast.Statement[] {
    let core = node;
    while (core && (core.type === 'parenthesized_expression' || (core.type === 'unary_expression' && this.source(core).startsWith('!')))) {
      core = core.type === 'parenthesized_expression' ? core.namedChildren.find((c) => c !== null) ?? null : core.childForFieldName('argument');
    }
    if (!core || core.type !== 'call_expression') return [];
    const entry = this.modelEntry(core);
    return entry ? this.modelCall(entry, core, this.range(core), undefined) : [];
  }

  // ------------------------------------------------------------------------------------------
  // Statements

  block(node: SyntaxNode): Ast.Block {
    const statements: Ast.Statement[] = [];
    const items = node.type === 'compound_statement' ? node.namedChildren.filter((c): c is SyntaxNode => c !== null) : [node];
    for (const item of items) statements.push(...this.statement(item));
    return { kind: 'Block', statements, ...this.range(node) };
  }

  statement(node: SyntaxNode): Ast.Statement[] {
    switch (node.type) {
      case 'comment':
        return [];
      case 'compound_statement':
        return [this.block(node)];
      case 'expression_statement': {
        const inner = node.namedChildren.find((c) => c !== null && c.type !== 'comment');
        return inner ? this.expressionStatement(inner, node) : [];
      }
      case 'declaration': {
        const out: Ast.Statement[] = [];
        for (const child of node.namedChildren) {
          if (child && child.type === 'init_declarator') {
            const value = child.childForFieldName('value');
            if (value && value.type === 'call_expression') out.push(...this.call(value, node, this.place(child.childForFieldName('declarator'))));
          }
        }
        return out;
      }
      case 'if_statement':
        return this.ifStatement(node);
      case 'while_statement':
      case 'for_statement':
      case 'do_statement': {
        const body = node.childForFieldName('body');
        const r = this.range(node);
        // The loop runs its body once or not at all: a `maybe`, whose lowering adds the "no" edge.
        const branches: Ast.Block[] = [body ? this.block(body) : { kind: 'Block', statements: [], ...r }];
        return [{ kind: 'ChooseStatement', isMaybe: true, branches, ...r }];
      }
      case 'return_statement': {
        const value = node.namedChildren.find((c) => c !== null && c.type !== 'comment');
        const effects = value && value.type === 'call_expression' ? this.call(value, node) : [];
        return [...effects, { kind: 'ReturnStatement', ...this.range(node) }];
      }
      default:
        this.warn(node, `This C statement (${node.type.replace(/_/g, ' ')}) has no model meaning and is skipped.`);
        return [];
    }
  }

  private ifStatement(node: SyntaxNode): Ast.Statement[] {
    const conditionNode = node.childForFieldName('condition');
    const consequence = node.childForFieldName('consequence');
    const alternative = node.childForFieldName('alternative');
    const elseBody = alternative ? (alternative.type === 'else_clause' ? alternative.namedChildren.find((c) => c !== null) ?? null : alternative) : null;
    const r = this.range(node);
    const then = consequence ? this.block(consequence) : { kind: 'Block' as const, statements: [], ...r };
    const other = elseBody ? this.block(elseBody) : undefined;
    const inner = conditionNode?.namedChildren.find((c) => c !== null) ?? null;
    const condition = inner ? this.condition(inner) : undefined;
    if (condition) {
      const statement: Ast.IfStatement = { kind: 'IfStatement', condition, then, ...r };
      if (other) statement.else = other;
      return [statement];
    }
    // An undecidable condition: either branch may run (`choose`), or, without an else, the body may (`maybe`).
    const effects = this.conditionEffects(inner);
    if (other) return [...effects, { kind: 'ChooseStatement', isMaybe: false, branches: [then, other], ...r }];
    return [...effects, { kind: 'ChooseStatement', isMaybe: true, branches: [then], ...r }];
  }

  /** A condition the model can decide, or undefined (the caller makes a nondeterministic choice). */
  private condition(node: SyntaxNode): Ast.Expression | undefined {
    const r = this.range(node);
    if (node.type === 'parenthesized_expression') {
      const inner = node.namedChildren.find((c) => c !== null) ?? null;
      return inner ? this.condition(inner) : undefined;
    }
    if (node.type === 'unary_expression' && node.childForFieldName('operator') && this.source(node.childForFieldName('operator') as SyntaxNode) === '!') {
      const operand = node.childForFieldName('argument');
      const inner = operand ? this.condition(operand) : undefined;
      return inner ? { kind: 'UnaryExpression', op: '!', operand: inner, ...r } : undefined;
    }
    if (node.type === 'call_expression') {
      if (this.modelEntry(node)) return this.modelCondition(node);
      const fn = node.childForFieldName('function');
      const entry = fn ? this.context.table.byName.get(this.source(fn)) : undefined;
      if (!entry || entry.effect !== 'acquire' || (entry.when !== 'nonzero' && entry.when !== 'nonnull')) return undefined;
      const arg = this.objectArg(node, entry);
      const target = this.place(arg);
      if (!target) {
        if (arg) this.unbound(arg);
        return undefined;
      }
      const lock = entry.kind === 'lock';
      return { kind: 'TryExpression', op: lock ? 'trylock' : 'tryget', target: this.memberPlace(target, entry, lock ? 'lock' : 'ref'), ...r };
    }
    if (node.type === 'field_expression' || node.type === 'identifier') {
      const target = this.place(node);
      if (!target || target.segments.length < 2) return undefined;
      const owner = this.objectOf({ ...target, segments: target.segments.slice(0, -1) });
      const member = owner?.members.find((m) => m.name === target.segments[target.segments.length - 1].text);
      return member && (member.kind === 'flag' || member.kind === 'ptr') ? target : undefined;
    }
    return undefined;
  }

  /** The int member of a model object that `node` designates (`group->devices`), if any. */
  private intMember(node: SyntaxNode | null): Ast.Place | undefined {
    const target = this.place(node);
    if (!target || target.segments.length < 2) return undefined;
    const owner = this.objectOf({ ...target, segments: target.segments.slice(0, -1) });
    const member = owner?.members.find((m) => m.name === target.segments[target.segments.length - 1].text);
    return member?.kind === 'int' ? target : undefined;
  }

  /** `x->n++`, `--x->n`, `x->n += 1`, `x->n -= 1` on an int member: an inc or dec step. */
  private counterStep(expr: SyntaxNode, statement: SyntaxNode): Ast.Statement | undefined {
    let operand: SyntaxNode | null = null;
    let op: 'inc' | 'dec' | undefined;
    if (expr.type === 'update_expression') {
      operand = expr.childForFieldName('argument');
      const operator = expr.childForFieldName('operator');
      const text = operator ? this.source(operator) : '';
      op = text === '++' ? 'inc' : text === '--' ? 'dec' : undefined;
    } else if (expr.type === 'assignment_expression') {
      const operator = expr.childForFieldName('operator');
      const right = expr.childForFieldName('right');
      if (!operator || !right || this.source(right).trim() !== '1') return undefined;
      operand = expr.childForFieldName('left');
      const text = this.source(operator);
      op = text === '+=' ? 'inc' : text === '-=' ? 'dec' : undefined;
    }
    if (!op) return undefined;
    const target = this.intMember(operand);
    return target ? { kind: 'StepStatement', op, target, ...this.range(statement) } : undefined;
  }

  private expressionStatement(expr: SyntaxNode, statement: SyntaxNode): Ast.Statement[] {
    if (expr.type === 'call_expression') return this.call(expr, statement);
    const step = this.counterStep(expr, statement);
    if (step) return [step];
    if (expr.type === 'assignment_expression') {
      const right = expr.childForFieldName('right');
      if (right && right.type === 'call_expression') return this.call(right, statement, this.place(expr.childForFieldName('left')));
      const left = this.place(expr.childForFieldName('left'));
      const value = right ? this.source(right).trim() : '';
      if (left && /^(true|1)$/.test(value)) return [{ kind: 'StepStatement', op: 'set', target: left, ...this.range(statement) }];
      if (left && /^(false|0|NULL)$/.test(value)) return [{ kind: 'StepStatement', op: 'clear', target: left, ...this.range(statement) }];
    }
    this.warn(statement, `\`${this.source(statement).trim()}\` has no model meaning and is skipped.`);
    return [];
  }

  /** A call as a statement; `result` is where its value is stored, if anywhere. */
  private call(call: SyntaxNode, statement: SyntaxNode, result?: Ast.Place): Ast.Statement[] {
    const fn = call.childForFieldName('function');
    const name = fn ? this.source(fn) : '';
    const r = this.range(statement);
    const model = this.context.table.models.get(name);
    if (model) return this.modelCall(model, call, r, result);
    const entry = this.context.table.byName.get(name);
    if (entry) return this.apiCall(entry, call, r);
    if (this.context.functions.includes(name) && fn) {
      const argsNode = call.childForFieldName('arguments');
      const args: Ast.Place[] = [];
      for (const arg of argsNode ? argsNode.namedChildren : []) {
        if (!arg || arg.type === 'comment') continue;
        const place = this.place(arg);
        if (place) args.push(place);
        else this.unbound(arg);
      }
      const fr = this.range(fn);
      return [{ kind: 'CallStatement', callee: { kind: 'Identifier', text: name, start: fr.start, end: fr.end }, args, argsRange: argsNode ? this.range(argsNode) : fr, ...r }];
    }
    this.warn(call, `${name || 'This call'}() is neither in the kernel API table nor a procedure of the model; skipped.`);
    return [];
  }

  private apiCall(entry: ApiEntry, call: SyntaxNode, r: Ast.Range): Ast.Statement[] {
    if (entry.effect === 'managed' || entry.effect === 'scoped' || entry.effect === 'iterator') return [];
    const arg = this.objectArg(call, entry);
    if (entry.object === 'return' || entry.object === 'none') {
      this.warn(call, `${entry.name}() acts on ${entry.object === 'none' ? 'no object of the model' : 'its return value'}; skipped.`);
      return [];
    }
    const target = this.place(arg);
    if (!target) {
      if (arg) this.unbound(arg);
      return [];
    }
    const isLock = entry.kind === 'lock' || (entry.effect === 'release' && this.isLockFamily(entry));
    let statement: Ast.Statement;
    if (isLock) {
      statement = { kind: 'LockStatement', op: entry.effect === 'acquire' ? 'lock' : 'unlock', target: this.memberPlace(target, entry, 'lock'), ...r };
    } else if (entry.effect === 'release' && entry.frees && (this.objectOf(target) || this.isParam(target))) {
      statement = { kind: 'LifecycleStatement', op: 'free', target, ...r };
    } else {
      statement = { kind: 'RefStatement', op: entry.effect === 'acquire' ? 'get' : 'put', target: this.memberPlace(target, entry, 'ref'), ...r };
    }
    if (entry.effect === 'acquire' && entry.when !== 'always') {
      // Whether a conditional acquire succeeds is up to the model: either it does or it does not.
      return [{ kind: 'ChooseStatement', isMaybe: true, branches: [{ kind: 'Block', statements: [statement], ...r }], ...r }];
    }
    return [statement];
  }

  /** A procedure's parameter, which stands for an object (or a handle to one). */
  private isParam(place: Ast.Place): boolean {
    return place.segments.length === 1 && (this.context.params ?? []).includes(place.segments[0].text);
  }

  private isLockFamily(entry: ApiEntry): boolean {
    for (const other of this.context.table.byName.values()) {
      if (other.effect === 'acquire' && other.kind === 'lock' && other.families.some((f) => entry.families.includes(f))) return true;
    }
    return false;
  }
}

/**
 * Translates the C of a `c { ... }` body (`code`, which starts at `codeStart` in the `.lifetime` file)
 * into model statements; ranges are offsets into the `.lifetime` file.
 */
export function translateCBody(code: string, codeStart: number, context: CBodyContext): CBodyTranslation {
  const parser = context.parser ?? loadedCParser();
  if (!parser) {
    return {
      statements: [],
      diagnostics: [makeDiagnostic(CODES.cUntranslatable, 'The C parser is not loaded yet; the C body is not translated.', codeStart, codeStart + code.length)],
    };
  }
  const wrapped = `${PREFIX}${preprocessC(code).text}\n}\n`;
  const tree = parser.parse(wrapped);
  try {
    const fn = tree.rootNode.namedChildren.find((c) => c !== null && c.type === 'function_definition');
    const body = fn?.childForFieldName('body');
    const translator = new Translator(wrapped, codeStart - PREFIX.length, context);
    if (!body) return { statements: [], diagnostics: translator.diagnostics };
    const statements: Ast.Statement[] = [];
    for (const child of body.namedChildren) if (child) statements.push(...translator.statement(child));
    if (body.hasError) {
      translator.diagnostics.push(makeDiagnostic(CODES.cParseError, 'Part of this C body could not be parsed; it is skipped.', codeStart, codeStart + code.length));
    }
    return { statements, diagnostics: translator.diagnostics };
  } finally {
    tree.delete();
  }
}
