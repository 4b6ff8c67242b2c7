// Items: model, module, objects and their members (the mechanisms' members included), procedures,
// threads, devices, orders, binds, proposals and expectations.

import { CODES } from '../diagnostics/codes';
import type { BindDecl, Block, Body, BoolLiteral, CBody, DeviceDecl, DmaTarget, ErrorNode, EventPattern, EventVerb, ExpectDecl, FlagMember, FnDecl, HandlerMember, Identifier, IntMember, Item, LockKind, LockMember, Member, ModelDecl, ModuleDecl, NullLiteral, ObjectDecl, ObjectModifier, OrderDecl, PercpuRefMember, Place, ProposalDecl, ProposalItem, PtrMember, Range, RefMember, RemoveDecl, StateMember, StringLiteral, SyncMember, ThreadDecl } from './ast';
import { TokenKind } from './tokens';
import { ITEM_WORDS, PROPOSAL_ITEM_WORDS, MEMBER_WORDS, MEMBER_LIST, EVENT_VERBS, EVENT_VERB_LIST, exactSize } from './parserWords';
import { StatementParser } from './parseStatements';

export abstract class DeclarationParser extends StatementParser {
  /** Parses the item at the current token (an item start); inside proposals, `remove` too. */
  protected parseItem(inProposal: boolean): Item | ProposalItem {
    const start = this.startHere();
    let isNew = false;
    if (this.isWord('new') && this.kind(1) === TokenKind.Identifier) {
      this.advance();
      isNew = true;
    }
    const word = this.word();
    switch (word) {
      case 'model':
        if (!isNew) return this.parseModel(start);
        break;
      case 'module':
        if (!isNew && !inProposal) return this.parseModule(start);
        break;
      case 'object':
      case 'static':
        return this.parseObject(start, isNew);
      case 'fn':
        return this.parseFn(start, isNew);
      case 'thread':
        return this.parseThread(start, isNew);
      case 'device':
        return this.parseDevice(start, isNew);
      case 'order':
        return this.parseOrder(start, isNew);
      case 'bind':
        if (!isNew) return this.parseBind(start);
        break;
      case 'proposal':
        if (!isNew) return this.parseProposal(start);
        break;
      case 'expect':
        if (!isNew) return this.parseExpect(start);
        break;
      case 'remove':
        if (!isNew && inProposal) return this.parseRemove(start);
        break;
    }
    this.errorAtCurrent(CODES.unexpectedToken, "Expected object, static, fn, thread, device or order after 'new'");
    const skipped = this.skipUntil(() => this.isItemStart(inProposal ? PROPOSAL_ITEM_WORDS : ITEM_WORDS) || this.kind() === TokenKind.RBrace);
    return { kind: 'Error', start, end: skipped.end, tokens: skipped.tokens };
  }

  protected parseModel(start: number): ModelDecl {
    this.advance();
    const name = this.parseIdentifier("the model's name after 'model'");
    const title = this.parseOptionalString();
    const node: ModelDecl = { kind: 'ModelDecl', start, end: this.lastEnd, name };
    if (title) node.title = title;
    return node;
  }

  protected parseModule(start: number): ModuleDecl {
    this.advance();
    const name = this.parseIdentifier("the module's name after 'module'");
    return { kind: 'ModuleDecl', start, end: this.lastEnd, name };
  }

  /** `in MODULE` after a procedure's parameters, a handler's name or a static's name. */
  protected parseModuleClause(): Identifier | undefined {
    if (!this.isWord('in') || this.kind(1) !== TokenKind.Identifier) return undefined;
    this.advance();
    return this.parseIdentifier("a module name after 'in'");
  }

  protected parseObject(start: number, isNew: boolean): ObjectDecl {
    const isStatic = this.word() === 'static';
    this.advance();
    const name = this.parseIdentifier(isStatic ? "a name after 'static'" : "a name after 'object'");
    const modifiers: { name: ObjectModifier; range: Range }[] = [];
    if (!isStatic) {
      while (this.isWord('recyclable') || this.isWord('unborn') || this.isWord('long-lived')) {
        const name = this.word() as ObjectModifier;
        const start = this.advance();
        modifiers.push({ name, range: { start, end: this.lastEnd } });
      }
    }
    const module = isStatic ? this.parseModuleClause() : undefined;
    const members: Member[] = [];
    const node: ObjectDecl = { kind: 'ObjectDecl', start, end: 0, isStatic, isNew, name, modifiers: exactSize(modifiers), members };
    if (module) node.module = module;
    if (this.kind() === TokenKind.LBrace) {
      const bodyStart = this.advance();
      this.parseMembers(members);
      node.members = exactSize(members);
      this.expectClose(`to close the body of '${name.text}'`);
      node.body = { start: bodyStart, end: this.lastEnd };
    }
    node.end = this.lastEnd;
    return node;
  }

