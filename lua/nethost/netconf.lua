-- The netconf module: NETCONF (RFC 6241) over SSH (RFC 6242). See docs/netconf.md.
--
--   local s <close> = netconf.open(host)            -- port host.netconf.port or 830
--   local r = s:get_config("running", "<interfaces xmlns='urn:ietf:params:xml:ns:yang:ietf-interfaces'/>")
--   r.xml, r:find("//interface/name"), r:text("//interface/name"), r:table()
--   s:lock("candidate"); s:edit_config("candidate", cfg); s:validate("candidate")
--   s:commit({confirmed = true, timeout = 120}); s:commit(); s:unlock("candidate")
--
-- The connection is an ssh session (same credentials, host-key policy, deadlines, stages,
-- jump hosts); the channel, framing, hello and message-id matching are in C
-- (core/netconf.c, lua/l_netconf_core.c). An <rpc-error> raises an error object of kind
-- "netconf"; warnings are returned in reply.warnings.

local core = require("nethost.netconf_core")
local xml = require("nethost.xml")
local ssh = require("nethost.ssh")
local errors = require("nethost.error")

local netconf = {}

local BASE_NS = "urn:ietf:params:xml:ns:netconf:base:1.0"
local CAP = "urn:ietf:params:netconf:capability:"
netconf.BASE_NS = BASE_NS

-- The port a host's NETCONF server listens on: netconf: {port: N} in the inventory, an
-- Ansible host's ansible_port when its ansible_connection is netconf, else 830.
function netconf.port(host)
  local ok, data = pcall(function() return host.data end)
  data = ok and type(data) == "table" and data or nil
  local nc = data and data.netconf or (type(host) == "table" and rawget(host, "netconf")) or nil
  if type(nc) == "table" and nc.port then return math.tointeger(tonumber(nc.port)) end
  local conn = data and data.ansible_connection
  if type(conn) == "string" and conn:match("netconf$") and host.port then
    return math.tointeger(tonumber(host.port))
  end
  return 830
end

-- Replies ---------------------------------------------------------------------------

local Reply = {}
Reply.__index = function(self, k)
  if k == "xml" then
    -- The text inside <data> (the whole <rpc-reply> for replies without data).
    local doc = rawget(self, "_doc")
    local inner = doc:inner("/rpc-reply/data")
    local v = inner or rawget(self, "raw")
    rawset(self, "xml", v)
    return v
  end
  return Reply[k]
end

local function data_path(self, path)
  -- Paths are relative to <data> when the reply has one, so "//interface" and
  -- "interfaces/interface" both work; absolute paths are taken as given.
  if path:sub(1, 1) == "/" then
    if rawget(self, "_has_data") and path:sub(1, 2) ~= "//" then return "/rpc-reply/data" .. path end
    return path
  end
  return (rawget(self, "_has_data") and "/rpc-reply/data/" or "/rpc-reply/") .. path
end

--- reply:find(xpath [, namespaces]) -> list of matches ({name=, text=, xml=, attrs=}). Without
--- namespaces, names match by local name whatever namespace the device used; with a map
--- {prefix = uri}, the XPath is evaluated with those prefixes on the reply as received.
function Reply:find(path, ns)
  return self._doc:find(ns and path or data_path(self, path), ns)
end

--- reply:text(xpath [, namespaces]) -> the text of the first match, or nil
function Reply:text(path, ns)
  return self._doc:text(ns and path or data_path(self, path), ns)
end

--- reply:table([opts]) -> the data as plain tables ({interfaces = {interface = {...}}})
function Reply:table(opts)
  return self._doc:table(rawget(self, "_has_data") and "/rpc-reply/data" or "/rpc-reply", opts) or {}
end

function Reply:__tostring() return rawget(self, "raw") end

local function new_reply(raw)
  local doc = xml.parse(raw)
  local self = setmetatable({ raw = raw, _doc = doc }, Reply)
  self._has_data = #doc:find("/rpc-reply/data") > 0
  self.ok = #doc:find("/rpc-reply/ok") > 0
  return self
end

-- Sessions --------------------------------------------------------------------------

local Session = {}
Session.__index = Session
Session.__name = "nethost.netconf.session"

