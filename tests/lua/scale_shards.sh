#!/bin/sh
# docs/scale.md's recipe, simulated: N local processes play the pods of a Kubernetes Indexed
# Job (JOB_COMPLETION_INDEX) and the tasks of a Slurm array (SLURM_ARRAY_TASK_ID), each
# running `nethost shard`; `nethost shard merge` joins their files. The merged result must
# equal a single run's: the same hosts, each once, with the same status and value.
# usage: scale_shards.sh NETHOST
set -u
NETHOST=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$tmp/out" ] && cat "$tmp/out" >&2; exit 1; }
# wait_shards WHAT PID...: waits for each shard process; 0 (all ok) and 2 (some hosts
# failed, as the playbook means them to) are the statuses a shard may end with.
wait_shards() {
  what=$1
  shift
  for p in "$@"; do
    wait "$p"
    rc=$?
    [ $rc = 0 ] || [ $rc = 2 ] || fail "$what exit status $rc"
  done
}

{ printf "defaults:\n  username: admin\n  password: admin\nhosts:\n"
  i=1
  while [ $i -le 150 ]; do
    printf "  sw-%03d: {address: 127.9.0.%d, platform: %s, data: {site: s%d}}\n" $i $((i % 250 + 1)) \
      "$([ $((i % 3)) = 0 ] && echo arista_eos || echo cisco_ios)" $((i % 4))
    i=$((i + 1))
  done
} > "$tmp/inv.yaml"

# A host function whose result depends on the host and on a main-chunk upvalue; hosts ending
# in 7 fail, so the failure counts must merge too.
cat > "$tmp/play.lua" <<'LUA'
local tag = nethost.vars.tag
nethost.run(nethost.inventory, function(h)
  if h.name:match("7$") then error(nethost.error("connect", "refused by " .. h.name)) end
  return { tag = tag, site = h.data.site, platform = h.platform }
end, { concurrency = 7 })
LUA

