const c = require('./out/server/src/core/c/index.js');
(async () => {
  await c.loadCParser();
  const { table, problems } = c.loadApiTable();
  console.log('apis', table.byName.size, 'problems', problems.length);
  const fs = require('fs');
  const text = fs.readFileSync(process.argv[2], 'utf8');
  const r = c.analyzeCText(text, table, {});
  console.log(JSON.stringify(r, null, 1));
})();
