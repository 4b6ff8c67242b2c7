-- Headless Neovim as a third-party LSP client of the Lifetime language server.
--
-- Environment (set by test/neovim/neovim.test.ts):
--   LIFETIME_NODE, LIFETIME_SERVER  the node binary and dist/server/server.js, started with --stdio
--   LIFETIME_NVIM_FILES             JSON: [{ "path": ..., "hover": { "line": L, "character": C } }]
--   LIFETIME_NVIM_OUT               where to write the results as JSON
--   LIFETIME_NVIM_TIMEOUT_MS        how long to wait for each file's diagnostics
--
-- For each file it attaches the server on the `lifetime` filetype, waits until the buffer's
-- diagnostics are non-empty and have stopped changing, requests a hover at the given position, and
-- records both. Neovim 0.8 and later start the client with vim.lsp.start; 0.7 (Debian bookworm)
-- with vim.lsp.start_client and vim.lsp.buf_attach_client.

local env = vim.env
local timeout = tonumber(env.LIFETIME_NVIM_TIMEOUT_MS) or 20000
local settle_ms = 1500
local results = { nvim = tostring(vim.version().major) .. '.' .. vim.version().minor .. '.' .. vim.version().patch, files = {} }
local client_id = nil

local config = {
  name = 'lifetime',
  cmd = { env.LIFETIME_NODE, env.LIFETIME_SERVER, '--stdio' },
  root_dir = vim.fn.getcwd(),
  on_exit = function(code, signal)
    results.server_exit = { code = code, signal = signal }
  end,
}

local function attach(buf)
  if vim.lsp.start then
    client_id = vim.lsp.start(config, { bufnr = buf })
  else
    client_id = client_id or vim.lsp.start_client(config)
    vim.lsp.buf_attach_client(buf, client_id)
  end
end

vim.api.nvim_create_autocmd('FileType', {
  pattern = 'lifetime',
  callback = function(args) attach(args.buf) end,
})

local function write_results()
  local file = assert(io.open(env.LIFETIME_NVIM_OUT, 'w'))
  file:write(vim.json.encode(results))
  file:close()
end

-- Waits until the diagnostics of `buf` are non-empty and unchanged for settle_ms.
local function settled_diagnostics(buf)
  local last, since = nil, vim.loop.now()
  vim.wait(timeout, function()
    local now = vim.inspect(vim.diagnostic.get(buf))
    if now ~= last then last, since = now, vim.loop.now() end
    if results.server_exit then return true end
    return #vim.diagnostic.get(buf) > 0 and vim.loop.now() - since >= settle_ms
  end, 50)
  local diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(diagnostics, {
      lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col,
      severity = d.severity, message = d.message, code = d.code, source = d.source,
    })
  end
  return diagnostics
end

local function hover(buf, position)
  if results.server_exit then return { error = 'the server has exited' } end
  local params = { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = position }
  local responses, err = vim.lsp.buf_request_sync(buf, 'textDocument/hover', params, timeout)
  if not responses then return { error = tostring(err) } end
  for _, response in pairs(responses) do
    if response.error then return { error = vim.inspect(response.error) } end
    return { result = response.result or vim.NIL }
  end
  return { error = 'no client answered the hover request' }
end

local function run()
  for _, file in ipairs(vim.json.decode(env.LIFETIME_NVIM_FILES)) do
    vim.cmd('edit ' .. vim.fn.fnameescape(file.path))
    local buf = vim.api.nvim_get_current_buf()
    vim.bo[buf].filetype = 'lifetime'
    local entry = { path = file.path, attached = false }
    entry.diagnostics = settled_diagnostics(buf)
    entry.attached = next(vim.lsp.buf_get_clients(buf)) ~= nil
    entry.hover = hover(buf, file.hover)
    table.insert(results.files, entry)
  end
end

vim.api.nvim_create_autocmd('VimEnter', {
  callback = function()
    vim.schedule(function()
      local ok, err = pcall(run)
      if not ok then results.error = tostring(err) end
      pcall(write_results)
      vim.cmd('qall!')
    end)
  end,
})
