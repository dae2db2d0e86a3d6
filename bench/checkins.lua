-- wrk script of bench/checkins.sh: distinct anonymous check-ins, POST /api/v1/checkins.
--
--   wrk -t T -c C -d D --latency -s bench/checkins.lua URL -- VENUES ACTIVE_S PHONES RUN
--
-- VENUES: a file of "CODE KID.SIG" lines (bench/checkins-setup.js); each request takes the next
-- venue, a phone among PHONES distinct numbers (one name each) and a client_id never sent before
-- (RUN tags the run).  After ACTIVE_S seconds no thread sends another request (delay() holds
-- it back), so every request sent is answered before wrk stops at D: the answers counted as
-- "ok" are every check-in the server acknowledged, and the rows stored must equal them.  Rates
-- divide by ACTIVE_S.  Prints "key value" lines in done().
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk, bench_timespec *ts);
]]
local ts = ffi.new("bench_timespec")
local function now()
    ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
    return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) / 1e9
end

local threads = {}
local next_id = 0

function setup(thread)
    thread:set("id", next_id)
    next_id = next_id + 1
    table.insert(threads, thread)
end

local venues = {}
local stop_at = 0
local phones, run
local headers = { ["Content-Type"] = "application/json" }

function init(args)
    for line in io.lines(args[1]) do
        local code, sig = line:match("^(%S+) (%S+)$")
        if code then
            venues[#venues + 1] = { code, sig }
        end
    end
    stop_at = now() + tonumber(args[2])
    phones = tonumber(args[3])
    run = args[4]
    sent = 0
end

function delay()
    if now() >= stop_at then
        return 3600000 -- the active phase is over: nothing more is sent
    end
    return 0
end

function request()
    sent = sent + 1
    local v = venues[(sent + id) % #venues + 1]
    local phone = string.format("09%08d", 12000000 + (id * 7919 + sent * 13) % phones)
    local body = string.format(
        '{"client_id":"b%s-%d-%d","venue_code":"%s","venue_sig":"%s","phone":"%s","full_name":"Nguyen Van Do"}',
        run, id, sent, v[1], v[2], phone)
    return wrk.format("POST", "/api/v1/checkins", headers, body)
end

function done(summary, latency, requests)
    local s = 0
    for _, t in ipairs(threads) do
        s = s + t:get("sent")
    end
    local e = summary.errors
    -- wrk counts the answers, and those of status 400 and above, itself; the server answers a
    -- check-in 200, 201 or an error, so the rest are the 2xx.  The script has no response():
    -- with one, wrk hands every answer's headers and body to Lua, a fifth of its CPU per request
    -- here, taken from the server it shares the machine with.
    local b = e.status
    local o = summary.requests - b
    io.write(string.format("sent %d\nok %d\nbad %d\n", s, o, b))
    io.write(string.format("socket_errors %d\n", e.connect + e.read + e.write + e.timeout))
    io.write(string.format("p50_ms %.3f\np99_ms %.3f\nmax_ms %.3f\n", latency:percentile(50) / 1000,
        latency:percentile(99) / 1000, latency.max / 1000))
end
