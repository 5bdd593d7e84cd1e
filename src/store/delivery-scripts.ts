// Lua scripts of the delivery log. Each state change, its counters, its event and the
// announcement's completion happen in one atomic step, so two workers (or a crash between
// two commands) can never leave the counts and the log disagreeing.
import type { Redis } from 'ioredis';
import { LATENCY_BUCKETS } from './latency-buckets.js';

// The latency histogram's buckets as a Lua table of { upper bound in ms, label }; the labels
// are what bucketFor() gives, so the metrics reader finds them.
const LUA_BUCKETS = `{${LATENCY_BUCKETS.map((b) => `{${Math.round(b * 1000)}, '${String(b)}'}`).join(', ')}}`;

// Redis's own clock: one clock for every worker machine, so a latency never mixes two.
const NOW_MS = `
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`;

// Marks the announcement done / done_with_failures once every channel's fan-out has
// finished and no delivery is queued or sending. From then on the announcement and its
// counters count down delivery.retentionDays (ttl), like its delivery log, or until the
// announcement's own expiry ("expiresAtMs") when that is later.
const MAYBE_COMPLETE = `${NOW_MS}
local function maybeComplete(cnt, ann, events, annId, now, maxlen, ttl)
  if tonumber(redis.call('HGET', cnt, '_fanout_pending') or '0') > 0 then return end
  local q = tonumber(redis.call('HGET', cnt, '*|queued') or '0')
  local s = tonumber(redis.call('HGET', cnt, '*|sending') or '0')
  if q + s > 0 then return end
  if redis.call('HGET', ann, 'status') ~= 'dispatching' then return end
  local final = 'done'
  if tonumber(redis.call('HGET', cnt, '*|failed') or '0') > 0 then final = 'done_with_failures' end
  redis.call('HSET', ann, 'status', final, 'completedAt', now)
  -- Kept at least until it expires: /news and the feed show it that long.
  local keep = ttl
  local exp = tonumber(redis.call('HGET', ann, 'expiresAtMs') or '')
  if exp then keep = math.max(ttl, math.ceil((exp - nowMs()) / 1000)) end
  redis.call('EXPIRE', ann, keep)
  redis.call('EXPIRE', cnt, keep)
  -- Events older than the retention name announcements that are gone: trimmed here, once per
  -- completed announcement, exactly (an approximate trim keeps whole 100-entry nodes), besides the MAXLEN cap.
  redis.call('XTRIM', events, 'MINID', tostring(nowMs() - ttl * 1000))
  redis.call('XADD', events, 'MAXLEN', '~', maxlen, '*', 'type', 'announcement', 'ann', annId, 'status', final)
end
local function bump(cnt, channel, status, by)
  redis.call('HINCRBY', cnt, channel .. '|' .. status, by)
  redis.call('HINCRBY', cnt, '*|' .. status, by)
end
`;

// KEYS: dlv, cnt, ann, events, stats (fleet-wide metrics counters, see src/metrics/stats.ts)
// ARGV: channel, recipient, newStatus, allowedFrom (comma list; "new" = may create),
//       patchJSON, attemptCap (0: not an attempt; else count one, never past the cap in this
//       round: a retry of a failed delivery starts a new round),
//       now, ttlSeconds, annId, eventsMaxLen
// Returns { applied (1|0), oldStatus, recordJSON }
const TRANSITION = `${MAYBE_COMPLETE}
local dlv, cnt, ann, events, stats = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local channel, recipient, newStatus = ARGV[1], ARGV[2], ARGV[3]
local allowed = ',' .. ARGV[4] .. ','
local patch = cjson.decode(ARGV[5])
local now, ttl, annId, maxlen = ARGV[7], tonumber(ARGV[8]), ARGV[9], ARGV[10]
local raw = redis.call('HGET', dlv, recipient)
local rec
local old = ''
if raw then
  rec = cjson.decode(raw)
  old = rec.status
  if not string.find(allowed, ',' .. old .. ',', 1, true) then return {0, old, raw} end
else
  if not string.find(allowed, ',new,', 1, true) then return {0, '', ''} end
  rec = { channel = channel, recipient = recipient, address = '', attempts = 0,
          error = cjson.null, externalId = cjson.null }
end
for k, v in pairs(patch) do rec[k] = v end
-- A send begun again while the last one is still "sending" may repeat a message: marked now,
-- not only with its outcome. When a job's lock ran out during a Redis outage, two runs of it
-- send at once; the first run's outcome wins, the second's "sent" (which carried the mark)
-- is then not applied, and the repeat went unmarked (issue 15, fault suite: redis-outage).
if newStatus == 'sending' and old == 'sending' then rec.possibleDuplicate = true end
-- Entering the queue afresh (created, or a failed one retried; not a retryable failure's
-- re-queue): the start of the delivery latency (metrics) and one more "queued" delivery.
local enters = newStatus == 'queued' and old ~= 'sending' and old ~= 'queued'
if enters then
  rec.queuedAt = now
  rec.queuedAtMs = nowMs()
end
rec.status = newStatus
-- An admin's retry of a failed delivery starts a new round of attempts.
if newStatus == 'queued' and old == 'failed' then rec.retryBase = rec.attempts end
local cap = tonumber(ARGV[6])
if cap > 0 and rec.attempts < (tonumber(rec.retryBase) or 0) + cap then rec.attempts = rec.attempts + 1 end
rec.updatedAt = now
local out = cjson.encode(rec)
redis.call('HSET', dlv, recipient, out)
if old ~= '' then
  bump(cnt, channel, old, -1)
else
  bump(cnt, channel, 'total', 1)
  if redis.call('TTL', dlv) < 0 then redis.call('EXPIRE', dlv, ttl) end
end
bump(cnt, channel, newStatus, 1)
if enters or newStatus == 'sent' or newStatus == 'failed' or newStatus == 'skipped' then
  redis.call('HINCRBY', stats, 'dlv|' .. channel .. '|' .. newStatus, 1)
end
-- Delivery latency, queued to sent, observed in the same step (no extra round trip per send).
if newStatus == 'sent' and type(rec.queuedAtMs) == 'number' then
  local ms = math.max(0, nowMs() - rec.queuedAtMs)
  local le = '+Inf'
  for _, b in ipairs(${LUA_BUCKETS}) do
    if ms <= b[1] then le = b[2]; break end
  end
  redis.call('HINCRBY', stats, 'lat|' .. channel .. '|' .. le, 1)
  redis.call('HINCRBY', stats, 'lat_sum_ms|' .. channel, ms)
  redis.call('HINCRBY', stats, 'lat_n|' .. channel, 1)
end
local err = rec.error
if err == cjson.null or err == nil then err = '' end
-- Watchers re-read counts on each event; the start of a send is no news to them.
if newStatus ~= 'sending' then
  redis.call('XADD', events, 'MAXLEN', '~', maxlen, '*', 'type', 'delivery', 'ann', annId,
    'channel', channel, 'recipient', recipient, 'status', newStatus, 'error', err)
end
if newStatus == 'queued' and old ~= '' then
  local st = redis.call('HGET', ann, 'status')
  if st == 'done' or st == 'done_with_failures' then
    -- A retry: running again, so kept until it is final again.
    redis.call('HSET', ann, 'status', 'dispatching')
    redis.call('PERSIST', ann)
    redis.call('PERSIST', cnt)
  end
end
if newStatus == 'sent' or newStatus == 'failed' or newStatus == 'skipped' then
  maybeComplete(cnt, ann, events, annId, now, maxlen, ttl)
end
return {1, old, out}
`;

