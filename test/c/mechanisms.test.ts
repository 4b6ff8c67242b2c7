// The kernel mechanisms in C bodies: each function issue 11 names maps through its `model` entry of
// the API table onto a model statement or condition, and whole models written in C check as their
// model-syntax twins do (the vfio_device_put fix with kref_put_mutex among them).

import test from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as Ast from '../../server/src/core/syntax/ast';
import { addApiText, emptyApiTable, loadApiTable, loadCParser, translateCBody, type CBodyContext } from '../../server/src/core/c/index';
import { describeCCall } from '../../server/src/core/c/apiTable';
import { checkModel } from '../../server/src/core/engine/index';
import type { CBodyTranslator } from '../../server/src/core/engine/ir';
import type { ProposalResult } from '../../server/src/core/engine/types';
import { loadCBodySupport } from '../../server/src/core/features/cBodies';
import { checkFile } from '../../server/src/core/semantic/checker';
import { parse } from '../../server/src/core/syntax/parser';

function ident(text: string): Ast.Identifier {
  return { kind: 'Identifier', text, start: 0, end: 0 };
}

async function context(): Promise<CBodyContext> {
  const bind = (cExpr: string, target: string[]): Ast.BindDecl => ({
    kind: 'BindDecl',
    cExpr: { kind: 'StringLiteral', value: cExpr, start: 0, end: 0 },
    target: { kind: 'Place', segments: target.map(ident), start: 0, end: 0 },
    start: 0,
    end: 0,
  });
  return {
    table: loadApiTable().table,
    parser: await loadCParser(),
    objects: [
      { name: 'dev', members: [{ name: 'kref', kind: 'ref' }, { name: 'refs', kind: 'ref' }] },
      { name: 'ctx', members: [] },
      { name: 'g', members: [{ name: 'lock', kind: 'lock' }] },
      { name: 'pasid', members: [] },
    ],
    functions: ['free_entry'],
    binds: [bind('THIS_MODULE', ['drv']), bind('id', ['pasid'])],
    params: ['e'],
  };
}

const place = (p: Ast.Expression | undefined): string => (p?.kind === 'Place' ? p.segments.map((s) => s.text).join('.') : String(p?.kind));

function condition(e: Ast.Expression): string {
  switch (e.kind) {
    case 'TryExpression':
    case 'PredicateExpression':
      return `${e.op} ${place(e.target)}`;
    case 'LockedPutExpression':
      return `put ${place(e.target)} locking ${place(e.lock)}`;
    case 'UnaryExpression':
      return `!${condition(e.operand)}`;
    default:
      return e.kind;
  }
}

/** The model text of translated statements, compact. */
function render(statements: Ast.Statement[]): string[] {
  return statements.map((s) => {
    switch (s.kind) {
      case 'MechanismStatement':
        return s.target ? `${s.op} ${place(s.target)}` : s.op;
      case 'CallbackStatement':
        return `${s.op}${s.domain ? ` ${place(s.domain)}` : ''} ${s.call.callee.text}(${s.call.args.map(place).join(', ')})`;
      case 'RefStatement':
        return `${s.op} ${place(s.target)}${s.locking ? ` locking ${place(s.locking)}` : ''}`;
      case 'LifecycleStatement':
        return `${s.op} ${place(s.target)}`;
      case 'AssignStatement':
        return `${s.publish ? 'rcu_assign_pointer ' : ''}${place(s.target)} = ${s.value.kind === 'NullLiteral' ? 'null' : place(s.value)}`;
      case 'IfStatement':
        return `if ${condition(s.condition)} [${render(s.then.statements).join('; ')}]${s.else && s.else.kind === 'Block' ? ` else [${render(s.else.statements).join('; ')}]` : ''}`;
      case 'ChooseStatement':
        return `${s.isMaybe ? 'maybe' : 'choose'} [${s.branches.map((b) => render(b.statements).join('; ')).join(' | ')}]`;
      default:
        return s.kind;
    }
  });
}

