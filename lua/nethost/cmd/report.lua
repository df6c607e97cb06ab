-- `nethost report RESULTS -o report.html`: the HTML report of a finished run, from its -o
-- results file (.jsonl, or .json), for runs that were not given -o report.html.
local results = require("nethost.results")

local report = {
  summary = "an HTML report from a results file (-o .jsonl/.json)",
  usage = "report RESULTS -o REPORT.html",
}

report.help = [[
usage: nethost report RESULTS... -o REPORT.html

Writes one self-contained HTML page (summary, failures by kind, time histogram, a sortable
and filterable table of the hosts with their details folded away) from the results files
of earlier runs (-o results.jsonl or results.json). Several files make several sections.

options:
  -o, --output FILE      the HTML file to write (must end in .html)
      --title TEXT       the page's title (default: nethost report)
  -h, --help             this text
]]

function report.main(args)
  local inputs, out, title = {}, nil, nil
  local i = 1
  while i <= #args do
    local a = args[i]
    if a == "-o" or a == "--output" then i = i + 1; out = args[i]
    elseif a == "--title" then i = i + 1; title = args[i]
    elseif a:sub(1, 1) == "-" then error("report: unknown option " .. a .. " (see 'nethost help report')", 0)
    else inputs[#inputs + 1] = a
    end
    i = i + 1
  end
  if #inputs == 0 then error("report: which results file? (see 'nethost help report')", 0) end
  if not out then error("report: -o REPORT.html is needed", 0) end
  if not out:match("%.html$") then error("report: -o " .. out .. ": the report is HTML: name it .html", 0) end
  local html = require("nethost.html_report")
  local doc = { title = title or "nethost report", runs = {} }
  for _, path in ipairs(inputs) do
    local res = results.new()
    for _, rec in ipairs(results.read(path, "report")) do res:add(rec) end
    local records = {}
    for rec in res:each() do records[#records + 1] = rec end
    doc.runs[#doc.runs + 1] = { name = path, records = records, summary = res:summary() }
  end
  local ok, e = require("nethost.fs").write(out, html.render(doc))
  if not ok then error("report: " .. out .. ": " .. tostring(e), 0) end
  return 0
end

return report
