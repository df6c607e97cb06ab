-- The http module: HTTP(S) requests from tasks, on libcurl's multi interface underneath
-- (lua/l_http_core.c, core/http_*.c). See docs/http.md.
--
--   local r = http.get("https://netbox.lab/api/dcim/devices/", {bearer = token, timeout = 5})
--   local r = http.post(host, "/command-api", {json = {...}, auth = {user, pass}})
--   r.status, r.headers["content-type"], r.body, r.elapsed, r:json()

local core = require("nethost.http_core")
local json = require("nethost.json")
local has_log, log = pcall(require, "nethost.log")
if not has_log or type(log) ~= "table" then log = nil end

local http = {}

local METHODS = { "get", "post", "put", "patch", "delete", "head" }

-- Response headers: names are stored lowercased; any spelling finds them.
local headers_mt = {
  __index = function(t, k)
    if type(k) == "string" then return rawget(t, k:lower()) end
  end,
}

local response = {}
response.__index = response

-- resp:json() -> the body decoded (a "parse" error object when it is not JSON).
function response:json()
  return json.decode(self.body)
end

-- resp:ok() -> whether the status is 2xx.
function response:ok()
  return self.status >= 200 and self.status < 300
end

response.__tostring = function(self)
  return string.format("http response %d (%d bytes, %.3f s)", self.status, #self.body,
                       self.elapsed)
end

local OPTIONS = {
  method = "string", url = "string", headers = "table", query = "table", body = "string",
  json = "any", form = "table", auth = "any", bearer = "string", timeout = "number",
  connect_timeout = "number", verify = "boolean", ca_file = "string", client_cert = "string",
  client_key = "string", follow = "boolean", max_body = "number", raise = "boolean",
  host = "any", path = "string", max_redirects = "number",
}

local function check_options(fname, opts)
  for k, v in pairs(opts) do
    local want = OPTIONS[k]
    if not want then
      error(string.format("%s: unknown option '%s'", fname, tostring(k)), 3)
    end
    if want ~= "any" and type(v) ~= want then
      error(string.format("%s: option '%s' must be a %s, not a %s", fname, k, want, type(v)), 3)
    end
  end
end

