-- json.encode's indent was cast to int before its 0..16 check: 4294967298 passed as 2.
assert(json.encode({ 1 }, { indent = 2 }) == "[\n  1\n]")
for _, bad in ipairs({ -1, 17, 4294967298, 4294967296 + 16, math.mininteger }) do
  local ok, err = pcall(json.encode, { 1 }, { indent = bad })
  assert(not ok and tostring(err):find("indent must be 0..16"), bad .. ": " .. tostring(err))
end
