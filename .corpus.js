const c = require('./out/server/src/core/c/index.js');
const fs = require('fs'), path = require('path');
function walk(d,out){for(const e of fs.readdirSync(d,{withFileTypes:true})){const f=path.join(d,e.name); if(e.isDirectory())walk(f,out); else if(/\.c$/.test(e.name))out.push(f);}return out;}
(async () => {
  await c.loadCParser();
  const { table } = c.loadApiTable();
  const root='/tmp/lt-kernel-cache/linux-source-6.1/';
  for (const dir of process.argv.slice(2)) {
    const files = walk(root+dir, []);
    const texts = files.map(f => fs.readFileSync(f,'utf8'));
    let lines=0; for (const t of texts) lines += t.split('\n').length;
    const t0=Date.now(); let nf=0, fns=0, an=0, inc=0, notes=0; const kinds={};
    const all=[];
    texts.forEach((t,i)=>{ const r=c.analyzeCText(t, table); fns+=r.functions; an+=r.analysed; inc+=r.incomplete; notes+=r.notes.length; for(const f of r.findings){nf++; kinds[f.kind]=(kinds[f.kind]||0)+1; const line=t.slice(0,f.start).split('\n').length; all.push(`${files[i].slice(root.length)}:${line}: ${f.kind}: [${f.function}] ${f.message}`);} });
    const ms=Date.now()-t0;
    console.log(dir, files.length,'files',lines,'lines',ms,'ms',Math.round(lines/ms*1000),'lines/s','fns',fns,'analysed',an,'incomplete',inc,'notes',notes,'findings',nf,JSON.stringify(kinds));
    if (process.env.SHOW) console.log(all.join('\n'));
  }
})();
