-- The HTML report: one self-contained file (inline CSS and script, no external resource of
-- any kind, enforced by its Content-Security-Policy) with, for each nethost.run of the
-- playbook, a summary, the failures grouped by kind, a histogram of host times and a
-- sortable, filterable table with a row per host whose details (changes, would_send,
-- error transcript, value) are folded away. Tables a playbook publishes with
-- report.section(title, rows, columns) follow (audit, compliance, health do).
--
-- Everything in it comes from devices or inventories, so every text is escaped; data for the
-- script lives in the DOM (data- attributes), never in a <script> block.
--
--   nethost run playbooks/audit.lua -i lab.yaml -o report.html
--   nethost report results.jsonl -o report.html

local json = require("nethost.json")

local M = {}

-- The reports being gathered: path -> {runs = {...}, sections = {...}}.
local open_reports = {}
local open_order = {}

local function esc(s)
  s = tostring(s == nil and "" or s)
  return (s:gsub("[&<>\"']", { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;",
                               ['"'] = "&quot;", ["'"] = "&#39;" }))
end
M.escape = esc

local function fmt_seconds(t)
  if type(t) ~= "number" then return "" end
  if t < 1 then return ("%.0f ms"):format(t * 1000) end
  return ("%.2f s"):format(t)
end

local function to_text(v, limit)
  if v == nil then return nil end
  local s
  if type(v) == "table" then
    local ok, j = pcall(json.encode, v, { indent = 2, sort_keys = true })
    s = ok and j or tostring(v)
  else
    s = tostring(v)
  end
  limit = limit or 16384
  if #s > limit then s = s:sub(1, limit) .. ("\n... (%d more bytes)"):format(#s - limit) end
  return s
end

local function lines_text(v)
  if type(v) == "table" then
    local out = {}
    for i, x in ipairs(v) do out[i] = type(x) == "table" and to_text(x) or tostring(x) end
    return table.concat(out, "\n")
  end
  return v ~= nil and tostring(v) or nil
end