local function fail(self, op, code, fmt, ...)
  error(errors.new("netconf", fmt:format(...), { host = self.name, op = op, code = code }), 3)
end

--- s:has(capability) -> bool. Accepts a full URI or a short name (":candidate",
--- "candidate", "urn:...:candidate:1.0"); parameters after "?" are ignored.
function Session:has(cap)
  local short = cap:match("^:(.+)$") or (not cap:find(":", 1, true) and cap)
  for _, c in ipairs(self.capabilities) do
    local base = c:match("^([^?]*)")
    if base == cap or c == cap then return true end
    if short then
      local name = base:match("^" .. CAP:gsub("%p", "%%%0") .. "([^:]+)")
      if name == short then return true end
    end
  end
  return false
end

local function rpc_error_fields(e)
  local function s(v) return type(v) == "string" and v or nil end
  local info = e["error-info"]
  return {
    error_type = s(e["error-type"]),
    error_tag = s(e["error-tag"]),
    error_severity = s(e["error-severity"]),
    error_message = type(e["error-message"]) == "table" and s(e["error-message"]._text)
      or s(e["error-message"]),
    error_path = s(e["error-path"]) and s(e["error-path"]):match("^%s*(.-)%s*$") or nil,
    error_info = type(info) == "table" and info or nil,
  }
end

