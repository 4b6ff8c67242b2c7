// When the editor offers to turn C checks on, and what its status bar says about them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cStatusText, looksLikeKernelTree, shouldOfferCChecks } from '../../server/src/core/features/cChecksOffer';

const KERNEL = ['COPYING', 'Kbuild', 'Kconfig', 'MAINTAINERS', 'Makefile', 'arch', 'drivers', 'include'];

test('a kernel tree has Kconfig and MAINTAINERS at its root', () => {
  assert.equal(looksLikeKernelTree(KERNEL), true);
  assert.equal(looksLikeKernelTree(['Kconfig', 'Makefile']), false, 'an out-of-tree module has a Kconfig but no MAINTAINERS');
  assert.equal(looksLikeKernelTree([]), false);
});

test('the offer: a C file in a kernel tree, C checks off, not answered before for that folder', () => {
  const base = { languageId: 'c', cChecksOn: false, rootEntries: KERNEL, answered: false };
  assert.equal(shouldOfferCChecks(base), true);
  assert.equal(shouldOfferCChecks({ ...base, cChecksOn: true }), false);
  assert.equal(shouldOfferCChecks({ ...base, answered: true }), false);
  assert.equal(shouldOfferCChecks({ ...base, languageId: 'lifetime' }), false);
  assert.equal(shouldOfferCChecks({ ...base, rootEntries: ['src', 'Makefile'] }), false);
});

test('the status bar says when C checks are off, and nothing when they are on', () => {
  assert.equal(cStatusText(false)?.text, 'Lifetime: C checks off');
  assert.match(cStatusText(false)?.tooltip ?? '', /Click to turn C checks on/);
  assert.equal(cStatusText(true), undefined);
});
