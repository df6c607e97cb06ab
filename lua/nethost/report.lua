-- report: rows (a list of tables) as an aligned text table, CSV, Markdown or JSON.
--
--   local rows = {{host = "sw-1", version = "15.2(4)E1", status = "vulnerable"}, ...}
--   print(report.text(rows, {"host", "version", "status"}))
--   report.write("audit.csv", rows, {"host", "version", "status"})  -- by extension

local csv = require("nethost.csv")

local report = {}

local function cell(v)
  if v == nil then return "" end
  if type(v) == "table" then
    local parts = {}
    for _, x in ipairs(v) do parts[#parts + 1] = tostring(x) end
    return table.concat(parts, " ")
  end
  return (tostring(v):gsub("[\r\n]+", " "))
end

-- Columns default to the sorted keys of the first row.
local function columns_of(rows, columns)
  if columns then return columns end
  local cols = {}
  for k in pairs(rows[1] or {}) do cols[#cols + 1] = k end
  table.sort(cols)
  return cols
end

--- report.text(rows [, columns [, opts]]) -> an aligned table with a header line.
--- opts.max_width = N cuts longer cells to N characters (ending in "…").
function report.text(rows, columns, opts)
  columns = columns_of(rows, columns)
  local max = opts and opts.max_width
  local widths = {}
  for i, c in ipairs(columns) do widths[i] = #c end
  local cells = {}
  for r, row in ipairs(rows) do
    cells[r] = {}
    for i, c in ipairs(columns) do
      local s = cell(row[c])
      -- A long cell is cut (the full text belongs in a report file): a table stays readable.
      if max and (utf8.len(s) or #s) > max then
        s = s:sub(1, (utf8.len(s) and utf8.offset(s, max) or max) - 1) .. "…"
      end
      cells[r][i] = s
      if utf8.len(s) and utf8.len(s) > widths[i] then widths[i] = utf8.len(s) end
    end
  end
  local function line(values)
    local parts = {}
    for i, v in ipairs(values) do
      local pad = widths[i] - (utf8.len(v) or #v)
      parts[i] = i < #values and (v .. string.rep(" ", pad)) or v
    end
    return table.concat(parts, "  ")
  end
  local out = { line(columns) }
  local rule = {}
  for i = 1, #columns do rule[i] = string.rep("-", widths[i]) end
  out[2] = line(rule)
  for r = 1, #rows do out[#out + 1] = line(cells[r]) end
  return table.concat(out, "\n")
end

--- report.csv(rows [, columns]) -> RFC 4180 CSV with a header row
function report.csv(rows, columns)
  columns = columns_of(rows, columns)
  local out = {}
  local head = {}
  for i, c in ipairs(columns) do head[i] = csv.field(c) end
  out[1] = table.concat(head, ",")
  for _, row in ipairs(rows) do
    local f = {}
    for i, c in ipairs(columns) do f[i] = csv.field(cell(row[c])) end
    out[#out + 1] = table.concat(f, ",")
  end
  return table.concat(out, "\n") .. "\n"
end

--- report.markdown(rows [, columns]) -> a Markdown table
function report.markdown(rows, columns)
  columns = columns_of(rows, columns)
  local function esc(s) return (s:gsub("|", "\\|")) end
  local out = { "| " .. table.concat(columns, " | ") .. " |" }
  local rule = {}
  for i = 1, #columns do rule[i] = "---" end
  out[2] = "| " .. table.concat(rule, " | ") .. " |"
  for _, row in ipairs(rows) do
    local f = {}
    for i, c in ipairs(columns) do f[i] = esc(cell(row[c])) end
    out[#out + 1] = "| " .. table.concat(f, " | ") .. " |"
  end
  return table.concat(out, "\n") .. "\n"
end

--- report.rollout(res [, detail]) -> the text table of a rolling change's results (push,
--- netconf_push): host, status, method (the host function's value.mode), rollback (the
--- rollback's status) and detail: the error's message or the reason a host did not run,
--- else detail(rec) when given.
function report.rollout(res, detail)
  local rows = {}
  for rec in res:each() do
    rows[#rows + 1] = { host = rec.host, status = rec.status,
                        method = rec.value and rec.value.mode or "",
                        rollback = rec.rollback and rec.rollback.status or "",
                        detail = rec.error and rec.error.message or rec.reason
                                 or detail and detail(rec) or "" }
  end
  return report.text(rows, { "host", "status", "method", "rollback", "detail" })
end

--- report.section(title, rows [, columns]): publishes the table to the HTML report (-o
--- report.html) when one is being written; does nothing otherwise.
function report.section(title, rows, columns)
  local html = package.loaded["nethost.html_report"]
  if html and html.is_open() then html.add_section(title, rows, columns) end
end

--- report.write(path, rows [, columns]) -> true | nil, message: .csv, .md, .json (a list),
--- .jsonl (a line per row), .html (a self-contained page), anything else as the text table.
--- Written atomically.
function report.write(path, rows, columns)
  local ext = path:match("%.(%w+)$")
  local text
  if ext == "csv" then
    text = report.csv(rows, columns)
  elseif ext == "md" then
    text = report.markdown(rows, columns)
  elseif ext == "json" or ext == "jsonl" then
    local json = require("nethost.json")
    if ext == "json" then
      text = json.encode(rows) .. "\n"
    else
      local lines = {}
      for i, row in ipairs(rows) do lines[i] = json.encode(row) end
      text = table.concat(lines, "\n") .. "\n"
    end
  elseif ext == "html" then
    text = require("nethost.html_report").render({ sections = { { title = path, rows = rows,
                                                                 columns = columns } } })
  else
    text = report.text(rows, columns) .. "\n"
  end
  return require("nethost.fs").write(path, require("nethost.log").mask(text)) -- secrets masked
end

return report