-- Sends one RPC (inner: the XML inside <rpc>) and returns the reply object; raises the first
-- rpc-error of severity error, collects warnings.
function Session:_call(op, inner, opts)
  opts = opts or {}
  local raw = self._raw
  if not raw then fail(self, op, "ECLOSED", "the NETCONF session is closed") end
  self._next_id = self._next_id + 1
  local id = tostring(self._next_id)
  local msg = ('<?xml version="1.0" encoding="UTF-8"?>\n<rpc message-id="%s" xmlns="%s">%s</rpc>')
    :format(id, BASE_NS, inner)
  local text = raw:rpc(msg, id, opts.timeout or self.timeout, op)
  local reply = new_reply(text)
  local errs = reply._doc:table("/rpc-reply", { lists = { "rpc-error" } })
  local list = type(errs) == "table" and errs["rpc-error"] or nil
  -- Some RPCs report errors inside their results (Junos's <load-configuration-results>).
  local inner_errs = opts.errors_in and type(errs) == "table" and errs[opts.errors_in]
  if type(inner_errs) == "table" and inner_errs["rpc-error"] then
    local more = inner_errs["rpc-error"]
    if more[1] == nil then more = { more } end
    list = list or {}
    for _, e in ipairs(more) do list[#list + 1] = e end
  end
  if list then
    local warnings = {}
    for _, e in ipairs(list) do
      local f = rpc_error_fields(type(e) == "table" and e or {})
      if f.error_severity == "warning" then
        warnings[#warnings + 1] = f
      else
        local msg_text = ("rpc-error %s%s%s"):format(f.error_tag or "?",
          f.error_message and (": " .. f.error_message) or "",
          f.error_path and (" (at " .. f.error_path .. ")") or "")
        f.host, f.op, f.rpc = self.name, op, op
        f.reply = text
        error(errors.new("netconf", msg_text, f), 2)
      end
    end
    reply.warnings = warnings
  else
    reply.warnings = {}
  end
  return reply
end

local function datastore(name)
  if type(name) ~= "string" or not name:match("^[%w_-]+$") then
    -- A URL source/target (:url capability) is passed as <url>.
    if type(name) == "string" and name:match("^%a[%w+.-]*://") then
      return "<url>" .. xml.escape(name) .. "</url>"
    end
    error("netconf: datastore must be a name like \"running\" or \"candidate\"", 3)
  end
  return "<" .. name .. "/>"
end

local function filter_xml(self, filter)
  if filter == nil then return "" end
  if type(filter) == "string" then
    return '<filter type="subtree">' .. filter .. "</filter>"
  end
  if type(filter) == "table" and filter.xpath then
    if not self:has(":xpath") then
      fail(self, "get", "EINVAL", "XPath filters need the :xpath capability, which the server does not advertise")
    end
    local ns = ""
    for prefix, uri in pairs(filter.namespaces or {}) do
      ns = ns .. (' xmlns:%s="%s"'):format(prefix, xml.escape(uri, true))
    end
    return ('<filter type="xpath"%s select="%s"/>'):format(ns, xml.escape(filter.xpath, true))
  end
  if type(filter) == "table" then
    return '<filter type="subtree">' .. xml.encode(filter.subtree or filter) .. "</filter>"
  end
  error("netconf: filter must be subtree XML text or {xpath = \"...\"}", 3)
end

--- s:get_config(source [, filter [, opts]]) -> reply
function Session:get_config(source, filter, opts)
  return self:_call("get-config", "<get-config><source>" .. datastore(source) .. "</source>" ..
    filter_xml(self, filter) .. "</get-config>", opts)
end

--- s:get([filter [, opts]]) -> reply
function Session:get(filter, opts)
  return self:_call("get", "<get>" .. filter_xml(self, filter) .. "</get>", opts)
end

local function config_xml(config)
  if type(config) == "table" then
    config = xml.encode(config)
  end
  if type(config) ~= "string" then error("netconf: config must be XML text or a table", 3) end
  if config:match("^%s*<config[%s>/]") or config:match("^%s*<[%w_-]*:config[%s>/]") then
    return config
  end
  return '<config xmlns:xc="' .. BASE_NS .. '">' .. config .. "</config>"
end

local function in_check_mode(opts)
  local nethost = package.loaded["nethost.nethost"]
  if opts and opts.check ~= nil then return opts.check end
  return nethost and nethost.check
end

local function context()
  local nethost = package.loaded["nethost.nethost"]
  return nethost and nethost.context and nethost.context()
end

--- s:edit_config(target, config [, {default_operation =, test_option =, error_option =}])
--- Under --check the edit is recorded (nethost.would_send), not sent. Inside nethost.run the
--- host is marked changed first; with --diff the target's before/after diff is recorded.
function Session:edit_config(target, config, opts)
  opts = opts or {}
  local body = config_xml(config)
  local nethost = package.loaded["nethost.nethost"]
  if in_check_mode(opts) then
    if nethost then nethost.would_send("netconf edit-config " .. target .. ": " .. body) end
    return setmetatable({ raw = "", ok = true, warnings = {}, checked = true, _doc = xml.parse("<rpc-reply/>") }, Reply)
  end
  local ctx = context()
  local before
  if ctx and nethost.diff then before = self:get_config(target).xml end
  if ctx then ctx:mark_changed("netconf edit-config " .. target) end
  local inner = "<edit-config><target>" .. datastore(target) .. "</target>"
  if opts.default_operation then
    inner = inner .. "<default-operation>" .. xml.escape(opts.default_operation) .. "</default-operation>"
  end
  if opts.test_option then
    inner = inner .. "<test-option>" .. xml.escape(opts.test_option) .. "</test-option>"
  end
  if opts.error_option then
    inner = inner .. "<error-option>" .. xml.escape(opts.error_option) .. "</error-option>"
  end
  local reply = self:_call("edit-config", inner .. body .. "</edit-config>", opts)
  if before then
    local after = self:get_config(target).xml
    local diff = require("nethost.diff")
    local pretty = function(s) return (s:gsub("><", ">\n<")) end
    ctx.diff = (ctx.diff or "") .. diff.unified(pretty(before), pretty(after),
      { from = target .. " before", to = target .. " after" })
    ctx.rec.diff = ctx.diff
  end
  return reply
end

function Session:lock(target, opts)
  return self:_call("lock", "<lock><target>" .. datastore(target) .. "</target></lock>", opts)
end

function Session:unlock(target, opts)
  return self:_call("unlock", "<unlock><target>" .. datastore(target) .. "</target></unlock>", opts)
end

function Session:validate(source, opts)
  return self:_call("validate", "<validate><source>" .. datastore(source or "candidate") ..
    "</source></validate>", opts)
end

--- s:commit([{confirmed = true, timeout = SECONDS, persist = ID, persist_id = ID}])
function Session:commit(opts)
  opts = opts or {}
  if in_check_mode(opts) then
    local nethost = package.loaded["nethost.nethost"]
    if nethost then nethost.would_send("netconf commit") end
    return setmetatable({ raw = "", ok = true, warnings = {}, checked = true, _doc = xml.parse("<rpc-reply/>") }, Reply)
  end
  local inner = "<commit>"
  if opts.confirmed then
    inner = inner .. "<confirmed/>"
    if opts.timeout then
      inner = inner .. "<confirm-timeout>" .. math.tointeger(opts.timeout) .. "</confirm-timeout>"
    end
    if opts.persist then inner = inner .. "<persist>" .. xml.escape(tostring(opts.persist)) .. "</persist>" end
  end
  if opts.persist_id then
    inner = inner .. "<persist-id>" .. xml.escape(tostring(opts.persist_id)) .. "</persist-id>"
  end
  -- The RPC's own deadline is opts.rpc_timeout (timeout is the confirm timeout here).
  return self:_call("commit", inner .. "</commit>", { timeout = opts.rpc_timeout })
end

function Session:cancel_commit(opts)
  opts = opts or {}
  local inner = "<cancel-commit>"
  if opts.persist_id then
    inner = inner .. "<persist-id>" .. xml.escape(tostring(opts.persist_id)) .. "</persist-id>"
  end
  return self:_call("cancel-commit", inner .. "</cancel-commit>", opts)
end

function Session:discard_changes(opts)
  return self:_call("discard-changes", "<discard-changes/>", opts)
end

function Session:copy_config(target, source, opts)
  if in_check_mode(opts) then
    local nethost = package.loaded["nethost.nethost"]
    if nethost then nethost.would_send("netconf copy-config " .. tostring(source) .. " -> " .. target) end
    return setmetatable({ raw = "", ok = true, warnings = {}, checked = true, _doc = xml.parse("<rpc-reply/>") }, Reply)
  end
  local src
  if type(source) == "string" and source:match("^%s*<") then
    src = config_xml(source)
  elseif type(source) == "table" then
    src = config_xml(source)
  else
    src = datastore(source)
  end
  local ctx = context()
  if ctx then ctx:mark_changed("netconf copy-config " .. target) end
  return self:_call("copy-config", "<copy-config><target>" .. datastore(target) .. "</target><source>" ..
    src .. "</source></copy-config>", opts)
end

local LOAD_ACTIONS = { merge = true, replace = true, override = true, update = true, set = true }

--- s:load_configuration{config = ..., format = "xml"|"text"|"set", action = ...} -> reply
--- Junos's <load-configuration> into the candidate (commit it with s:commit()). format
--- "xml" (default) takes <configuration> text or a table; "text" the curly-brace text;
--- "set" set/delete lines (action "set"). action: merge (default), replace, override,
--- update. Errors Junos reports inside <load-configuration-results> are raised as
--- rpc-errors. Under --check it is recorded, not sent; inside nethost.run the host is
--- marked changed.
function Session:load_configuration(opts)
  if type(opts) ~= "table" then error("netconf: load_configuration needs {config = ..., format = ...}", 2) end
  local format = opts.format or "xml"
  local action = opts.action or (format == "set" and "set" or "merge")
  if not LOAD_ACTIONS[action] then
    error("netconf: load_configuration: action must be merge, replace, override, update or set", 2)
  end
  local config = opts.config
  local body
  if format == "xml" then
    if type(config) == "table" then
      config = xml.encode(config.configuration and config or { configuration = config })
    end
    if type(config) ~= "string" then error("netconf: load_configuration: config must be XML text or a table", 2) end
    if not config:match("^%s*<configuration[%s>/]") then
      config = "<configuration>" .. config .. "</configuration>"
    end
    body = config
  elseif format == "text" or format == "set" then
    if type(config) == "table" then config = table.concat(config, "\n") end
    if type(config) ~= "string" then error("netconf: load_configuration: config must be text", 2) end
    local el = format == "set" and "configuration-set" or "configuration-text"
    body = "<" .. el .. ">" .. xml.escape(config) .. "</" .. el .. ">"
    if format == "set" then action = "set" end
  else
    error("netconf: load_configuration: format must be xml, text or set", 2)
  end
  local inner = ('<load-configuration action="%s" format="%s">%s</load-configuration>')
    :format(action, format == "xml" and "xml" or "text", body)
  if in_check_mode(opts) then
    local nethost = package.loaded["nethost.nethost"]
    if nethost then nethost.would_send("netconf load-configuration " .. action .. ": " .. body) end
    return setmetatable({ raw = "", ok = true, warnings = {}, checked = true, _doc = xml.parse("<rpc-reply/>") }, Reply)
  end
  local ctx = context()
  if ctx then ctx:mark_changed("netconf load-configuration " .. action) end
  local reply = self:_call("load-configuration", inner,
    { timeout = opts.timeout, errors_in = "load-configuration-results" })
  reply.ok = reply.ok or #reply._doc:find("/rpc-reply/load-configuration-results/ok") > 0
  return reply
end

function Session:delete_config(target, opts)
  return self:_call("delete-config", "<delete-config><target>" .. datastore(target) ..
    "</target></delete-config>", opts)
end

--- s:rpc(xml [, opts]) -> reply (reply.xml is the whole <rpc-reply>). xml is the content of
--- <rpc> (an operation element), or a whole <rpc> element whose body is taken.
function Session:rpc(body, opts)
  if type(body) == "table" then body = xml.encode(body) end
  if type(body) ~= "string" then error("netconf: s:rpc needs XML text or a table", 2) end
  local inner = body:match("^%s*<rpc[%s>].->(.*)</rpc>%s*$")
  local op = (inner or body):match("<([%w_.:-]+)") or "rpc"
  local reply = self:_call(op, inner or body, opts)
  rawset(reply, "xml", reply.raw)
  return reply
end

--- s:close(): close-session, then the channel and the connection. Never raises.
function Session:close()
  local raw = self._raw
  if not raw then return end
  self._raw = nil
  if raw:is_open() then
    self._raw = raw
    pcall(self._call, self, "close-session", "<close-session/>", { timeout = 5 })
    self._raw = nil
  end
  raw:close()
  if self._ssh then self._ssh:close() end
  self._ssh = nil
end

Session.__close = Session.close
Session.__gc = function(self)
  if self._raw then self._raw:close() end
  if self._ssh then self._ssh:close() end
end

function Session:__tostring()
  return ("netconf session %s (session-id %s)"):format(self.name, tostring(self.session_id))
end

--- netconf.open(host [, opts]) -> session. opts: port, timeout (each RPC, default the host's
--- ssh timeout), hello_timeout (30 s), max_message (bytes, 64 MB), base = "1.0" (advertise
--- base:1.0 only), capabilities (extra client capabilities), and ssh's options.
function netconf.open(host, opts)
  opts = opts or {}
  local sopts = {}
  for k, v in pairs(opts) do sopts[k] = v end
  sopts.port = opts.port or netconf.port(host)
  local s = ssh.open(host, sopts)
  local hello
  if opts.base == "1.0" or opts.capabilities then
    local caps = { "urn:ietf:params:netconf:base:1.0" }
    if opts.base ~= "1.0" then caps[#caps + 1] = "urn:ietf:params:netconf:base:1.1" end
    for _, c in ipairs(opts.capabilities or {}) do caps[#caps + 1] = c end
    local parts = {}
    for _, c in ipairs(caps) do parts[#parts + 1] = "<capability>" .. xml.escape(c) .. "</capability>" end
    hello = ('<?xml version="1.0" encoding="UTF-8"?>\n<hello xmlns="%s"><capabilities>%s</capabilities></hello>')
      :format(BASE_NS, table.concat(parts))
  end
  local ok, raw = pcall(core.open, s, hello, opts.max_message, opts.hello_timeout or 30)
  if not ok then
    s:close()
    error(raw, 2)
  end
  local info = raw:info()
  local self = setmetatable({
    name = s:info().name,
    capabilities = info.capabilities,
    session_id = info.session_id,
    chunked = info.chunked,
    hello = info.hello,
    timeout = opts.timeout or s:info().timeout,
    _raw = raw, _ssh = s, _next_id = 100,
  }, Session)
  return self
end

netconf.Session = Session
return netconf