// Writes many deliveries as queued; existing ones are left alone (a repeated fan-out page).
// KEYS: dlv, cnt, events, stats
// ARGV: channel, now, ttlSeconds, annId, eventsMaxLen, then (recipient, address, language, subscriberId)*
// Returns the number created.
const ENQUEUE_MANY = `${NOW_MS}
local dlv, cnt, events, stats = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local queuedAtMs = nowMs()
local channel, now, ttl, annId, maxlen = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], ARGV[5]
local created = 0
for i = 6, #ARGV, 4 do
  local rec = cjson.encode({ channel = channel, recipient = ARGV[i], address = ARGV[i + 1], language = ARGV[i + 2],
    subscriberId = ARGV[i + 3], status = 'queued', attempts = 0, error = cjson.null, externalId = cjson.null,
    updatedAt = now, queuedAt = now, queuedAtMs = queuedAtMs })
  created = created + redis.call('HSETNX', dlv, ARGV[i], rec)
end
if created > 0 then
  for _, f in ipairs({channel .. '|total', channel .. '|queued', '*|total', '*|queued'}) do
    redis.call('HINCRBY', cnt, f, created)
  end
  redis.call('HINCRBY', stats, 'dlv|' .. channel .. '|queued', created)
  if redis.call('TTL', dlv) < 0 then redis.call('EXPIRE', dlv, ttl) end
  redis.call('XADD', events, 'MAXLEN', '~', maxlen, '*', 'type', 'queued', 'ann', annId,
    'channel', channel, 'count', tostring(created))
end
return created
`;

// A channel's fan-out has written every page. KEYS: fan, cnt, ann, events
// ARGV: channel, now, annId, maxlen, ttlSeconds. The cursor hash gets its TTL here: a one-page
// fan-out never wrote a cursor, so this HSET is what creates it.
const FANOUT_DONE = `${MAYBE_COMPLETE}
local fan, cnt, ann, events = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
if redis.call('HGET', fan, ARGV[1]) ~= 'done' then
  redis.call('HSET', fan, ARGV[1], 'done')
  redis.call('HINCRBY', cnt, '_fanout_pending', -1)
end
redis.call('EXPIRE', fan, tonumber(ARGV[5]))
maybeComplete(cnt, ann, events, ARGV[3], ARGV[2], ARGV[4], tonumber(ARGV[5]))
return 1
`;

export interface DeliveryScripts {
  crierTransition(
    dlv: string, cnt: string, ann: string, events: string, stats: string,
    channel: string, recipient: string, status: string, allowedFrom: string, patch: string,
    incAttempts: string, now: string, ttl: string, annId: string, maxlen: string,
  ): Promise<[number, string, string]>;
  crierEnqueueMany(dlv: string, cnt: string, events: string, stats: string, ...args: string[]): Promise<number>;
  crierFanoutDone(fan: string, cnt: string, ann: string, events: string, channel: string, now: string, annId: string, maxlen: string, ttl: string): Promise<number>;
}

/** Registers the scripts on a connection (idempotent) and returns it typed with them. */
export function withDeliveryScripts(redis: Redis): Redis & DeliveryScripts {
  const r = redis as Redis & DeliveryScripts & { __crierScripts?: true };
  if (!r.__crierScripts) {
    redis.defineCommand('crierTransition', { numberOfKeys: 5, lua: TRANSITION });
    redis.defineCommand('crierEnqueueMany', { numberOfKeys: 4, lua: ENQUEUE_MANY });
    redis.defineCommand('crierFanoutDone', { numberOfKeys: 4, lua: FANOUT_DONE });
    r.__crierScripts = true;
  }
  return r;
}