  protected parseMembers(members: Member[]): void {
    for (;;) {
      const kind = this.kind();
      if (kind === TokenKind.RBrace || kind === TokenKind.EOF) return;
      if (kind === TokenKind.Semicolon) {
        this.advance();
        continue;
      }
      if (this.kind() === TokenKind.Identifier && MEMBER_WORDS.has(this.word())) {
        members.push(this.parseMember());
        this.consume(TokenKind.Semicolon);
        continue;
      }
      if (this.isItemStart(ITEM_WORDS)) return;
      this.errorAtCurrent(CODES.expectedMember, `Expected a member (${MEMBER_LIST})`);
      members.push(
        this.skipUntil(() => {
          const k = this.kind();
          return (
            k === TokenKind.RBrace ||
            (k === TokenKind.Identifier && MEMBER_WORDS.has(this.word())) ||
            this.isItemStart(ITEM_WORDS)
          );
        }),
      );
    }
  }

  protected parseMember(): Member {
    const start = this.startHere();
    const word = this.word();
    this.advance();
    const name = this.parseIdentifier("a name after '%s'", word);
    switch (word) {
      case 'ref':
        return this.parseRefMember(start, name);
      case 'work':
      case 'timer':
        return this.parseHandlerMember(start, word, name);
      case 'percpu_ref':
        return this.parsePercpuRefMember(start, name);
      case 'completion':
      case 'srcu':
      case 'workqueue': {
        const node: SyncMember = { kind: 'SyncMember', start, end: this.lastEnd, mechanism: word, name };
        return node;
      }
      case 'lock': {
        let lockKind: LockKind = 'mutex';
        if (this.isWord('mutex') || this.isWord('spinlock') || this.isWord('rwsem')) {
          lockKind = this.word() as LockKind;
          this.advance();
        }
        const node: LockMember = { kind: 'LockMember', start, end: this.lastEnd, name, lockKind };
        return node;
      }
      case 'flag': {
        const node: FlagMember = { kind: 'FlagMember', start, end: 0, name };
        if (this.consume(TokenKind.Assign)) {
          if (this.isWord('true') || this.isWord('false')) {
            const value = this.isWord('true');
            const start = this.advance();
            node.initial = { kind: 'BoolLiteral', start, end: this.lastEnd, value };
          } else {
            this.errorAtCurrent(CODES.unexpectedToken, "Expected 'true' or 'false'");
          }
        }
        node.end = this.lastEnd;
        return node;
      }
      case 'state':
        return this.parseStateMember(start, name);
      case 'int': {
        const node: IntMember = { kind: 'IntMember', start, end: 0, name };
        if (this.consume(TokenKind.Assign)) {
          const initial = this.parseNumberLiteral("an initial number after '='");
          if (initial) node.initial = initial;
        }
        if (this.consumeWord('in')) {
          const low = this.parseNumberLiteral("the lowest value after 'in'");
          if (low) {
            node.rangeLow = low;
            if (this.expect(TokenKind.DotDot, "'..' between the bounds of the range")) {
              const high = this.parseNumberLiteral("the highest value after '..'");
              if (high) node.rangeHigh = high;
            }
          }
        }
        node.end = this.lastEnd;
        return node;
      }
      default: {
        const node: PtrMember = { kind: 'PtrMember', start, end: 0, name, target: this.missingIdentifier() };
        if (this.expect(TokenKind.Arrow, "'->' and the object the pointer points to")) {
          node.target = this.parseIdentifier("the object the pointer points to after '->'");
        }
        if (this.consume(TokenKind.Assign)) {
          if (this.isWord('null')) {
            const start = this.advance();
            const nullNode: NullLiteral = { kind: 'NullLiteral', start, end: this.lastEnd };
            node.initial = nullNode;
          } else {
            node.initial = this.parseIdentifier("an object or 'null' after '='");
          }
        }
        node.end = this.lastEnd;
        return node;
      }
    }
  }