-- The last n lines of a transcript.
local function tail(s, n)
  s = tostring(s)
  local lines = {}
  for line in (s .. "\n"):gmatch("([^\n]*)\n") do lines[#lines + 1] = line end
  if #lines <= n then return s end
  return ("... (%d lines before)\n"):format(#lines - n) .. table.concat(lines, "\n", #lines - n + 1)
end

local CSS = [[
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;background:#fafafa}
h1{font-size:1.4em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ccc}
h3{font-size:1.05em}
.cards{display:flex;flex-wrap:wrap;gap:.6em}
.card{background:#fff;border:1px solid #ddd;border-radius:4px;padding:.4em .8em;min-width:6em}
.card b{display:block;font-size:1.4em}
table{border-collapse:collapse;background:#fff;margin:.5em 0}
th,td{border:1px solid #ddd;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#eee;cursor:pointer;user-select:none}
th.asc:after{content:" \25B2"}th.desc:after{content:" \25BC"}
tr.failed td.status,tr.aborted td.status{color:#b00;font-weight:bold}
tr.changed td.status{color:#a60}tr.ok td.status{color:#070}
.hist{display:flex;align-items:flex-end;gap:2px;height:120px;border-bottom:1px solid #999}
.bar{background:#5b8def;min-height:1px;flex:1;position:relative}
.bar span{position:absolute;top:-1.3em;width:100%;text-align:center;font-size:.75em}
.axis{display:flex;gap:2px}.axis div{flex:1;font-size:.7em;text-align:center;color:#555}
pre{background:#f3f3f3;padding:.5em;overflow:auto;max-height:30em;white-space:pre-wrap}
details{margin:.2em 0}summary{cursor:pointer}
.filter{margin:.5em 0}.filter input{width:20em}
]]

-- Sorting (numbers by data-sort, text otherwise) and filtering (text and status) of every
-- table.sortable; a host's details row follows its host row and is hidden with it.
local SCRIPT = [[
(function(){
function key(td){var v=td.getAttribute('data-sort');if(v!==null&&v!==''&&!isNaN(v))return parseFloat(v);return td.textContent.toLowerCase();}
document.querySelectorAll('table.sortable').forEach(function(t){
 var ths=t.querySelectorAll('thead th');
 ths.forEach(function(th,i){th.addEventListener('click',function(){
  var asc=!th.classList.contains('asc');ths.forEach(function(x){x.classList.remove('asc','desc');});
  th.classList.add(asc?'asc':'desc');var body=t.tBodies[0];
  var rows=Array.prototype.slice.call(body.rows).filter(function(r){return !r.classList.contains('detail');});
  rows.sort(function(a,b){var x=key(a.cells[i]),y=key(b.cells[i]);if(typeof x!==typeof y){x=String(x);y=String(y);}return (x<y?-1:x>y?1:0)*(asc?1:-1);});
  rows.forEach(function(r){var d=r.nextElementSibling&&r.nextElementSibling.classList.contains('detail')?r.nextElementSibling:null;body.appendChild(r);if(d)body.appendChild(d);});
 });});
});
document.querySelectorAll('div.filter').forEach(function(f){
 var t=document.getElementById(f.getAttribute('data-table'));var q=f.querySelector('input');var s=f.querySelector('select');
 function apply(){var text=q.value.toLowerCase(),st=s?s.value:'';
  Array.prototype.forEach.call(t.tBodies[0].rows,function(r){if(r.classList.contains('detail'))return;
   var show=r.textContent.toLowerCase().indexOf(text)>=0&&(!st||r.getAttribute('data-status')===st);
   r.style.display=show?'':'none';var d=r.nextElementSibling;if(d&&d.classList.contains('detail'))d.style.display=show?'':'none';});}
 q.addEventListener('input',apply);if(s)s.addEventListener('change',apply);
});
})();
]]

local function cell_value(v)
  if type(v) == "table" then
    local parts = {}
    for i, x in ipairs(v) do parts[i] = tostring(x) end
    if #parts > 0 or next(v) == nil then return table.concat(parts, " ") end
    return to_text(v, 2000)
  end
  return v
end

local function summary_of(run)
  local s = run.summary
  local cards = {}
  local function card(label, v)
    if v ~= nil then
      cards[#cards + 1] = ('<div class="card" data-field="%s"><b>%s</b>%s</div>'):format(
        esc(label), esc(v), esc(label))
    end
  end
  card("hosts", s.total)
  card("ok", s.ok)
  card("changed", s.changed)
  card("failed", s.failed)
  if (s.skipped or 0) > 0 then card("skipped", s.skipped) end
  if (s.aborted or 0) > 0 then card("aborted", s.aborted) end
  if s.duration then card("duration", fmt_seconds(s.duration)) end
  local out = { '<div class="cards summary">', table.concat(cards), "</div>" }
  if s.aborted_run then
    out[#out + 1] = ('<p class="abort">run aborted: %s</p>'):format(esc(s.abort_reason))
  end
  return table.concat(out, "\n")
end

-- Failures grouped by error kind, largest first, with the first message of each.
local function failure_groups(run)
  local groups, order = {}, {}
  for _, rec in ipairs(run.records) do
    if rec.status == "failed" or rec.status == "aborted" then
      local kind = rec.error and rec.error.kind or rec.status
      local g = groups[kind]
      if not g then
        g = { kind = kind, hosts = {}, example = rec.error and rec.error.message or rec.reason }
        groups[kind] = g
        order[#order + 1] = g
      end
      g.hosts[#g.hosts + 1] = rec.host
    end
  end
  if #order == 0 then return "<p>No failures.</p>" end
  table.sort(order, function(a, b)
    if #a.hosts ~= #b.hosts then return #a.hosts > #b.hosts end
    return a.kind < b.kind
  end)
  local out = { '<table class="failures"><thead><tr><th>kind</th><th>hosts</th><th>which</th>'
                .. "<th>example</th></tr></thead><tbody>" }
  for _, g in ipairs(order) do
    local shown = table.concat(g.hosts, ", ", 1, math.min(20, #g.hosts))
    if #g.hosts > 20 then shown = shown .. (", +%d more"):format(#g.hosts - 20) end
    out[#out + 1] = ("<tr><td>%s</td><td>%d</td><td>%s</td><td>%s</td></tr>"):format(
      esc(g.kind), #g.hosts, esc(shown), esc(g.example))
  end
  out[#out + 1] = "</tbody></table>"
  return table.concat(out, "\n")
end

-- Host times in 12 equal bins from 0 to the slowest host.
local function histogram(run)
  local times = {}
  for _, rec in ipairs(run.records) do
    if type(rec.elapsed) == "number" then times[#times + 1] = rec.elapsed end
  end
  if #times == 0 then return "<p>No host times.</p>" end
  local max = math.max(table.unpack(times, 1, math.min(#times, 4000)))
  for i = 4001, #times do if times[i] > max then max = times[i] end end
  if max <= 0 then max = 1e-3 end
  local nbins = 12
  local bins = {}
  for i = 1, nbins do bins[i] = 0 end
  for _, t in ipairs(times) do
    local b = math.min(nbins, math.floor(t / max * nbins) + 1)
    bins[b] = bins[b] + 1
  end
  local top = math.max(table.unpack(bins))
  local bars, axis = {}, {}
  for i = 1, nbins do
    bars[i] = ('<div class="bar" data-count="%d" title="%s - %s: %d" style="height:%d%%"><span>%s</span></div>')
      :format(bins[i], fmt_seconds((i - 1) * max / nbins), fmt_seconds(i * max / nbins), bins[i],
              math.floor(bins[i] / top * 100 + 0.5), bins[i] > 0 and bins[i] or "")
    axis[i] = ("<div>%s</div>"):format(esc(fmt_seconds(i * max / nbins)))
  end
  return '<div class="hist">' .. table.concat(bars) .. '</div><div class="axis">'
         .. table.concat(axis) .. "</div>"
end

local function details_of(rec)
  local parts = {}
  local function add(title, text)
    if text ~= nil and text ~= "" then
      parts[#parts + 1] = ("<h4>%s</h4><pre>%s</pre>"):format(esc(title), esc(text))
    end
  end
  local value = rec.value
  if type(value) == "table" and type(value.diff) == "string" then add("diff", value.diff) end
  add("changes", lines_text(rec.changes))
  add("would_send", lines_text(rec.would_send))
  local e = rec.error
  if type(e) == "table" then
    add("error", ("%s%s: %s"):format(e.kind or "error", e.op and (" in " .. tostring(e.op)) or "",
                                     tostring(e.message)))
    if e.transcript then add("transcript (tail)", tail(e.transcript, 40)) end
    if e.traceback then add("traceback", e.traceback) end
  end
  if rec.rollback then add("rollback", to_text(rec.rollback)) end
  if rec.timings then add("timings", to_text(rec.timings)) end
  if value ~= nil then add("value", to_text(value)) end
  return table.concat(parts, "\n")
end

local function host_table(run, id)
  local out = {
    ('<div class="filter" data-table="%s">filter <input type="search" placeholder="host, error, ...">'
     .. ' status <select><option value="">any</option><option>ok</option><option>changed</option>'
     .. "<option>failed</option><option>skipped</option><option>aborted</option></select></div>"):format(id),
    ('<table class="sortable hosts" id="%s"><thead><tr><th>host</th><th>status</th><th>changed</th>'
     .. "<th>error kind</th><th>error</th><th>elapsed</th><th>attempts</th><th>details</th></tr>"
     .. "</thead><tbody>"):format(id),
  }
  for _, rec in ipairs(run.records) do
    local e = type(rec.error) == "table" and rec.error or {}
    local msg = e.message or rec.reason
    local details = details_of(rec)
    out[#out + 1] = ('<tr class="%s" data-status="%s"><td class="host">%s</td><td class="status">%s</td>'
                     .. "<td>%s</td><td>%s</td><td>%s</td><td data-sort=\"%s\">%s</td><td>%s</td><td>%s</td></tr>")
      :format(esc(rec.status), esc(rec.status), esc(rec.host), esc(rec.status),
              rec.status == "changed" and "yes" or "", esc(e.kind), esc(msg and tostring(msg):sub(1, 300)),
              type(rec.elapsed) == "number" and ("%.6f"):format(rec.elapsed) or "",
              esc(fmt_seconds(rec.elapsed)), esc(rec.attempts), details ~= "" and "below" or "")
    if details ~= "" then
      out[#out + 1] = ('<tr class="detail"><td colspan="8"><details><summary>%s</summary>%s</details></td></tr>')
        :format(esc(rec.host), details)
    end
  end
  out[#out + 1] = "</tbody></table>"
  return table.concat(out, "\n")
end

local function section_table(sec, id)
  local rows, columns = sec.rows, sec.columns
  if not columns then
    columns = {}
    for k in pairs(rows[1] or {}) do columns[#columns + 1] = k end
    table.sort(columns)
  end
  local out = {
    ('<div class="filter" data-table="%s">filter <input type="search"></div>'):format(id),
    ('<table class="sortable section" id="%s"><thead><tr>'):format(id),
  }
  for _, c in ipairs(columns) do out[#out + 1] = ("<th>%s</th>"):format(esc(c)) end
  out[#out + 1] = "</tr></thead><tbody>"
  for _, row in ipairs(rows) do
    local cells = {}
    for i, c in ipairs(columns) do
      local v = cell_value(row[c])
      cells[i] = type(v) == "number" and ('<td data-sort="%s">%s</td>'):format(v, esc(v))
                 or ("<td>%s</td>"):format(esc(v))
    end
    out[#out + 1] = '<tr data-status="' .. esc(row.status) .. '">' .. table.concat(cells) .. "</tr>"
  end
  out[#out + 1] = "</tbody></table>"
  return table.concat(out, "\n")
end

--- html_report.render(report) -> the HTML text. report = {title =, runs = {{name =, records =
--- {...}, summary = results:summary()}, ...}, sections = {{title =, rows =, columns =}, ...}}.
function M.render(report)
  local title = report.title or "nethost report"
  local out = {
    "<!DOCTYPE html>",
    '<html lang="en"><head><meta charset="utf-8">',
    -- Nothing outside this file may load: no scripts, styles, fonts or images.
    [[<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">]],
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    ("<title>%s</title>"):format(esc(title)),
    "<style>" .. CSS .. "</style></head><body>",
    ("<h1>%s</h1>"):format(esc(title)),
    ('<p class="meta">generated %s%s</p>'):format(esc(os.date("!%Y-%m-%d %H:%M:%S UTC")),
      report.command and (" by <code>" .. esc(report.command) .. "</code>") or ""),
  }
  for i, run in ipairs(report.runs or {}) do
    out[#out + 1] = ('<section class="run" id="run-%d"><h2>%s</h2>'):format(i,
      esc(run.name and ("run: " .. run.name) or ("run " .. i)))
    out[#out + 1] = summary_of(run)
    out[#out + 1] = "<h3>failures by kind</h3>" .. failure_groups(run)
    out[#out + 1] = "<h3>time per host</h3>" .. histogram(run)
    out[#out + 1] = "<h3>hosts</h3>" .. host_table(run, "hosts-" .. i)
    out[#out + 1] = "</section>"
  end
  for i, sec in ipairs(report.sections or {}) do
    out[#out + 1] = ('<section class="table" id="table-%d"><h2>%s</h2>'):format(i, esc(sec.title))
    out[#out + 1] = section_table(sec, "table-" .. i .. "-rows")
    out[#out + 1] = "</section>"
  end
  out[#out + 1] = "<script>" .. SCRIPT .. "</script></body></html>\n"
  return table.concat(out, "\n")
end

--- html_report.open(path [, title]): from now on, runs and published sections go into the
--- report at path, written by html_report.write_all().
function M.open(path, title)
  if not open_reports[path] then
    open_reports[path] = { title = title, runs = {}, sections = {} }
    open_order[#open_order + 1] = path
  end
end

local function copy_run(res)
  local records = {}
  for rec in res:each() do records[#records + 1] = rec end
  return { records = records, summary = res:summary() }
end

--- html_report.add_run(path, results [, name]): a finished nethost.run into the report.
function M.add_run(path, res, name)
  M.open(path)
  local run = copy_run(res)
  run.name = name
  local runs = open_reports[path].runs
  runs[#runs + 1] = run
end

--- html_report.add_section(title, rows [, columns]): a table into every open report.
function M.add_section(title, rows, columns)
  for _, path in ipairs(open_order) do
    local secs = open_reports[path].sections
    secs[#secs + 1] = { title = tostring(title), rows = rows, columns = columns }
  end
end

--- html_report.is_open() -> whether a report is being gathered.
function M.is_open() return #open_order > 0 end

--- html_report.write_all() -> true | nil, message: writes every open report (atomically).
function M.write_all()
  local fs = require("nethost.fs")
  for _, path in ipairs(open_order) do
    local r = open_reports[path]
    local ok, e = fs.write(path, require("nethost.log").mask(M.render(r)))
    if not ok then return nil, ("-o %s: %s"):format(path, tostring(e)) end
  end
  open_reports, open_order = {}, {}
  return true
end

return M
