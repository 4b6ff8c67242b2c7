const c = require('./out/server/src/core/c/index.js');
const fs = require('fs');
(async () => {
  await c.loadCParser();
  const { table } = c.loadApiTable();
  const t=fs.readFileSync(process.argv[2],'utf8');
  for (let i=0;i<+(process.env.N||3);i++){ const t0=Date.now(); const r=c.analyzeCText(t, table); console.log(Date.now()-t0, 'ms', r.analysed, r.incomplete, r.findings.length); }
  const p = await c.loadCParser(); let t0=Date.now(); p.parse(t).delete(); console.log('parse', Date.now()-t0);
})();