  protected parseRefMember(start: number, name: Identifier): RefMember {
    const node: RefMember = { kind: 'RefMember', start, end: 0, name };
    if (this.consume(TokenKind.Assign)) {
      const initial = this.parseNumberLiteral("the initial count after '='");
      if (initial) node.initial = initial;
    }
    if (this.isOnClause()) {
      this.advance();
      this.expectWord('zero', "after 'on'");
      node.onZero = this.parseAction('zero');
    }
    node.end = this.lastEnd;
    return node;
  }

  /** `on` starting an `on zero` (or `on confirm`) clause, not a name used in a statement. */
  protected isOnClause(): boolean {
    return this.isWord('on') && this.kind(1) !== TokenKind.LParen && this.kind(1) !== TokenKind.Dot && this.kind(1) !== TokenKind.Assign;
  }

  /** The block or single statement after `on zero` / `on confirm`. */
  protected parseAction(what: string): Block {
    if (this.kind() === TokenKind.LBrace) return this.parseBlock();
    if (this.kind() === TokenKind.Identifier) {
      const statement = this.parseStatement();
      return { kind: 'Block', start: statement.start, end: statement.end, statements: [statement] };
    }
    this.errorAtCurrent(CODES.expectedStatement, `Expected a block or a statement after 'on ${what}'`);
    return this.emptyBlock();
  }

  /** `percpu_ref NAME [on zero ACTION] [on confirm ACTION]`, in either order. */
  protected parsePercpuRefMember(start: number, name: Identifier): PercpuRefMember {
    const node: PercpuRefMember = { kind: 'PercpuRefMember', start, end: 0, name };
    while (this.isOnClause() && (this.isWord('zero', 1) || this.isWord('confirm', 1))) {
      this.advance();
      const which = this.word();
      this.advance();
      if (which === 'zero') node.onZero = this.parseAction('zero');
      else node.onConfirm = this.parseAction('confirm');
    }
    node.end = this.lastEnd;
    return node;
  }

  /** `work NAME [on WQ] [in MODULE] { handler }`, `timer NAME [in MODULE] { handler }`. */
  protected parseHandlerMember(start: number, mechanism: 'work' | 'timer', name: Identifier): HandlerMember {
    const node: HandlerMember = { kind: 'HandlerMember', start, end: 0, mechanism, name, body: this.emptyBlock() };
    if (mechanism === 'work' && this.isWord('on') && this.kind(1) === TokenKind.Identifier) {
      this.advance();
      node.workqueue = this.parsePlace("the workqueue after 'on'");
    }
    const module = this.parseModuleClause();
    if (module) node.module = module;
    node.body = this.parseRequiredBlock(`the handler of ${mechanism} '${name.text}'`);
    node.end = this.lastEnd;
    return node;
  }

  protected parseStateMember(start: number, name: Identifier): StateMember {
    const values: Identifier[] = [];
    const node: StateMember = { kind: 'StateMember', start, end: 0, name, values };
    if (this.expect(TokenKind.LBrace, `'{' and the values of state '${name.text}'`)) {
      values.push(this.parseIdentifier('a state value'));
      while (this.consume(TokenKind.Comma)) {
        if (this.kind() === TokenKind.RBrace) break;
        values.push(this.parseIdentifier("a state value after ','"));
      }
      node.values = exactSize(values);
      if (!this.consume(TokenKind.RBrace)) {
        this.errorAtCurrent(CODES.unexpectedToken, "Expected ',' or '}' in the list of state values");
        // The skipped tokens stay inside the member's range; the member has no place for an ErrorNode.
        this.skipUntil(() => this.kind() === TokenKind.RBrace || this.isItemStart(ITEM_WORDS) || (this.kind() === TokenKind.Identifier && MEMBER_WORDS.has(this.word())));
        this.consume(TokenKind.RBrace);
      }
    }
    if (this.consume(TokenKind.Assign)) node.initial = this.parseIdentifier("a state value after '='");
    node.end = this.lastEnd;
    return node;
  }

  protected parseParams(): Identifier[] {
    const params: Identifier[] = [];
    if (!this.expect(TokenKind.LParen, "'(' and the parameters")) return params;
    if (this.consume(TokenKind.RParen)) return params;
    params.push(this.parseIdentifier('a parameter name'));
    while (this.consume(TokenKind.Comma)) params.push(this.parseIdentifier("a parameter name after ','"));
    this.expect(TokenKind.RParen, "',' or ')' after the parameters");
    return exactSize(params);
  }