# Turns a .jsonl result file into sorted "host status value" lines (timings left out).
cat > "$tmp/canon.lua" <<'LUA'
local rows, summary = {}, nil
-- JSON objects' key order is not fixed: list the value's keys sorted.
local function canon(v)
  if type(v) ~= "table" then return tostring(v) end
  local ks, out = {}, {}
  for k in pairs(v) do ks[#ks + 1] = tostring(k) end
  table.sort(ks)
  for _, k in ipairs(ks) do out[#out + 1] = k .. "=" .. canon(v[k]) end
  return "{" .. table.concat(out, ",") .. "}"
end
for line in io.lines(arg[1]) do
  local r = json.decode(line)
  if r.host then
    rows[#rows + 1] = table.concat({ r.host, r.status, canon(r.value),
                                     r.error and r.error.kind or "" }, " ")
  elseif r.summary then
    summary = ("total=%d ok=%d failed=%d"):format(r.summary.total, r.summary.ok, r.summary.failed)
  end
end
table.sort(rows)
rows[#rows + 1] = summary or "no summary"
io.write(table.concat(rows, "\n"), "\n")
LUA

"$NETHOST" run "$tmp/play.lua" -i "$tmp/inv.yaml" -e tag=x -o "$tmp/single.jsonl" > "$tmp/out" 2>&1
[ $? = 2 ] || fail "single run: exit status (some hosts fail on purpose)"
"$NETHOST" run "$tmp/canon.lua" -- "$tmp/single.jsonl" > "$tmp/single.txt" || fail "canon single"
[ "$(grep -c '^sw-' "$tmp/single.txt")" = 150 ] || fail "single run: 150 host lines"
grep -q "total=150 ok=135 failed=15" "$tmp/single.txt" || fail "single run summary"

# Kubernetes Indexed Job: 3 pods at once, JOB_COMPLETION_INDEX 0..2, NETHOST_SHARDS=3.
pids=
for idx in 0 1 2; do
  JOB_COMPLETION_INDEX=$idx NETHOST_SHARDS=3 NETHOST_RESULTS_DIR="$tmp/k8s" \
    "$NETHOST" shard "$tmp/play.lua" -i "$tmp/inv.yaml" -e tag=x -q > "$tmp/k8s-$idx.log" 2>&1 &
  pids="$pids $!"
done
wait_shards "k8s shard" $pids
for k in 1 2 3; do
  [ -s "$tmp/k8s/shard-$k-of-3.jsonl" ] || fail "k8s shard $k wrote no file"
done
NETHOST_SHARDS=3 NETHOST_RESULTS_DIR="$tmp/k8s" "$NETHOST" shard merge "$tmp/k8s.jsonl" > "$tmp/out" 2>&1
[ $? = 2 ] || fail "k8s merge exit status"
"$NETHOST" run "$tmp/canon.lua" -- "$tmp/k8s.jsonl" > "$tmp/k8s.txt" || fail "canon k8s"
cmp -s "$tmp/single.txt" "$tmp/k8s.txt" || { diff "$tmp/single.txt" "$tmp/k8s.txt" >&2; fail "k8s merge differs from the single run"; }
# Every shard did part of the work (the split is not all in one shard).
for k in 1 2 3; do
  n=$(grep -c '"host"' "$tmp/k8s/shard-$k-of-3.jsonl")
  [ "$n" -gt 0 ] && [ "$n" -lt 150 ] || fail "k8s shard $k has $n hosts"
done

# Slurm array --array=1-4: SLURM_ARRAY_TASK_ID 1..4, SLURM_ARRAY_TASK_MIN=1, COUNT=4.
pids=
for id in 1 2 3 4; do
  SLURM_ARRAY_TASK_ID=$id SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_COUNT=4 \
    NETHOST_RESULTS_DIR="$tmp/slurm" "$NETHOST" shard "$tmp/play.lua" -i "$tmp/inv.yaml" -e tag=x -q \
    > "$tmp/slurm-$id.log" 2>&1 &
  pids="$pids $!"
done
wait_shards "slurm task" $pids
SLURM_ARRAY_TASK_COUNT=4 NETHOST_RESULTS_DIR="$tmp/slurm" "$NETHOST" shard merge "$tmp/slurm.jsonl" > "$tmp/out" 2>&1
[ $? = 2 ] || fail "slurm merge exit status"
"$NETHOST" run "$tmp/canon.lua" -- "$tmp/slurm.jsonl" > "$tmp/slurm.txt" || fail "canon slurm"
cmp -s "$tmp/single.txt" "$tmp/slurm.txt" || { diff "$tmp/single.txt" "$tmp/slurm.txt" >&2; fail "slurm merge differs from the single run"; }

# A lost shard is an error at merge time, not a silently smaller fleet.
rm "$tmp/slurm/shard-2-of-4.jsonl"
SLURM_ARRAY_TASK_COUNT=4 NETHOST_RESULTS_DIR="$tmp/slurm" "$NETHOST" shard merge "$tmp/x.jsonl" > "$tmp/out" 2>&1
[ $? = 1 ] || fail "merge with a missing shard must fail"
grep -q "shard 2 of 4 did not finish" "$tmp/out" || fail "missing shard message"
# No index in the environment: a clear error.
env -u JOB_COMPLETION_INDEX -u SLURM_ARRAY_TASK_ID -u NETHOST_SHARD_INDEX NETHOST_SHARDS=2 \
  "$NETHOST" shard "$tmp/play.lua" > "$tmp/out" 2>&1
[ $? = 1 ] || fail "no index: exit status"
grep -q "no shard index" "$tmp/out" || fail "no index message"
# A bad index or count, or an index past the count: one clear line, no run.
NETHOST_SHARD_INDEX=x NETHOST_SHARDS=2 "$NETHOST" shard "$tmp/play.lua" > "$tmp/out" 2>&1
[ $? = 1 ] || fail "bad index: exit status"
grep -q "NETHOST_SHARD_INDEX is 'x', not a whole number" "$tmp/out" || fail "bad index message"
[ "$(wc -l < "$tmp/out")" = 1 ] || fail "bad index: one line"
env -u NETHOST_SHARDS -u SLURM_ARRAY_TASK_COUNT NETHOST_SHARD_INDEX=0 \
  "$NETHOST" shard "$tmp/play.lua" > "$tmp/out" 2>&1
[ $? = 1 ] || fail "no count: exit status"
grep -q "no shard count" "$tmp/out" || fail "no count message"
NETHOST_SHARD_INDEX=2 NETHOST_SHARDS=2 NETHOST_RESULTS_DIR="$tmp/past" \
  "$NETHOST" shard "$tmp/play.lua" > "$tmp/out" 2>&1
[ $? = 1 ] || fail "index past count: exit status"
grep -q "shard index 2 is not below the shard count 2" "$tmp/out" || fail "index past count message"
[ ! -e "$tmp/past" ] || fail "index past count: made the results folder"
# The results folder is private (0700): the shards' results hold device data.
[ "$(stat -c %a "$tmp/k8s")" = 700 ] || fail "results folder mode $(stat -c %a "$tmp/k8s")"
echo "ok"
