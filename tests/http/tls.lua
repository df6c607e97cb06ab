-- HTTPS against nginx with a self-signed certificate: verification on by default, ca_file,
-- verify = false (explicit, warned once per host), per-host settings from an inventory host.
local dir = arg[0] and arg[0]:match("^(.*)/") or "."
local t = dofile(dir .. "/testlib.lua")
local S, CA = t.env("NH_HTTPS"), t.env("NH_CA")

-- Verification fails against an unknown CA: an http error at stage tls.
local e = t.raises(function() http.get(S .. "/small.txt") end, "self-signed")
t.eq(e.kind, "http", "tls kind")
t.eq(e.stage, "tls", "tls stage")
t.eq(e.code, "ETLS", "tls code")
t.eq(e.url, S .. "/small.txt", "error url")

-- With the certificate as CA it succeeds, over HTTP/2 (nginx offers h2 via ALPN).
local r = http.get(S .. "/small.txt", {ca_file = CA})
t.eq(r.status, 200, "ca_file status")
t.eq(r.http_version, 2, "h2")

-- A bad ca_file is a tls error too.
e = t.raises(function() http.get(S .. "/small.txt", {ca_file = "/nonexistent.pem"}) end, "bad ca")
t.eq(e.stage, "tls", "bad ca stage")

-- verify = false works, and is reported once per host on stderr (checked by the harness
-- output below: the message appears once).
r = http.get(S .. "/small.txt", {verify = false})
t.eq(r.status, 200, "insecure status")
r = http.get(S .. "/data.json", {verify = false})
t.eq(r.status, 200, "insecure again")

-- An inventory host: its base_url and ca_file apply; the call's path is relative.
local host = {name = "ctl-1", address = "127.0.0.1", http = {base_url = S, ca_file = CA,
              headers = {["X-Site"] = "lab"}}}
r = http.get(host, "/data.json")
t.eq(r.status, 200, "host get")
t.eq(r:json().name, "sw-1", "host json")
r = http.request{host = host, path = "/small.txt"}
t.eq(r.body, "hello from nginx\n", "request{host=}")
-- Without ca_file, the host's verification fails and the error names the host.
e = t.raises(function() http.get({name = "ctl-2", http = {base_url = S}}, "/small.txt") end, "host tls")
t.eq(e.host, "ctl-2", "error host")
t.eq(e.stage, "tls", "host tls stage")
-- Per-host verify = false.
r = http.get({name = "ctl-3", http = {base_url = S, verify = false}}, "small.txt")
t.eq(r.status, 200, "host insecure")

-- HTTP/2 multiplexing: 50 concurrent requests to one host share one connection.
local before = http.stats().connects
local tasks = {}
for i = 1, 50 do
  tasks[i] = async.spawn(function() return http.get(S .. "/1k.txt", {ca_file = CA}).status end)
end
for i = 1, 50 do t.eq(tasks[i]:wait(), 200, "h2 status " .. i) end
local opened = http.stats().connects - before
t.ok(opened <= 2, "h2 multiplexed: " .. opened .. " connections for 50 requests")
-- Mutual TLS: without a client certificate nginx answers 400; with one, 200.
local M, D = t.env("NH_MTLS"), t.env("NH_DIR")
r = http.get(M .. "/small.txt", {ca_file = CA})
t.eq(r.status, 400, "no client certificate")
r = http.get(M .. "/small.txt", {ca_file = CA, client_cert = D .. "/client.pem",
                                 client_key = D .. "/client-key.pem"})
t.eq(r.status, 200, "client certificate accepted")
t.eq(r.body, "hello from nginx\n", "mtls body")
e = t.raises(function()
  http.get(M .. "/small.txt", {ca_file = CA, client_cert = "/nonexistent.pem"})
end, "missing client certificate file")
t.eq(e.stage, "tls", "bad client cert stage")
print("tls: ok")