  protected parseFn(start: number, isNew: boolean): FnDecl {
    this.advance();
    const name = this.parseIdentifier("the procedure's name after 'fn'");
    const params = this.parseParams();
    const module = this.parseModuleClause();
    const body = this.parseBody(`'${name.text}'`);
    const node: FnDecl = { kind: 'FnDecl', start, end: this.lastEnd, isNew, name, params, body };
    if (module) node.module = module;
    return node;
  }

  protected parseThread(start: number, isNew: boolean): ThreadDecl {
    this.advance();
    const name = this.parseIdentifier("the thread's name after 'thread'");
    const node: ThreadDecl = { kind: 'ThreadDecl', start, end: 0, isNew, name, body: this.emptyBlock() };
    if (this.consume(TokenKind.LBracket)) {
      const count = this.parseNumberLiteral("the number of threads after '['");
      if (count) node.count = count;
      this.expect(TokenKind.RBracket, "']' after the number of threads");
    }
    node.body = this.parseBody(`thread '${name.text}'`);
    node.end = this.lastEnd;
    return node;
  }

  /** Body = Block | 'c' CBlock. */
  protected parseBody(owner: string): Body {
    if (this.kind() === TokenKind.LBrace) return this.parseBlock();
    if (this.isWord('c')) {
      const start = this.startHere();
      if (this.kind(1) === TokenKind.LBrace) {
        const block = this.rescanAsCBlock();
        this.advance();
        this.advance();
        const codeStart = block.start + 1;
        const closed = block.end - block.start >= 2 && this.text.charCodeAt(block.end - 1) === 125;
        const codeEnd = closed ? block.end - 1 : block.end;
        const node: CBody = { kind: 'CBody', start, end: block.end, code: this.text.slice(codeStart, codeEnd), codeStart };
        return node;
      }
      this.advance();
      this.errorAtCurrent(CODES.unexpectedToken, "Expected '{' to start the C body after 'c'");
      const node: CBody = { kind: 'CBody', start, end: this.lastEnd, code: '', codeStart: this.lastEnd };
      return node;
    }
    this.errorAtCurrent(CODES.unexpectedToken, `Expected '{' or 'c {' to start the body of ${owner}`);
    return this.emptyBlock();
  }

  protected parseDevice(start: number, isNew: boolean): DeviceDecl {
    this.advance();
    const name = this.parseIdentifier("the device's name after 'device'");
    const targets: DmaTarget[] = [];
    const node: DeviceDecl = { kind: 'DeviceDecl', start, end: 0, isNew, name, initiallyStopped: false, targets };
    if (this.consumeWord('stopped')) node.initiallyStopped = true;
    if (this.kind() === TokenKind.LBrace) {
      const bodyStart = this.advance();
      for (;;) {
        const kind = this.kind();
        if (kind === TokenKind.RBrace || kind === TokenKind.EOF) break;
        if (kind === TokenKind.Semicolon) {
          this.advance();
          continue;
        }
        if (this.isWord('dma')) {
          const dmaStart = this.advance();
          const target = this.parsePlace("the DMA target after 'dma'");
          targets.push({ kind: 'DmaTarget', start: dmaStart, end: this.lastEnd, target });
          continue;
        }
        if (this.isItemStart(ITEM_WORDS)) break;
        this.errorAtCurrent(CODES.unexpectedToken, "Expected 'dma' and a target, or '}'");
        this.skipUntil(() => this.kind() === TokenKind.RBrace || this.isWord('dma') || this.isItemStart(ITEM_WORDS));
      }
      this.expectClose(`to close the body of device '${name.text}'`);
      node.targets = exactSize(targets);
      node.body = { start: bodyStart, end: this.lastEnd };
    }
    node.end = this.lastEnd;
    return node;
  }

  protected parseEvent(): EventPattern | undefined {
    const start = this.startHere();
    const verb = this.word();
    if (!EVENT_VERBS.has(verb)) {
      this.errorAtCurrent(CODES.unexpectedToken, `Expected an event (${EVENT_VERB_LIST} and a place)`);
      return undefined;
    }
    this.advance();
    const target = this.parsePlace("a place after '%s'", verb);
    return { kind: 'EventPattern', start, end: this.lastEnd, verb: verb as EventVerb, target };
  }

