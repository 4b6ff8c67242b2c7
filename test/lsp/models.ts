// Models shared by the LSP tests and the benchmark.

export const UAF_MODEL = `model uaf "a user races the last put"
object mm { ref users = 1 on zero free mm }
thread cpu0 { use mm }
thread cpu1 { put mm.users }
proposal hold "cpu0 owns a reference" {
  object mm { ref users = 2 on zero free mm }
  thread cpu0 { use mm; put mm.users }
}
expect baseline: use-after-free
expect hold: safe
`;

/** A model whose full search takes seconds: five threads over five counters, no violation. */
export function slowModel(): string {
  const lines = ['model slow', 'static s { int a = 0 in 0..30; int b = 0 in 0..30; int c = 0 in 0..30; int d = 0 in 0..30; int e = 0 in 0..30 }'];
  const names = ['a', 'b', 'c', 'd', 'e'];
  names.forEach((name, i) => {
    const next = names[(i + 1) % names.length];
    lines.push(`thread w${i + 1} { repeat 6 { inc s.${name}; inc s.${next} } ; repeat 6 { dec s.${name}; dec s.${next} } }`);
  });
  return lines.join('\n') + '\n';
}

/** A model of about `lines` lines: many objects, procedures and threads, few interleavings. */
export function largeModel(lines: number): string {
  const out: string[] = ['model large "a big file for latency measurements"', ''];
  let i = 0;
  // Each object takes 12 lines of its own and one line in each of the two threads.
  while (out.length + 2 * i + 18 <= lines) {
    out.push(`// Object ${i} and the procedures that touch it.`);
    out.push(`object o${i} {`);
    out.push(`  ref refs = 1 on zero free o${i}`);
    out.push(`  lock m`);
    out.push(`  flag ready = true`);
    out.push(`}`);
    out.push(`fn touch${i}(x) {`);
    out.push(`  lock x.m`);
    out.push(`  if x.ready { use x }`);
    out.push(`  unlock x.m`);
    out.push(`}`);
    out.push('');
    i++;
  }
  out.push('thread t0 {');
  for (let k = 0; k < i; k++) out.push(`  touch${k}(o${k})`);
  out.push('}');
  out.push('thread t1 {');
  for (let k = 0; k < i; k++) out.push(`  put o${k}.refs`);
  out.push('}');
  return out.join('\n') + '\n';
}
