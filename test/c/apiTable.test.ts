// The kernel API table: coverage of the families the issue lists, validation of user files, hovers.

import test from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { addApiText, describeCCall, emptyApiTable, loadApiTable } from '../../server/src/core/c/index';

test('the built-in table loads cleanly with at least 120 APIs', () => {
  const { table, problems } = loadApiTable();
  assert.deepEqual(problems.map((p) => p.message), []);
  assert.ok(table.byName.size >= 120, `${table.byName.size} APIs`);
});

test('every API family of the issue is in the table with its semantics', () => {
  const { table } = loadApiTable();
  const get = (name: string) => {
    const entry = table.byName.get(name);
    assert.ok(entry, `${name} missing`);
    return entry;
  };
  for (const name of ['mmget', 'mmput', 'get_task_mm', 'mmgrab', 'mmdrop', 'get_device', 'put_device', 'of_node_get', 'of_node_put', 'of_parse_phandle', 'pci_dev_get', 'pci_dev_put', 'kobject_get', 'kobject_put', 'kref_get', 'kref_put', 'fget', 'fput', 'get_task_struct', 'put_task_struct', 'try_module_get', 'module_put', 'iommu_group_get', 'iommu_group_put', 'iommu_sva_bind_device', 'iommu_sva_unbind_device', 'mmu_notifier_get', 'mmu_notifier_put', 'dev_hold', 'dev_put', 'percpu_ref_get', 'percpu_ref_tryget', 'percpu_ref_put', 'get_user_pages', 'pin_user_pages', 'unpin_user_pages', 'dma_map_single', 'dma_unmap_single', 'dma_alloc_coherent', 'dma_free_coherent', 'kmalloc', 'kfree', 'platform_device_alloc', 'platform_device_put', 'rcu_read_lock', 'rcu_read_unlock', 'down', 'up', 'read_lock', 'write_unlock']) {
    get(name);
  }
  assert.equal(get('mutex_lock_interruptible').when, 'zero');
  assert.equal(get('mutex_lock_killable').when, 'zero');
  assert.equal(get('mutex_trylock').when, 'nonzero');
  assert.equal(get('spin_lock_irqsave').kind, 'lock');
  assert.equal(get('of_find_node_by_name').consumes, 0);
  assert.equal(get('of_get_next_parent').consumes, 0);
  assert.equal(get('pci_get_device').consumes, 2);
  assert.equal(get('for_each_child_of_node').effect, 'iterator');
  assert.equal(get('for_each_pci_dev').effect, 'iterator');
  assert.equal(get('pm_runtime_get_sync').when, 'always');
  assert.equal(get('kobject_init_and_add').mustRelease, true);
  assert.equal(get('kref_put').onZero, 1);
  assert.equal(get('devm_kzalloc').effect, 'managed');
  assert.equal(get('pcim_enable_device').effect, 'managed');
  assert.equal(get('guard').effect, 'scoped');
  assert.equal(get('srcu_read_lock').fix, 'srcu_read_unlock({arg0}, {result})');
  assert.equal(get('get_task_mm').when, 'nonnull');
  assert.equal(get('iommu_sva_bind_device').when, 'not-err');
});

test('a malformed user file gives LT4102 problems with file and line, never a throw', () => {
  const table = emptyApiTable();
  const text = '{\n  "apis": [\n    {"name": "ok_get", "effect": "acquire", "family": "x", "kind": "ref", "object": "arg0"},\n    {"name": "bad", "effect": "grab"},\n    {"name": "bad2", "effect": "acquire", "family": "x", "kind": "ref", "object": "arg12"}\n  ]\n}\n';
  const problems = addApiText(table, text, 'extra.json');
  assert.deepEqual(problems.map((p) => p.line), [4, 5]);
  assert.ok(problems.every((p) => p.diagnostic.code === 'LT4102'));
  assert.match(problems[0].message, /API "bad": "effect" must be one of/);
  assert.match(problems[1].message, /"object" must be/);
  assert.ok(table.byName.has('ok_get'));
  const broken = addApiText(emptyApiTable(), '{\n  "apis": [\n    {"name": }\n  ]\n}', 'broken.json');
  assert.equal(broken.length, 1);
  assert.match(broken[0].message, /not valid JSON/);
  assert.equal(broken[0].line, 3);
});

test('user files extend and override the built-in table', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lt-api-'));
  const file = path.join(dir, 'mine.json');
  fs.writeFileSync(file, JSON.stringify({ apis: [{ name: 'my_get', effect: 'acquire', family: 'mine', kind: 'ref', object: 'return', when: 'nonnull', release: 'my_put' }, { name: 'my_put', effect: 'release', family: 'mine', object: 'arg0' }] }));
  const { table, problems } = loadApiTable([file, path.join(dir, 'absent.json')]);
  assert.ok(table.byName.has('my_get'));
  assert.ok(table.byName.has('kfree'));
  assert.equal(problems.length, 1);
  assert.match(problems[0].message, /cannot read/);
});

test('hovers describe a call in words', () => {
  assert.match(describeCCall('mutex_lock_interruptible') ?? '', /only when it returns 0/);
  assert.match(describeCCall('of_find_node_by_name') ?? '', /Drops the reference held on argument 1/);
  assert.match(describeCCall('kref_put') ?? '', /Calls argument 2 when the count reaches zero/);
  assert.equal(describeCCall('printk'), undefined);
});
