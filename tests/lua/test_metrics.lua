-- nethost.metrics without a server: escaping, kinds, label sets, histograms, bad names.
local metrics = require("nethost.metrics")
assert(metrics.serving() == false)

metrics.set("t_gauge", 1.5, { host = 'a"b\\c\nd', z = 1 }, "A gauge\nwith \\ a newline.")
metrics.set("t_gauge", 2, { host = "plain", z = 2 })
metrics.inc("t_count_total", 3, nil, "A counter.")
metrics.inc("t_count_total")
metrics.observe("t_hist_seconds", 0.2, { kind = "x" }, "A histogram.")
metrics.observe("t_hist_seconds", 100, { kind = "x" })
local text = metrics.render()
local function has(s) assert(text:find(s, 1, true), "missing: " .. s .. "\n" .. text) end
has('# HELP t_gauge A gauge\\nwith \\\\ a newline.\n# TYPE t_gauge gauge\n')
has('t_gauge{host="a\\"b\\\\c\\nd",z="1"} 1.5\n')
has('t_gauge{host="plain",z="2"} 2\n')
has("# TYPE t_count_total counter\nt_count_total 4\n")
has('t_hist_seconds_bucket{kind="x",le="0.25"} 1\n')
has('t_hist_seconds_bucket{kind="x",le="60"} 1\n')
has('t_hist_seconds_bucket{kind="x",le="+Inf"} 2\n')
has('t_hist_seconds_sum{kind="x"} 100.2\n')
has('t_hist_seconds_count{kind="x"} 2\n')
-- The runtime's own figures are there too.
has("# TYPE nethost_task_resumes_total counter\n")

local function raises(pattern, f, ...)
  local ok, e = pcall(f, ...)
  assert(not ok and tostring(e):find(pattern), "expected " .. pattern .. ", got " .. tostring(e))
end
raises("bad name", metrics.set, "1bad", 1)
raises("bad name", metrics.set, "t_gauge", 1, { other = "x" })  -- other label names
raises("bad name", metrics.inc, "t_gauge", 1)                    -- another kind
raises("bad name", metrics.inc, "t_count_total", -1)             -- counters only go up
raises("bad name", metrics.observe, "t_hist2", 1, { le = "1" })  -- le is the bucket's
raises("bad name", metrics.set, "t_x", 1, { __x = "1" })
raises("expected ADDR:PORT", metrics.serve, "nonsense")
raises("not an IP address", metrics.serve, "no.such.host:9")

metrics.clear("t_gauge")
assert(not metrics.render():find("t_gauge", 1, true), "clear left series")
metrics.set("t_gauge", 7, { host = "again", z = 0 })
assert(metrics.render():find('t_gauge{host="again",z="0"} 7', 1, true))
print("metrics: ok")