  protected parseOrder(start: number, isNew: boolean): OrderDecl | ErrorNode {
    const startIndex = this.cur;
    this.advance();
    const first = this.parseEvent();
    let second: EventPattern | undefined;
    if (first && this.expectWord('before', 'between the two events of an order')) second = this.parseEvent();
    if (!first || !second) {
      return { kind: 'Error', start, end: this.lastEnd, tokens: this.tokensBetween(startIndex, this.cur) };
    }
    const node: OrderDecl = { kind: 'OrderDecl', start, end: 0, isNew, first, second };
    const message = this.parseOptionalString();
    if (message) node.message = message;
    node.end = this.lastEnd;
    return node;
  }

  protected parseBind(start: number): BindDecl {
    this.advance();
    let cExpr: StringLiteral;
    if (this.kind() === TokenKind.String) {
      cExpr = this.parseStringLiteral();
    } else {
      this.errorAtCurrent(CODES.unexpectedToken, "Expected a C expression in quotes after 'bind'");
      cExpr = { kind: 'StringLiteral', start: this.lastEnd, end: this.lastEnd, value: '' };
    }
    let target: Place;
    if (this.expect(TokenKind.Assign, "'=' and the model place the C expression stands for")) {
      target = this.parsePlace("a place after '='");
    } else {
      const missing = this.missingIdentifier();
      target = { kind: 'Place', start: missing.start, end: missing.end, segments: [missing] };
    }
    return { kind: 'BindDecl', start, end: this.lastEnd, cExpr, target };
  }

  protected parseProposal(start: number): ProposalDecl {
    this.advance();
    const name = this.parseIdentifier("the proposal's name after 'proposal'");
    const items: ProposalItem[] = [];
    const node: ProposalDecl = { kind: 'ProposalDecl', start, end: 0, name, items };
    const title = this.parseOptionalString();
    if (title) node.title = title;
    if (this.kind() !== TokenKind.LBrace) {
      this.errorAtCurrent(CODES.unexpectedToken, `Expected '{' and the items of proposal '${name.text}'`);
      node.end = this.lastEnd;
      return node;
    }
    const bodyStart = this.advance();
    for (;;) {
      const kind = this.kind();
      if (kind === TokenKind.RBrace || kind === TokenKind.EOF) break;
      if (kind === TokenKind.Semicolon) {
        this.advance();
        continue;
      }
      if (this.isItemStart(PROPOSAL_ITEM_WORDS)) {
        items.push(this.parseItem(true) as ProposalItem);
        continue;
      }
      if (this.isItemStart(ITEM_WORDS)) break;
      this.errorAtCurrent(CODES.expectedItem, 'Expected a proposal item (object, static, fn, thread, device, order, new or remove)');
      items.push(this.skipUntil(() => this.kind() === TokenKind.RBrace || this.isItemStart(PROPOSAL_ITEM_WORDS) || this.isItemStart(ITEM_WORDS)));
    }
    this.expectClose(`to close proposal '${name.text}'`);
    node.items = exactSize(items);
    node.body = { start: bodyStart, end: this.lastEnd };
    node.end = this.lastEnd;
    return node;
  }

  protected parseRemove(start: number): RemoveDecl | ErrorNode {
    const startIndex = this.cur;
    this.advance();
    const kindWord = this.word();
    if (kindWord !== 'thread' && kindWord !== 'fn' && kindWord !== 'device' && kindWord !== 'object') {
      this.errorAtCurrent(CODES.unexpectedToken, "Expected thread, fn, device or object after 'remove'");
      return { kind: 'Error', start, end: this.lastEnd, tokens: this.tokensBetween(startIndex, this.cur) };
    }
    this.advance();
    const name = this.parseIdentifier("the name of the %s to remove", kindWord);
    return { kind: 'RemoveDecl', start, end: this.lastEnd, targetKind: kindWord, name };
  }

  protected parseExpect(start: number): ExpectDecl {
    this.advance();
    const proposal = this.parseIdentifier("'baseline' or a proposal name after 'expect'");
    let outcome: Identifier;
    const outcomes: Identifier[] = [];
    if (this.expect(TokenKind.Colon, `':' and the expected outcome`)) {
      outcome = this.parseIdentifier("'safe' or a violation kind after ':'");
      outcomes.push(outcome);
      while (this.consume(TokenKind.Comma)) outcomes.push(this.parseIdentifier("a violation kind after ','"));
    } else {
      outcome = this.missingIdentifier();
      outcomes.push(outcome);
    }
    return { kind: 'ExpectDecl', start, end: this.lastEnd, proposal, outcome, outcomes };
  }
}
