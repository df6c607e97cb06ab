-- errors.lua — template errors name the variable and FILE:LINE, as jinja2's StrictUndefined
-- and TemplateSyntaxError do; includes, options and misuse.
--   nethost run tests/template/errors.lua -- tests/template
local template = require("nethost.template")
local dir = assert(arg[1], "usage: errors.lua DIR")

local function raises(pattern, f, ...)
  local ok, e = pcall(f, ...)
  assert(not ok, "expected an error matching " .. pattern)
  local msg = tostring(e)
  assert(msg:find(pattern), ("error %q does not match %q"):format(msg, pattern))
  return e
end

-- An undefined variable: its name and the line that uses it.
local e = raises("<template>:3: 'vlan' is undefined", template.render, "a\nb\n{{ vlan }}\n", {})
assert(nethost.is_error(e) and e.kind == "template", "a template error object")
raises("t%.j2:2: 'x' is undefined", template.render, "{% set y = 1 %}\n{% if x %}{% endif %}", {}, { name = "t.j2" })
raises(":1: 'host' is undefined", template.render, "{{ host.name }}", {})
-- Used in a loop, a filter, an arithmetic expression, a comparison.
raises(":2: 'items' is undefined", template.render, "x\n{% for i in items %}{% endfor %}", {})
raises(":1: 'name' is undefined", template.render, "{{ name | upper }}", {})
raises(":1: 'n' is undefined", template.render, "{{ n + 1 }}", {})
raises(":1: 'n' is undefined", template.render, "{{ n == 1 }}", {})
-- A missing attribute names the object's type and the attribute.
-- (the folder's path is text, not a pattern: a '-' in it is no quantifier)
raises(dir:gsub("%p", "%%%0") .. "/cases/err_undefined_attr%.j2:4: 'dict object' has no attribute 'descr'",
       template.render_file, dir .. "/cases/err_undefined_attr.j2",
       { hostname = "r1", interfaces = { { name = "Gi1" } } })
raises(":1: 'list object' has no element 5", template.render, "{{ l[5] }}", { l = { 1 } })
-- Tests and default() do not raise.
assert(template.render("{{ x is defined }} {{ x | default('d') }} {{ h.a is defined }}", { h = { b = 1 } })
       == "False d False")
-- Syntax errors carry the line.
raises("err_syntax%.j2:2: Unexpected end of template.*'if'", template.render_file, dir .. "/cases/err_syntax.j2", {})
raises("<template>:2: expected token 'end of print statement', got 'b'", template.render, "ok\n{{ a b }}", { a = 1 })
raises("<template>:1: Encountered unknown tag 'frobnicate'", template.render, "{% frobnicate %}", {})
raises("<template>:3: Encountered unknown tag 'endfor'", template.render, "{% if a %}\n\n{% endfor %}", { a = 1 })
raises("<template>:1: No filter named 'nosuch'", template.render, "{{ 1 | nosuch }}", {})
raises("<template>:1: unexpected char '!'", template.render, "{{ !a }}", {})
raises("<template>:2: Missing end of comment tag", template.render, "x\n{# open", {})
-- Type errors name the operands as Python does.
raises("unsupported operand type%(s%) for %+: 'int' and 'str'", template.render, "{{ 1 + 'a' }}", {})
raises("division by zero", template.render, "{{ 1 / 0 }}", {})
-- Includes resolve next to the including file; an error inside names the included file.
local ok_dir = dir .. "/inc"
assert(template.render("{% include 'ntp.j2' %}", { server = "10.0.0.1" }, { dir = ok_dir }) == "ntp 10.0.0.1")
raises("inc/bad%.j2:2: 'missing_in_include' is undefined", template.render, "{% include 'bad.j2' %}",
       { name = "n" }, { dir = ok_dir })
-- Misuse raises at once.
raises("unknown option 'trimblocks'", template.render, "x", {}, { trimblocks = true })
raises("source must be a string", template.render, nil, {})
local missing = raises("no/such/file%.j2", template.render_file, "no/such/file.j2", {})
assert(missing.kind == "io", "a missing template file is an io error")
-- Deep recursion in a template is an error, not a crash.
raises("nesting too deep", template.render_file, ok_dir .. "/loop.j2", {})

-- The examples of docs/templates.md.
assert(template.render("hostname {{ name }}\n", { name = "sw-1" }) == "hostname sw-1")
assert(template.render("{{ 4 / 2 }} {{ 7 // 2 }} {{ none }} {{ [1, 'a'] }}", {}) == "2.0 3 None [1, 'a']")
print("template errors: ok")
