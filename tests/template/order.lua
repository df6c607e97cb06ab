-- order.lua — dicts reach templates in their document order, as Python keeps it: YAML
-- documents (vars files, yaml.decode), json.decode(text, {ordered = true}), inventory data
-- (a host's own keys first, then those its groups and defaults add); tables built in Lua
-- are iterated in sorted key order. (The byte-for-byte comparison with python3-jinja2 is
-- the dict_order cases of the jinja2 test.)
--   nethost run tests/template/order.lua
local template = require("nethost.template")

local function eq(got, want, what)
  assert(got == want, ("%s: got %q, want %q"):format(what, got, want))
end
local LOOP = "{% for k, v in d.items() %}{{ k }}={{ v }} {% endfor %}|{% for k in d %}{{ k }} {% endfor %}"

-- YAML: document order at every level; merge keys in PyYAML's order (the sources' keys,
-- the last source of a list first, then the map's own), values as YAML merges them.
local y = yaml.decode("d: {zeta: 1, alpha: 2, mike: 3}\nn: {d: {b: 1, a: 2}}\nbase: &b {q: 1, p: 2}\n" ..
                      "m: {<<: *b, z: 0}\n")
eq(template.render(LOOP, y), "zeta=1 alpha=2 mike=3 |zeta alpha mike ", "yaml")
eq(template.render(LOOP, y.n), "b=1 a=2 |b a ", "nested yaml")
eq(template.render("{{ m }}", y), "{'q': 1, 'p': 2, 'z': 0}", "merge keys")
eq(template.render("{{ m }}", yaml.decode("a: &a {k: 1, x: 1}\nb: &b {k: 2, y: 2}\nm: {<<: [*a, *b], z: 0, x: 9}\n")),
   "{'k': 1, 'y': 2, 'x': 9, 'z': 0}", "merge keys from a list")
eq(template.render("{{ e }} {{ e | length }}", yaml.decode("e: {}\n")), "{} 0", "an empty map is a dict")
-- A key set in Lua after decoding comes after the recorded ones, in sorted order.
y.d.beta, y.d.aa = 9, 8
eq(template.render(LOOP, y), "zeta=1 alpha=2 mike=3 aa=8 beta=9 |zeta alpha mike aa beta ", "added keys")
y.d.alpha = nil
eq(template.render("{{ d }}", y), "{'zeta': 1, 'mike': 3, 'aa': 8, 'beta': 9}", "a removed key")

-- JSON: in document order with {ordered = true}; without it (the fast default), sorted.
local text = '{"d": {"zeta": 1, "alpha": 2, "mike": 3}}'
eq(template.render(LOOP, json.decode(text, { ordered = true })), "zeta=1 alpha=2 mike=3 |zeta alpha mike ", "json ordered")
eq(template.render(LOOP, json.decode(text)), "alpha=2 mike=3 zeta=1 |alpha mike zeta ", "json")

-- Tables built in Lua have no order: sorted, whatever the hash order.
eq(template.render(LOOP, { d = { zeta = 1, alpha = 2, mike = 3 } }), "alpha=2 mike=3 zeta=1 |alpha mike zeta ", "lua table")

-- Inventory data: the host's keys in its order, then what groups and defaults add. A nested
-- map keeps the order of the highest layer that has it; keys lower layers merge into it
-- come after, sorted.
local inv = inventory.decode([[
defaults:
  data: {zz_default: 1, ntp: {tertiary: 3.3.3.3}}
groups:
  core:
    data: {role: core, ntp: {alpha: 4.4.4.4, primary: 9.9.9.9}}
hosts:
  r1:
    address: 127.0.0.1
    groups: [core]
    data: {site: par, rack: 4, ntp: {secondary: 2.2.2.2, primary: 1.1.1.1}, aaa: x}
  r2:
    address: 127.0.0.2
    data: {b: 1, a: 2}
]], "inv.yaml")
local r1 = inv[1]
eq(template.render("{% for k in data %}{{ k }} {% endfor %}|{{ data.ntp }}", { data = r1.data }),
   "site rack ntp aaa role zz_default |{'secondary': '2.2.2.2', 'primary': '1.1.1.1', 'alpha': '4.4.4.4', 'tertiary': '3.3.3.3'}",
   "inventory data")
eq(template.render("{{ data }}", { data = inv[2].data }), "{'b': 1, 'a': 2, 'zz_default': 1, 'ntp': {'tertiary': '3.3.3.3'}}", "r2 data")
eq(template.render("{{ g.data }}", { g = inv:groups()[1] }), "{'role': 'core', 'ntp': {'alpha': '4.4.4.4', 'primary': '9.9.9.9'}}", "group data")
-- Hosts of one shape share one metatable (100,000 hosts cost one); Lua code sees plain data.
assert(getmetatable(r1.data) ~= nil and getmetatable(r1.data).__keyorder, "a shape")
assert(require("nethost.keyorder").get(inv[2].data)[1] == "b", "keyorder.get")
print("ok")
