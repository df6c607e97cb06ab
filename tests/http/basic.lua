-- GET/POST/PUT/PATCH/DELETE against nginx and the backend; headers, redirects, auth, bodies.
local dir = arg[0] and arg[0]:match("^(.*)/") or "."
local t = dofile(dir .. "/testlib.lua")
local H, B = t.env("NH_HTTP"), t.env("NH_BACKEND")

-- GET a static file; case-insensitive headers.
local r = http.get(H .. "/small.txt")
t.eq(r.status, 200, "status")
t.eq(r.body, "hello from nginx\n", "body")
t.eq(r.headers["Content-Type"], "text/plain", "Content-Type (mixed case)")
t.eq(r.headers["content-type"], "text/plain", "content-type (lower case)")
t.eq(r.headers.CONTENT_TYPE, nil, "no such header")
t.ok(r.elapsed > 0 and r.elapsed < 5, "elapsed")
t.ok(r:ok(), "r:ok()")
t.eq(r.http_version, 1, "http/1.1 over plain http")

-- Repeated headers are joined.
r = http.get(H .. "/headers")
t.eq(r.headers["x-multi"], "one, two", "repeated header")

-- JSON body and :json(); empty array/object survive.
r = http.get(H .. "/data.json")
local doc = r:json()
t.eq(doc.name, "sw-1", "json name")
t.eq(#doc.ports, 3, "json array")
t.eq(doc.nested.none, json.null, "json null")
t.eq(json.encode(doc.empty_list), "[]", "empty list round trip")
t.eq(json.encode(doc.empty_obj), "{}", "empty object round trip")

-- Non-2xx is a response; raise = true makes it an error object.
r = http.get(H .. "/missing")
t.eq(r.status, 404, "404 status")
t.ok(not r:ok(), "404 not ok")
local e = t.raises(function() http.get(H .. "/missing", {raise = true}) end, "raise=true")
t.eq(e.kind, "http", "raise kind")
t.eq(e.status, 404, "raise status")
t.eq(e.response.status, 404, "raise response")
t.ok(tostring(e):find("HTTP status 404", 1, true), "raise message: " .. tostring(e))
t.ok(e.where and e.where:find("basic.lua", 1, true), "where names the playbook: " .. tostring(e.where))

-- Redirects: not followed by default, followed with follow = true; loops end in an error.
r = http.get(H .. "/redirect")
t.eq(r.status, 302, "redirect not followed")
t.ok(r.headers.location:find("/small.txt", 1, true), "location header")
r = http.get(H .. "/redirect", {follow = true})
t.eq(r.status, 200, "redirect followed")
t.eq(r.body, "hello from nginx\n", "redirect body")
e = t.raises(function() http.get(H .. "/redirect-loop", {follow = true, max_redirects = 3}) end, "loop")
t.eq(e.kind, "http", "redirect loop kind")

-- Methods, query, JSON, form, raw body.
r = http.post(B .. "/echo", {json = {a = 1, list = json.array()}, query = {q = "a b&c", n = 5}})
local echo = r:json()
t.eq(echo.method, "POST", "post method")
t.eq(json.encode(json.decode(echo.body), {sort_keys = true}), '{"a":1,"list":[]}', "json body")
t.eq(echo.headers["content-type"], "application/json", "json content type")
t.eq(echo.query, "n=5&q=a%20b%26c", "query encoding")
for _, m in ipairs({"put", "patch", "delete"}) do
  r = http[m](B .. "/echo", {body = "raw-" .. m, headers = {["X-Test"] = m}})
  echo = r:json()
  t.eq(echo.method, m:upper(), m .. " method")
  t.eq(echo.body, "raw-" .. m, m .. " body")
  t.eq(echo.headers["x-test"], m, m .. " header")
end
r = http.delete(B .. "/echo")
t.eq(r:json().body, "", "delete without body")
r = http.post(B .. "/echo", {form = {user = "a b", x = "1"}})
echo = r:json()
t.eq(echo.body, "user=a%20b&x=1", "form body")
t.eq(echo.headers["content-type"], "application/x-www-form-urlencoded", "form type")
r = http.request{method = "GET", url = B .. "/echo", headers = {Accept = "text/plain"}}
t.eq(r:json().headers.accept, "text/plain", "request{} header")

-- Basic auth success and failure; bearer.
r = http.get(B .. "/auth", {auth = {"admin", "s3cret"}})
t.eq(r.status, 200, "basic auth ok")
if log and log.mask then
  t.eq(log.mask("pw=s3cret"), "pw=***", "a password used by http is masked in logs")
end
r = http.get(B .. "/auth", {auth = {user = "admin", pass = "wrong"}})
t.eq(r.status, 401, "basic auth failure")
e = t.raises(function() http.get(B .. "/auth", {auth = {"admin", "wrong-pw"}, raise = true}) end, "401 raise")
t.ok(not tostring(e):find("wrong-pw", 1, true), "no password in the error")
-- An inventory-style host: base_url from host.http, credentials from the host.
local dev = setmetatable({name = "dev-1", username = "admin", http = {base_url = B}},
                         {__index = {secret = function(_, what) return what == "password" and "s3cret" end}})
t.eq(http.get(dev, "/auth").status, 200, "host credentials")
t.eq(http.get(dev, "/auth", {auth = false}).status, 401, "auth = false sends none")
t.eq(http.get(dev, "/auth", {auth = {"admin", "nope"}}).status, 401, "call auth wins")
r = http.get(B .. "/bearer", {bearer = "tok-123"})
t.eq(r.status, 200, "bearer ok")

-- Large body, and max_body.
r = http.get(H .. "/big.bin")
t.eq(#r.body, 5 * 1024 * 1024, "5 MB body")
e = t.raises(function() http.get(H .. "/big.bin", {max_body = 1000000}) end, "max_body")
t.eq(e.kind, "http", "max_body kind")
t.eq(e.code, "ETOOBIG", "max_body code")
t.eq(e.stage, "receive", "max_body stage")

-- Connection refused: an http error at stage connect; credentials never shown.
e = t.raises(function() http.get("http://user:pw-secret@127.0.0.1:1/x?token=abc") end, "refused")
t.eq(e.kind, "http", "refused kind")
t.eq(e.stage, "connect", "refused stage")
t.eq(e.code, "ECONNREFUSED", "refused code")
t.ok(not tostring(e):find("pw-secret", 1, true), "no password in message: " .. tostring(e))
t.ok(not tostring(e):find("abc", 1, true), "no query in message")

-- Misuse raises at once.
e = t.raises(function() http.get(H, {bogus = 1}) end, "unknown option")
t.ok(tostring(e):find("unknown option 'bogus'", 1, true), "unknown option message")
e = t.raises(function() http.get("ftp://x/") end, "scheme")
e = t.raises(function() http.get(H, {headers = {["X-Evil"] = "a\r\nInjected: 1"}}) end, "CRLF")

-- Keep-alive: the requests above reused connections.
local st = http.stats()
t.ok(st.active == 0, "no transfer left active")
print(string.format("basic: ok (%d connections opened)", st.connects))