test('every mechanism the issue names maps onto its model statement', async () => {
  const code = `
  queue_work(system_wq, &dev->work);
  queue_delayed_work(wq, &dev->dwork, HZ);
  cancel_work_sync(&dev->work);
  cancel_delayed_work_sync(&dev->dwork);
  flush_work(&dev->work);
  disable_work_sync(&dev->work);
  mod_timer(&dev->timer, jiffies + HZ);
  add_timer(&dev->timer);
  del_timer(&dev->timer);
  del_timer_sync(&dev->timer);
  timer_delete_sync(&dev->timer);
  timer_shutdown_sync(&dev->timer);
  rcu_read_lock();
  rcu_read_unlock();
  synchronize_rcu();
  call_rcu(&e->rcu, free_entry);
  kfree_rcu(e, rcu);
  rcu_barrier();
  idx = srcu_read_lock(&g->srcu);
  srcu_read_unlock(&g->srcu, idx);
  synchronize_srcu(&g->srcu);
  call_srcu(&g->srcu, &e->rcu, free_entry);
  srcu_barrier(&g->srcu);
  rcu_assign_pointer(g->head, e);
  rcu_assign_pointer(g->head, NULL);
  init_completion(&dev->done);
  complete(&dev->done);
  complete_all(&dev->done);
  wait_for_completion(&dev->done);
  percpu_ref_init(&ctx->users, release, 0, GFP_KERNEL);
  percpu_ref_get(&ctx->users);
  percpu_ref_put(&ctx->users);
  percpu_ref_kill(&ctx->users);
  percpu_ref_exit(&ctx->users);
  percpu_ref_switch_to_atomic_sync(&ctx->users);
  kref_put_mutex(&dev->kref, release, &g->lock);
  kref_put_lock(&dev->kref, release, &g->lock);
  module_put(THIS_MODULE);
  id = ida_alloc(&pasid_ida, GFP_KERNEL);
  ida_free(&pasid_ida, id);
`;
  const result = translateCBody(code, 0, await context());
  assert.deepEqual(render(result.statements), [
    'queue_work dev.work',
    'queue_work dev.dwork',
    'cancel_work_sync dev.work',
    'cancel_work_sync dev.dwork',
    'flush_work dev.work',
    'disable_work_sync dev.work',
    'mod_timer dev.timer',
    'add_timer dev.timer',
    'del_timer dev.timer',
    'del_timer_sync dev.timer',
    'timer_delete_sync dev.timer',
    'timer_shutdown_sync dev.timer',
    'rcu_read_lock',
    'rcu_read_unlock',
    'synchronize_rcu',
    'call_rcu free_entry(e)',
    'kfree_rcu e',
    'rcu_barrier',
    'srcu_read_lock g.srcu',
    'srcu_read_unlock g.srcu',
    'synchronize_srcu g.srcu',
    'call_srcu g.srcu free_entry(e)',
    'srcu_barrier g.srcu',
    'rcu_assign_pointer g.head = e',
    'rcu_assign_pointer g.head = null',
    'reinit_completion dev.done',
    'complete dev.done',
    'complete_all dev.done',
    'wait_for_completion dev.done',
    'percpu_ref_init ctx.users',
    'get ctx.users',
    'put ctx.users',
    'percpu_ref_kill ctx.users',
    'percpu_ref_exit ctx.users',
    'percpu_ref_switch_to_atomic_sync ctx.users',
    'put dev.kref locking g.lock',
    'put dev.kref locking g.lock',
    'module_put drv',
    'alloc pasid',
    'free pasid',
  ]);
  assert.deepEqual(result.diagnostics.map((d) => d.message), []);
  // Every node of a translated call spans the C statement.
  const first = result.statements[0];
  assert.equal(code.slice(first.start, first.end), 'queue_work(system_wq, &dev->work);');
});

