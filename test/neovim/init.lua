-- Headless Neovim as a third-party LSP client of the Lifetime language server.
--
-- Environment (set by test/neovim/neovim.test.ts):
--   LIFETIME_NVIM_SETUP             the Neovim set-up of docs/editors.md for this Neovim's version, as
--                                   a Lua file; it starts `lifetime-language-server --stdio`, which
--                                   the test puts on the PATH
--   LIFETIME_NVIM_FILES             JSON: [{ "path": ..., "hover": { "line": L, "character": C },
--                                   "step_hover"?: position, "lenses"?: true, "inlay_hints"?: true }]
--   LIFETIME_NVIM_OUT               where to write the results as JSON
--   LIFETIME_NVIM_TIMEOUT_MS        how long to wait for each file's diagnostics
--
-- The documented set-up detects the filetype and attaches the server; for each file this waits until the buffer's
-- diagnostics are non-empty and have stopped changing, requests a hover at the given position, and
-- records both. With `step_hover` it also hovers a step of the counterexample. With `lenses` it
-- fetches the code lenses through Neovim's codelens module and runs "Show trace" and "Re-check" the
-- way a user does (:lua vim.lsp.codelens.run() on the model line, picking from vim.ui.select),
-- recording the messages and command answers the server sends back. With `inlay_hints` it requests
-- the inlay hints of the whole buffer (Neovim 0.7 does not draw them).

local env = vim.env
local timeout = tonumber(env.LIFETIME_NVIM_TIMEOUT_MS) or 20000
local settle_ms = 1500
local results = { nvim = tostring(vim.version().major) .. '.' .. vim.version().minor .. '.' .. vim.version().patch, files = {} }

-- What the server shows (window/showMessage) and what its commands answer, as Neovim receives them.
local shown_messages, command_answers = {}, {}
local show_message = vim.lsp.handlers['window/showMessage']
vim.lsp.handlers['window/showMessage'] = function(err, result, ctx, config)
  if result then table.insert(shown_messages, result.message) end
  return show_message(err, result, ctx, config)
end
vim.lsp.handlers['workspace/executeCommand'] = function(err, result)
  table.insert(command_answers, err and ('error: ' .. vim.inspect(err)) or result)
end

-- Records the server's exit, whichever way the set-up starts the client (vim.lsp.start goes through
-- vim.lsp.start_client too).
local start_client = vim.lsp.start_client
vim.lsp.start_client = function(config)
  local on_exit = config.on_exit
  config.on_exit = function(code, signal, ...)
    results.server_exit = { code = code, signal = signal }
    if on_exit then return on_exit(code, signal, ...) end
  end
  return start_client(config)
end

-- The set-up exactly as docs/editors.md gives it.
dofile(env.LIFETIME_NVIM_SETUP)

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

-- Fetches the buffer's code lenses through the codelens module, waiting until the check's verdicts are in.
local function has_verdict(lenses)
  for _, lens in ipairs(lenses) do
    local title = lens.command and lens.command.title or ''
    if vim.startswith(title, '✓ ') or vim.startswith(title, '✗ ') or vim.startswith(title, '? ') then return true end
  end
  return false
end

local function fetch_lenses(buf)
  local lenses = {}
  local deadline = vim.loop.now() + timeout
  while vim.loop.now() < deadline do
    vim.lsp.codelens.refresh()
    vim.wait(500, function()
      lenses = vim.lsp.codelens.get(buf) or {}
      return has_verdict(lenses)
    end, 50)
    if has_verdict(lenses) then break end
  end
  return lenses
end

-- Runs the lens titled `title` on its line through vim.lsp.codelens.run(), answering the picker
-- Neovim opens when a line has several lenses; waits for the command's answer.
local function run_lens(lenses, title)
  for _, lens in ipairs(lenses) do
    if lens.command and lens.command.title == title then
      vim.api.nvim_win_set_cursor(0, { lens.range.start.line + 1, 0 })
      local answers = #command_answers
      local select = vim.ui.select
      vim.ui.select = function(items, _, on_choice)
        for _, item in ipairs(items) do
          if item.lens.command.title == title then return on_choice(item) end
        end
        on_choice(nil)
      end
      vim.lsp.codelens.run()
      vim.ui.select = select
      vim.wait(timeout, function() return #command_answers > answers end, 50)
      return command_answers[answers + 1]
    end
  end
  return nil
end

local function code_lenses(buf)
  local lenses = fetch_lenses(buf)
  local titles = {}
  for _, lens in ipairs(lenses) do table.insert(titles, { line = lens.range.start.line, title = lens.command and lens.command.title or vim.NIL, command = lens.command and lens.command.command or vim.NIL }) end
  local messages_before = #shown_messages
  local trace_answer = run_lens(lenses, 'Show trace')
  local trace_messages = {}
  for i = messages_before + 1, #shown_messages do table.insert(trace_messages, shown_messages[i]) end
  local recheck_answer = run_lens(lenses, 'Re-check')
  return { titles = titles, trace_answer = trace_answer or vim.NIL, trace_messages = trace_messages, recheck_answer = recheck_answer or vim.NIL }
end

local function inlay_hints(buf)
  local last = vim.api.nvim_buf_line_count(buf)
  local params = { textDocument = { uri = vim.uri_from_bufnr(buf) }, range = { start = { line = 0, character = 0 }, ['end'] = { line = last, character = 0 } } }
  local responses, err = vim.lsp.buf_request_sync(buf, 'textDocument/inlayHint', params, timeout)
  if not responses then return { error = tostring(err) } end
  for _, response in pairs(responses) do
    if response.error then return { error = vim.inspect(response.error) } end
    return { result = response.result or {} }
  end
  return { error = 'no client answered the inlay hint request' }
end

local function run()
  for _, file in ipairs(vim.json.decode(env.LIFETIME_NVIM_FILES)) do
    vim.cmd('edit ' .. vim.fn.fnameescape(file.path))
    local buf = vim.api.nvim_get_current_buf()
    local entry = { path = file.path, attached = false, filetype = vim.bo[buf].filetype }
    entry.diagnostics = settled_diagnostics(buf)
    entry.attached = next(vim.lsp.buf_get_clients(buf)) ~= nil
    entry.hover = hover(buf, file.hover)
    if file.step_hover then entry.step_hover = hover(buf, file.step_hover) end
    if file.inlay_hints then entry.inlay_hints = inlay_hints(buf) end
    if file.lenses then entry.lenses = code_lenses(buf) end
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
