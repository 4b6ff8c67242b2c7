// Builds one variant of a model: the baseline, or the baseline with one proposal's items applied.

import type {
  DeviceDecl,
  FnDecl,
  ObjectDecl,
  OrderDecl,
  ProposalDecl,
  SourceFile,
  ThreadDecl,
} from '../syntax/ast';

export interface Variant {
  name: string;
  title?: string;
  /** Range of the proposal's name, or of the model line (start of file) for the baseline. */
  start: number;
  end: number;
  objects: ObjectDecl[];
  fns: FnDecl[];
  threads: ThreadDecl[];
  devices: DeviceDecl[];
  orders: OrderDecl[];
}

/** `baseline` followed by every proposal's name, in file order. */
export function proposalNames(file: SourceFile): string[] {
  const names = ['baseline'];
  for (const item of file.items) {
    if (item.kind === 'ProposalDecl' && !item.name.missing && !names.includes(item.name.text)) names.push(item.name.text);
  }
  return names;
}

export function findProposal(file: SourceFile, name: string): ProposalDecl | undefined {
  return file.items.find((item): item is ProposalDecl => item.kind === 'ProposalDecl' && item.name.text === name);
}

function replaceOrAdd<T extends { name: { text: string } }>(list: T[], item: T): void {
  const at = list.findIndex((existing) => existing.name.text === item.name.text);
  if (at >= 0) list[at] = item;
  else list.push(item);
}

function removeNamed<T extends { name: { text: string } }>(list: T[], name: string): void {
  const at = list.findIndex((existing) => existing.name.text === name);
  if (at >= 0) list.splice(at, 1);
}

/** The items of the named variant; undefined when no proposal has that name. */
export function buildVariant(file: SourceFile, name: string): Variant | undefined {
  const variant: Variant = { name, start: 0, end: 0, objects: [], fns: [], threads: [], devices: [], orders: [] };
  for (const item of file.items) {
    switch (item.kind) {
      case 'ModelDecl':
        variant.start = item.name.start;
        variant.end = item.name.end;
        if (item.title) variant.title = item.title.value;
        break;
      case 'ObjectDecl':
        variant.objects.push(item);
        break;
      case 'FnDecl':
        variant.fns.push(item);
        break;
      case 'ThreadDecl':
        variant.threads.push(item);
        break;
      case 'DeviceDecl':
        variant.devices.push(item);
        break;
      case 'OrderDecl':
        variant.orders.push(item);
        break;
      default:
        break;
    }
  }
  if (name === 'baseline') return variant;
  const proposal = findProposal(file, name);
  if (!proposal) return undefined;
  variant.start = proposal.name.start;
  variant.end = proposal.name.end;
  variant.title = proposal.title?.value;
  for (const item of proposal.items) {
    switch (item.kind) {
      case 'ObjectDecl':
        replaceOrAdd(variant.objects, item);
        break;
      case 'FnDecl':
        replaceOrAdd(variant.fns, item);
        break;
      case 'ThreadDecl':
        replaceOrAdd(variant.threads, item);
        break;
      case 'DeviceDecl':
        replaceOrAdd(variant.devices, item);
        break;
      case 'OrderDecl':
        variant.orders.push(item);
        break;
      case 'RemoveDecl': {
        const target = item.name.text;
        if (item.targetKind === 'thread') removeNamed(variant.threads, target);
        else if (item.targetKind === 'fn') removeNamed(variant.fns, target);
        else if (item.targetKind === 'device') removeNamed(variant.devices, target);
        else removeNamed(variant.objects, target);
        break;
      }
      default:
        break;
    }
  }
  return variant;
}
