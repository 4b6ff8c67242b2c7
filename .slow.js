const c = require('./out/server/src/core/c/index.js');
const fs = require('fs'), path = require('path');
function walk(d,out){for(const e of fs.readdirSync(d,{withFileTypes:true})){const f=path.join(d,e.name); if(e.isDirectory())walk(f,out); else if(/\.c$/.test(e.name))out.push(f);}return out;}
(async () => {
  await c.loadCParser();
  const { table } = c.loadApiTable();
  const files = walk('/tmp/lt-kernel-cache/linux-source-6.1/'+process.argv[2], []);
  const times=[];
  for (const f of files) { const t=fs.readFileSync(f,'utf8'); const t0=process.hrtime.bigint(); const r=c.analyzeCText(t, table); times.push([Number(process.hrtime.bigint()-t0)/1e6, f, t.length, r.incomplete]); }
  times.sort((a,b)=>b[0]-a[0]); console.log(times.slice(0,8));
})();
