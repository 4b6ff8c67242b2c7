import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SETTINGS, validateSettings } from '../../server/src/lsp/settings';

test('valid nested settings are taken as given', () => {
  const { settings, warnings } = validateSettings({
    check: { on: 'save', maxStates: 5000, timeoutMs: 1000, backend: 'spin' },
    trace: { exact: true },
    c: { enable: true, apiFiles: ['apis/extra.json'], allFindings: true },
  });
  assert.deepEqual(warnings, []);
  assert.deepEqual(settings, { checkOn: 'save', maxStates: 5000, timeoutMs: 1000, backend: 'spin', traceExact: true, cEnable: true, cApiFiles: ['apis/extra.json'], cAllFindings: true });
});

test('flat dotted keys are accepted too', () => {
  const { settings, warnings } = validateSettings({ 'check.on': 'manual', 'trace.exact': true });
  assert.deepEqual(warnings, []);
  assert.equal(settings.checkOn, 'manual');
  assert.equal(settings.traceExact, true);
});

test('each bad value gives a warning naming the setting, the value and the default used', () => {
  const { settings, warnings } = validateSettings({
    check: { on: 'always', maxStates: 1.5, timeoutMs: 'soon', backend: 'pan' },
    trace: { exact: 'yes' },
    c: { enable: 1, apiFiles: 'one.json', allFindings: 'all' },
  });
  assert.deepEqual(settings, DEFAULT_SETTINGS);
  assert.deepEqual(warnings, [
    'Setting "lifetime.check.on" has the invalid value "always" (expected "change", "save" or "manual"); using the default "change".',
    'Setting "lifetime.check.maxStates" has the invalid value 1.5 (expected a whole number from 1 to 1000000000); using the default 10000000.',
    'Setting "lifetime.check.timeoutMs" has the invalid value "soon" (expected a number of milliseconds from 100 to 3600000); using the default 300000.',
    'Setting "lifetime.check.backend" has the invalid value "pan" (expected "engine" or "spin"); using the default "engine".',
    'Setting "lifetime.trace.exact" has the invalid value "yes" (expected true or false); using the default false.',
    'Setting "lifetime.c.enable" has the invalid value 1 (expected true or false); using the default false.',
    'Setting "lifetime.c.allFindings" has the invalid value "all" (expected true or false); using the default false.',
    'Setting "lifetime.c.apiFiles" has the invalid value "one.json" (expected a list of file paths); using the default [].',
  ]);
});

test('a section that is not an object falls back to the defaults with one warning', () => {
  for (const raw of ['x', 3, [1, 2]]) {
    const { settings, warnings } = validateSettings(raw);
    assert.deepEqual(settings, DEFAULT_SETTINGS);
    assert.equal(warnings.length, 1);
  }
  assert.deepEqual(validateSettings(undefined), { settings: DEFAULT_SETTINGS, warnings: [] });
  assert.deepEqual(validateSettings(null), { settings: DEFAULT_SETTINGS, warnings: [] });
});
