// Lua scripts of the correction log: like the delivery log's (delivery-scripts.ts), each state
// change and its counters happen in one atomic step. A correction's counters live beside the
// sends' in cnt:<annId>, under "r<rev>:<channel>|<status>" and "r<rev>:*|<status>", so the
// sends' counts and the announcement's completion are never touched by a correction.
import type { Redis } from 'ioredis';

const BUMP = `
local function bump(cnt, scope, rev, status, by)
  redis.call('HINCRBY', cnt, scope .. '|' .. status, by)
  redis.call('HINCRBY', cnt, 'r' .. rev .. ':*|' .. status, by)
end
`;

// KEYS: cor, cnt, events. ARGV: channel, revision, now, ttl, annId, maxlen, then
// (recipient, address, language, subscriberId, kind)*. Existing records are left alone.
const ENQUEUE = `${BUMP}
local cor, cnt, events = KEYS[1], KEYS[2], KEYS[3]
local channel, rev, now, ttl, annId, maxlen = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5], ARGV[6]
local scope = 'r' .. rev .. ':' .. channel
local created = 0
for i = 7, #ARGV, 5 do
  local rec = cjson.encode({ channel = channel, recipient = ARGV[i], address = ARGV[i + 1], language = ARGV[i + 2],
    subscriberId = ARGV[i + 3], kind = ARGV[i + 4], revision = tonumber(rev), status = 'queued', attempts = 0,
    error = cjson.null, externalId = cjson.null, updatedAt = now })
  created = created + redis.call('HSETNX', cor, ARGV[i], rec)
end
if created > 0 then
  bump(cnt, scope, rev, 'total', created)
  bump(cnt, scope, rev, 'queued', created)
  if redis.call('TTL', cor) < 0 then redis.call('EXPIRE', cor, ttl) end
  redis.call('XADD', events, 'MAXLEN', '~', maxlen, '*', 'type', 'correction', 'ann', annId, 'channel', channel,
    'revision', rev, 'status', 'queued', 'count', tostring(created))
end
return created
`;

// KEYS: cor, cnt, events. ARGV: channel, revision, recipient, newStatus, allowedFrom (comma
// list), patch JSON, attemptCap (0: not an attempt), now, annId, maxlen.
// Returns { applied, oldStatus, recordJSON }.
const TRANSITION = `${BUMP}
local cor, cnt, events = KEYS[1], KEYS[2], KEYS[3]
local channel, rev, recipient, newStatus = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local allowed = ',' .. ARGV[5] .. ','
local raw = redis.call('HGET', cor, recipient)
if not raw then return {0, '', ''} end
local rec = cjson.decode(raw)
local old = rec.status
if not string.find(allowed, ',' .. old .. ',', 1, true) then return {0, old, raw} end
for k, v in pairs(cjson.decode(ARGV[6])) do rec[k] = v end
local cap = tonumber(ARGV[7])
if cap > 0 and rec.attempts < cap then rec.attempts = rec.attempts + 1 end
rec.status = newStatus
rec.updatedAt = ARGV[8]
local out = cjson.encode(rec)
redis.call('HSET', cor, recipient, out)
local scope = 'r' .. rev .. ':' .. channel
bump(cnt, scope, rev, old, -1)
bump(cnt, scope, rev, newStatus, 1)
if newStatus ~= 'sending' then
  local err = rec.error
  if err == cjson.null or err == nil then err = '' end
  redis.call('XADD', events, 'MAXLEN', '~', ARGV[10], '*', 'type', 'correction', 'ann', ARGV[9], 'channel', channel,
    'revision', rev, 'recipient', recipient, 'status', newStatus, 'error', err)
end
return {1, old, out}
`;

// After a correction: the send's record learns what the message now shows (its revision) and
// where it now lives (Telegram parts added or removed), only while it is a sent record and only
// forward, so an older correction finishing late never winds it back.
// KEYS: dlv. ARGV: recipient, revision, patch JSON. Returns 1 when written.
const PATCH_SENT = `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
local rec = cjson.decode(raw)
if rec.status ~= 'sent' then return 0 end
local rev = tonumber(ARGV[2])
if (tonumber(rec.revision) or 1) >= rev then return 0 end
for k, v in pairs(cjson.decode(ARGV[3])) do rec[k] = v end
rec.revision = rev
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(rec))
return 1
`;

// A correction's fan-out over one channel is done (idempotent). KEYS: fan, cnt.
// ARGV: field ("r<rev>:<channel>"), pending field ("_cfan_pending|r<rev>"), ttl.
const FANOUT_DONE = `
if redis.call('HGET', KEYS[1], ARGV[1]) ~= 'done' then
  redis.call('HSET', KEYS[1], ARGV[1], 'done')
  redis.call('HINCRBY', KEYS[2], ARGV[2], -1)
end
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1
`;

export interface CorrectionScripts {
  crierCorFanoutDone(fan: string, cnt: string, field: string, pending: string, ttl: string): Promise<number>;
  crierCorEnqueue(cor: string, cnt: string, events: string, ...args: string[]): Promise<number>;
  crierCorTransition(cor: string, cnt: string, events: string, ...args: string[]): Promise<[number, string, string]>;
  crierPatchSent(dlv: string, recipient: string, revision: string, patch: string): Promise<number>;
}

export function withCorrectionScripts(redis: Redis): Redis & CorrectionScripts {
  const r = redis as Redis & CorrectionScripts & { __crierCorScripts?: true };
  if (!r.__crierCorScripts) {
    redis.defineCommand('crierCorEnqueue', { numberOfKeys: 3, lua: ENQUEUE });
    redis.defineCommand('crierCorTransition', { numberOfKeys: 3, lua: TRANSITION });
    redis.defineCommand('crierPatchSent', { numberOfKeys: 1, lua: PATCH_SENT });
    redis.defineCommand('crierCorFanoutDone', { numberOfKeys: 2, lua: FANOUT_DONE });
    r.__crierCorScripts = true;
  }
  return r;
}