-- "a=1&b=x%20y" from {a = 1, b = "x y"} (keys sorted, so URLs are reproducible); a list
-- value repeats the key.
local function encode_pairs(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = tostring(k) end
  table.sort(keys)
  local out = {}
  for _, k in ipairs(keys) do
    local v = t[k]
    if v == nil then v = t[tonumber(k)] end
    if type(v) == "table" then
      for _, item in ipairs(v) do
        out[#out + 1] = core.escape(k) .. "=" .. core.escape(tostring(item))
      end
    elseif v == true then
      out[#out + 1] = core.escape(k)
    elseif v ~= false then
      out[#out + 1] = core.escape(k) .. "=" .. core.escape(tostring(v))
    end
  end
  return table.concat(out, "&")
end
http.encode_query = encode_pairs

-- Per-host HTTP settings: host.http = {base_url, verify, ca_file, client_cert, client_key,
-- headers, timeout}; the base URL defaults to https://<address>.
local function host_settings(host)
  local h = host.http
  if h ~= nil and type(h) ~= "table" then
    error(string.format("host %s: 'http' must be a table", tostring(host.name)), 4)
  end
  h = h or {}
  local base = h.base_url
  if not base then
    local addr = host.address or host.hostname or host.name
    if not addr then error("http: the host has neither http.base_url nor an address", 4) end
    if tostring(addr):find(":", 1, true) and not tostring(addr):find("^%[") then
      addr = "[" .. addr .. "]"
    end
    base = "https://" .. tostring(addr)
  end
  return h, base
end

local function join_url(base, path)
  if not path or path == "" then return base end
  if path:find("^%a[%w+.-]*://") then return path end
  if base:sub(-1) == "/" and path:sub(1, 1) == "/" then return base .. path:sub(2) end
  if base:sub(-1) ~= "/" and path:sub(1, 1) ~= "/" then return base .. "/" .. path end
  return base .. path
end

local warned_insecure = {}

-- verify = false is reported once per host (or URL authority), on stderr through the log
-- module when there is one.
local function warn_insecure(who)
  if warned_insecure[who] then return end
  warned_insecure[who] = true
  local msg = string.format("TLS certificate verification is OFF for %s", who)
  if log and log.warn then
    log.warn("%s", msg)
  else
    io.stderr:write("nethost: warning: ", msg, "\n")
  end
end

-- The URL as logs and errors show it: no user:password@, no query (it may carry a token).
local function display_url(url)
  return (url:gsub("^(%a[%w+.-]*://)[^/?#]*@", "%1"):gsub("[?#].*$", "?..."))
end

local function authority(url)
  return url:match("^%a[%w+.-]*://([^/?#]*)"):gsub("^.*@", "") or url
end

-- Builds the spec the C core takes from the user's options.
local function build(fname, opts)
  check_options(fname, opts)
  local spec = { op = fname, method = opts.method and opts.method:upper() }
  local host = opts.host
  local hs = {}
  local url = opts.url
  if host ~= nil then
    if type(host) ~= "table" and type(host) ~= "userdata" then
      error(fname .. ": option 'host' must be an inventory host (a table)", 3)
    end
    local base
    hs, base = host_settings(host)
    url = join_url(base, url or opts.path)
    spec.host = host.name and tostring(host.name)
  end
  if type(url) ~= "string" then error(fname .. ": a URL is required", 3) end
  if not url:find("^[hH][tT][tT][pP][sS]?://") then
    error(string.format("%s: only http:// and https:// URLs are supported (got %q)", fname,
                        (url:gsub("//[^/@]*@", "//"))), 3)
  end
  if opts.query then
    local q = encode_pairs(opts.query)
    if q ~= "" then url = url .. (url:find("?", 1, true) and "&" or "?") .. q end
  end
  spec.url = url
  spec.host = spec.host or authority(url)

  -- Headers: the host's, then the call's (a call's header replaces the host's).
  local headers, index = {}, {}
  local function add(name, value)
    if type(name) ~= "string" then error(fname .. ": header names must be strings", 4) end
    local key = name:lower()
    if index[key] then
      headers[index[key]][2] = tostring(value)
    else
      headers[#headers + 1] = { name, tostring(value) }
      index[key] = #headers
    end
  end
  local function add_all(t)
    local names = {}
    for k in pairs(t) do names[#names + 1] = k end
    table.sort(names, function(a, b) return tostring(a) < tostring(b) end)
    for _, k in ipairs(names) do add(k, t[k]) end
  end
  if type(hs.headers) == "table" then add_all(hs.headers) end
  if opts.headers then add_all(opts.headers) end

  local nbody = (opts.body and 1 or 0) + (opts.json ~= nil and 1 or 0) + (opts.form and 1 or 0)
  if nbody > 1 then error(fname .. ": give only one of body, json and form", 3) end
  if opts.body then
    spec.body = opts.body
  elseif opts.json ~= nil then
    spec.body = json.encode(opts.json)
    if not index["content-type"] then add("Content-Type", "application/json") end
  elseif opts.form then
    spec.body = encode_pairs(opts.form)
    if not index["content-type"] then add("Content-Type", "application/x-www-form-urlencoded") end
  end
  if (opts.json ~= nil or hs.json) and not index["accept"] then add("Accept", "application/json") end
  spec.headers = headers

  local auth, bearer = opts.auth, opts.bearer
  if auth == nil and bearer == nil then auth, bearer = hs.auth, hs.bearer end
  if auth ~= nil and bearer ~= nil then error(fname .. ": give auth or bearer, not both", 3) end
  -- An inventory host's own credentials (username + its password secret), read now.
  if auth == nil and bearer == nil and host ~= nil and opts.auth ~= false then
    local user = host.username
    local secret = type(host) == "table" and type(host.secret) == "function" and host:secret("password")
    if type(user) == "string" and type(secret) == "string" then auth = { user, secret } end
  end
  if auth == false then auth = nil end
  if auth ~= nil then
    if type(auth) ~= "table" then error(fname .. ": auth must be {user, pass} (or false)", 3) end
    local user = auth.user or auth.username or auth[1]
    local pass = auth.pass or auth.password or auth[2]
    if type(user) ~= "string" then error(fname .. ": auth = {user, pass} needs a user", 3) end
    spec.username, spec.password = user, pass and tostring(pass) or ""
  elseif bearer ~= nil then
    spec.bearer = bearer
  end
  -- Whatever happens later, these never show in a log line.
  if log and log.secret then
    if spec.password then log.secret(spec.password) end
    if spec.bearer then log.secret(spec.bearer) end
  end

  local function pick(k)
    if opts[k] ~= nil then return opts[k] end
    return hs[k]
  end
  spec.timeout = pick("timeout") or http.default_timeout
  spec.connect_timeout = pick("connect_timeout")
  spec.ca_file = pick("ca_file")
  spec.client_cert = pick("client_cert")
  spec.client_key = pick("client_key")
  spec.follow = pick("follow")
  spec.max_body = pick("max_body")
  spec.max_redirects = opts.max_redirects
  local verify = pick("verify")
  if verify == false then
    spec.insecure = true
    if url:find("^[hH][tT][tT][pP][sS]") then warn_insecure(spec.host) end
  end
  return spec
end

-- Seconds a request may take when the call sets no timeout (the engine enforces it).
http.default_timeout = 30

local errors = require("nethost.error")

local function perform(fname, opts)
  local spec = build(fname, opts)
  local ok, r = pcall(core.request, spec)
  if not ok then error(r, 0) end
  setmetatable(r.headers, headers_mt)
  r.url = spec.url:gsub("//[^/@]*@", "//")
  r.method = spec.method or (spec.body and "POST" or "GET")
  setmetatable(r, response)
  if log and log.enabled and log.enabled("debug") then
    log.debug("%s %s -> %d (%.3f s)", r.method, display_url(r.url), r.status, r.elapsed)
  end
  if opts.raise and (r.status < 200 or r.status > 299) then
    local e = errors.new("http", string.format("%s %s: HTTP status %d", r.method,
                                             display_url(r.url), r.status),
                      { host = spec.host, op = fname, status = r.status, response = r })
    error(e, 0)
  end
  return r
end

-- http.request{method=, url=, ...} or http.request(host, {...}).
function http.request(a, b)
  local opts
  if type(a) == "table" and b == nil and (a.url or a.host or a.method) and a.name == nil then
    opts = a
  elseif type(b) == "table" then
    opts = {}
    for k, v in pairs(b) do opts[k] = v end
    opts.host = a
  else
    error("http.request: expected a table of options", 2)
  end
  return perform("http.request", opts)
end

-- http.get(url [, opts]) or http.get(host, path [, opts]) (also post, put, patch, delete,
-- head). With a host, its http settings (base_url, verify, ca_file, headers...) apply.
for _, m in ipairs(METHODS) do
  local fname = "http." .. m
  http[m] = function(a, b, c)
    local opts = {}
    local src
    if type(a) == "string" then
      src = b
      opts.url = a
    elseif type(a) == "table" or type(a) == "userdata" then
      if type(b) == "string" then
        opts.path, src = b, c
      else
        src = b
      end
      opts.host = a
    else
      error(fname .. ": expected a URL or a host", 2)
    end
    if src ~= nil then
      if type(src) ~= "table" then error(fname .. ": options must be a table", 2) end
      for k, v in pairs(src) do
        if k ~= "url" or opts.url == nil then opts[k] = v end
      end
    end
    if opts.path and opts.url == nil and opts.host == nil then opts.url = opts.path end
    if opts.url and opts.path and opts.host == nil then opts.path = nil end
    opts.method = m:upper()
    return perform(fname, opts)
  end
end

-- http.configure{max_host_connections=, max_total_connections=, max_idle_connections=,
-- default_timeout=}: limits of the process's one HTTP client.
function http.configure(t)
  if type(t) ~= "table" then error("http.configure: expected a table", 2) end
  if t.default_timeout ~= nil then http.default_timeout = t.default_timeout end
  core.configure(t)
end

-- http.stats() -> {active=, peak_sockets=, connects=}
http.stats = core.stats

return http