test('the mechanisms that answer a question are conditions', async () => {
  const code = `
  if (wait_for_completion_timeout(&dev->done, HZ))
    kfree(dev);
  if (!percpu_ref_tryget_live(&ctx->users))
    return;
  if (percpu_ref_tryget(&ctx->users))
    percpu_ref_put(&ctx->users);
  if (refcount_dec_and_lock(&dev->refs, &g->lock))
    kfree(dev);
  if (refcount_dec_and_mutex_lock(&dev->refs, &g->lock))
    kfree(dev);
  if (atomic_dec_and_lock(&dev->refs, &g->lock))
    kfree(dev);
  if (try_module_get(THIS_MODULE))
    module_put(THIS_MODULE);
  if (percpu_ref_is_zero(&ctx->users))
    kfree(dev);
  if (rcu_dereference(g->head))
    kfree(dev);
  if (!queue_work(wq, &dev->work))
    kfree(dev);
  wait_for_completion_timeout(&dev->done, HZ);
`;
  const result = translateCBody(code, 0, await context());
  assert.deepEqual(render(result.statements), [
    'if wait_for_completion_timeout dev.done [free dev]',
    'if !tryget_live ctx.users [ReturnStatement]',
    'if tryget ctx.users [put ctx.users]',
    'if put dev.refs locking g.lock [free dev]',
    'if put dev.refs locking g.lock [free dev]',
    'if put dev.refs locking g.lock [free dev]',
    'if try_module_get drv [module_put drv]',
    'if percpu_ref_is_zero ctx.users [free dev]',
    'if RcuDereference [free dev]',
    'queue_work dev.work',
    'maybe [free dev]',
    'if wait_for_completion_timeout dev.done []',
  ]);
});

test('a mechanism whose arguments do not map onto the model is skipped with a warning', async () => {
  const code = `
  call_rcu(&e->rcu, unknown_callback);
  queue_work(wq, &other->work);
  x = ida_alloc(&ida, GFP_KERNEL);
`;
  const result = translateCBody(code, 0, await context());
  assert.deepEqual(render(result.statements), []);
  assert.deepEqual(result.diagnostics.map((d) => d.code), ['LT4103', 'LT2019', 'LT4103']);
  assert.match(result.diagnostics[0].message, /unknown_callback is not a procedure of the model/);
});

test('model entries of the API table are kept apart from what the C file checks use', () => {
  const table = loadApiTable().table;
  assert.equal(table.byName.get('kref_put_mutex')?.effect, 'release');
  assert.equal(table.models.get('kref_put_mutex')?.model, 'put {arg0} locking {arg2}');
  assert.equal(table.byName.has('queue_work'), false);
  assert.match(describeCCall('queue_work', table) ?? '', /In a model's C body: `queue_work \{arg1\}`/);

  const own = emptyApiTable();
  const problems = addApiText(
    own,
    '{"apis": [\n{"name": "my_queue", "effect": "model", "model": "queue_work {arg0}"},\n{"name": "bad", "effect": "model", "model": "queue_work {work}"},\n{"name": "worse", "effect": "model", "family": "x"}\n]}',
    'mine.json',
  );
  assert.equal(own.models.get('my_queue')?.model, 'queue_work {arg0}');
  assert.deepEqual(
    problems.map((p) => `${p.line}: ${p.message}`),
    ['3: API "bad": "model" has an unknown placeholder {work} (use {argN}, {objN}, {fnN} or {result})', '4: API "worse": a model entry has no field "family"; "model" must be a .lifetime statement or condition'],
  );
});

let translateC: CBodyTranslator | undefined;

async function checkC(text: string): Promise<ProposalResult[]> {
  translateC ??= (await loadCBodySupport()).translateC;
  const file = parse(text).file;
  assert.deepEqual(checkFile(file).diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
  const result = checkModel(file, undefined, { translateC, exact: true });
  assert.deepEqual(result.diagnostics.filter((d) => d.severity !== 'info').map((d) => d.message), []);
  return result.proposals;
}

test('the vfio_device_put fix written as a C body with kref_put_mutex verifies as safe', async () => {
  const text = fs.readFileSync(path.join(process.cwd(), 'test/fixtures/c-bodies/vfio-device-put.lifetime'), 'utf8');
  const [baseline, fix] = await checkC(text);
  assert.equal(baseline.kind, 'get-from-zero');
  assert.equal(fix.name, 'kref_put_mutex');
  assert.equal(fix.verdict, 'safe', fix.message);
});

test('a work item torn down in C: cancel_work_sync races a re-queue, disable_work_sync does not', async () => {
  const text = `
object dev { work reset { use dev } }
static irq { flag registered = true; flag running }
fn dev_irq() { atomic { if irq.registered { set irq.running } }; if irq.running { queue(); clear irq.running } }
fn queue() c { queue_work(system_wq, &dev->reset); }
fn remove() c {
  cancel_work_sync(&dev->reset);
  free_irq_model();
  kfree(dev);
}
fn free_irq_model() { clear irq.registered; wait until !irq.running }
thread interrupt { dev_irq() }
thread unbind { remove() }
proposal disable {
  fn remove() c {
    disable_work_sync(&dev->reset);
    free_irq_model();
    kfree(dev);
  }
}
`;
  const [baseline, disable] = await checkC(text);
  assert.equal(baseline.kind, 'use-after-free');
  assert.equal(disable.verdict, 'safe', disable.message);
});

test('an RCU callback of a module in C needs rcu_barrier before the module is gone', async () => {
  const text = `
module nf
bind "THIS_MODULE" = nf
object entry
static list { ptr head -> entry = entry }
fn free_entry(e) in nf c { kfree(e); }
fn nf_exit() c {
  rcu_assign_pointer(list->head, NULL);
  call_rcu(&entry->rcu, free_entry);
}
thread rmmod { unload nf { nf_exit() } }
thread reader {
  rcu_read_lock
  let e = rcu_dereference list.head
  if e != null { use e }
  rcu_read_unlock
}
proposal barrier {
  fn nf_exit() c {
    rcu_assign_pointer(list->head, NULL);
    call_rcu(&entry->rcu, free_entry);
    rcu_barrier();
  }
}
`;
  const [baseline, barrier] = await checkC(text);
  assert.equal(baseline.kind, 'use-after-free');
  assert.match(baseline.message!, /runs code of module nf after it was unloaded/);
  assert.equal(barrier.verdict, 'safe', barrier.message);
});

test('completions, percpu_ref, timers and IDs in C bodies check as their model twins', async () => {
  const completion = await checkC(`
object req { completion done }
fn waiter() c { if (!wait_for_completion_timeout(&req->done, HZ)) return; kfree(req); }
fn worker() c { complete(&req->done); }
thread w { waiter() }
thread c { worker() }
`);
  assert.equal(completion[0].verdict, 'violation', 'a timeout leaves req allocated, or the free races complete');

  const timer = await checkC(`
object dev long-lived { timer watchdog { use dev } }
fn arm() c { mod_timer(&dev->watchdog, jiffies + HZ); }
fn teardown() c { timer_shutdown_sync(&dev->watchdog); }
thread ioctl { arm() }
thread remove { teardown() }
`);
  assert.equal(timer[0].verdict, 'safe', timer[0].message);

  const ids = await checkC(`
object pasid recyclable unborn
static mm { ptr pasid -> pasid = null; flag reused }
bind "id" = pasid
fn alloc_pasid() c { id = ida_alloc(&pasid_ida, GFP_KERNEL); }
fn free_pasid() c { ida_free(&pasid_ida, id); }
thread bind { alloc_pasid(); mm.pasid = pasid; free_pasid(); alloc_pasid(); set mm.reused; free_pasid() }
thread dma { wait until mm.pasid != null; let p = mm.pasid; wait until mm.reused; use p }
`);
  assert.equal(ids[0].kind, 'stale-access');
});
