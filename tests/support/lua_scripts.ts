/**
 * Lua scripts in the style of the libraries that run on Redis scripting,
 * written here from their published behaviour (not copied): Redlock's
 * lock release and extension, a sliding-window rate limiter, a token
 * bucket, and a BullMQ-like job queue (add, take, finish). The
 * differential cases (tests/compat/cases/scripting.ts) and the client
 * workloads (tests/commands/scripting_libs_test.ts) run them against
 * resplite and a real redis-server.
 *
 * Times are passed in by the caller (ARGV), never read from the server
 * clock, so two servers given the same calls end with the same data.
 *
 * @module
 */

/**
 * Releases a lock only if it still holds the caller's token
 * (compare-and-delete): KEYS[1] the lock, ARGV[1] the token. Replies 1
 * when it deleted the lock, 0 otherwise.
 */
export const REDLOCK_RELEASE = `-- release a lock held with our token
if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("DEL", KEYS[1])
end
return 0
`;

/**
 * Extends a lock only if it still holds the caller's token
 * (compare-and-pexpire): KEYS[1] the lock, ARGV[1] the token, ARGV[2] the
 * new time to live in milliseconds. Replies 1 when extended, 0 otherwise.
 */
export const REDLOCK_EXTEND = `-- extend a lock held with our token
local holder = redis.call("GET", KEYS[1])
if holder ~= ARGV[1] then
  return 0
end
return redis.call("PEXPIRE", KEYS[1], ARGV[2])
`;

/**
 * A sliding-window rate limiter on a sorted set of request ids scored by
 * time: KEYS[1] the window, ARGV[1] now (ms), ARGV[2] the window length
 * (ms), ARGV[3] the limit, ARGV[4] this request's id. Replies `{allowed
 * (1/0), remaining, requests in the window}`.
 */
export const RATE_LIMIT = `-- sliding window: drop what fell out, count, maybe admit
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
if not now or not window or not limit then
  return redis.error_reply("ERR rate limiter arguments must be numbers")
end
redis.call("ZREMRANGEBYSCORE", KEYS[1], "-inf", now - window)
local used = redis.call("ZCARD", KEYS[1])
if used >= limit then
  return {0, 0, used}
end
redis.call("ZADD", KEYS[1], now, ARGV[4])
redis.call("PEXPIRE", KEYS[1], window)
return {1, limit - used - 1, used + 1}
`;

/**
 * A token bucket on a hash (`tokens`, `ts`): KEYS[1] the bucket, ARGV[1]
 * the capacity, ARGV[2] milliseconds per new token, ARGV[3] now (ms),
 * ARGV[4] tokens wanted. Replies `{granted (1/0), tokens left}`.
 */
export const TOKEN_BUCKET = `-- token bucket refilled by whole tokens since the last refill
local capacity = tonumber(ARGV[1])
local every = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local wanted = tonumber(ARGV[4])
local state = redis.call("HMGET", KEYS[1], "tokens", "ts")
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil then
  tokens = capacity
  ts = now
end
local gained = math.floor(math.max(0, now - ts) / every)
if gained > 0 then
  tokens = math.min(capacity, tokens + gained)
  ts = ts + gained * every
end
local granted = 0
if tokens >= wanted then
  tokens = tokens - wanted
  granted = 1
end
redis.call("HSET", KEYS[1], "tokens", tokens, "ts", ts)
redis.call("PEXPIRE", KEYS[1], capacity * every * 2)
return {granted, tokens}
`;

/**
 * Adds a job (BullMQ style). KEYS: [1] id counter, [2] wait list, [3]
 * delayed set, [4] events stream, [5] paused list, [6] meta hash. ARGV:
 * [1] job key prefix, [2] name, [3] data (JSON), [4] delay (ms), [5]
 * timestamp (ms). The job goes to the delayed set scored by its due time,
 * to the paused list when the meta hash says `paused`, else to the head of
 * the wait list; an event is appended and `<prefix>added` published.
 * Replies the job id.
 */
export const ADD_JOB = `-- add a job: new id, job hash, queue it, tell listeners
local id = redis.call("INCR", KEYS[1])
local jobKey = ARGV[1] .. id
local delay = tonumber(ARGV[4])
local timestamp = tonumber(ARGV[5])
redis.call("HMSET", jobKey, "name", ARGV[2], "data", ARGV[3],
  "timestamp", timestamp, "delay", delay, "attemptsMade", 0)
if delay > 0 then
  redis.call("ZADD", KEYS[3], timestamp + delay, id)
  redis.call("XADD", KEYS[4], "MAXLEN", "~", 10000, "*",
    "event", "delayed", "jobId", id, "delay", timestamp + delay)
else
  local target = KEYS[2]
  if redis.call("HEXISTS", KEYS[6], "paused") == 1 then
    target = KEYS[5]
  end
  redis.call("LPUSH", target, id)
  redis.call("XADD", KEYS[4], "MAXLEN", "~", 10000, "*", "event", "waiting", "jobId", id)
end
redis.call("PUBLISH", ARGV[1] .. "added", id)
return id .. ""
`;

/**
 * Takes the next job (BullMQ style). KEYS: [1] wait list, [2] active
 * list, [3] job key prefix, [4] events stream. ARGV: [1] lock token, [2]
 * lock time (ms), [3] timestamp (ms). Moves the oldest waiting id to the
 * active list, locks the job (`<prefix><id>:lock`, SET PX), stamps
 * `processedOn` and counts the attempt. Replies `{id, job fields...}`, or
 * nil when nothing waits.
 */
export const MOVE_TO_ACTIVE = `-- take the oldest waiting job and lock it
local id = redis.call("LMOVE", KEYS[1], KEYS[2], "RIGHT", "LEFT")
if not id then
  return nil
end
local jobKey = KEYS[3] .. id
redis.call("SET", jobKey .. ":lock", ARGV[1], "PX", ARGV[2])
redis.call("HSET", jobKey, "processedOn", ARGV[3])
redis.call("HINCRBY", jobKey, "attemptsStarted", 1)
redis.call("XADD", KEYS[4], "*", "event", "active", "jobId", id, "prev", "waiting")
local reply = {id}
local fields = redis.call("HGETALL", jobKey)
for i = 1, #fields do
  reply[#reply + 1] = fields[i]
end
return reply
`;

/**
 * Finishes an active job (BullMQ style). KEYS: [1] active list, [2]
 * completed set, [3] job key prefix, [4] events stream, [5] the job's
 * lock. ARGV: [1] job id, [2] lock token, [3] return value (JSON), [4]
 * timestamp (ms). Replies 0 when done, -2 when the lock is gone, -6 when
 * another token holds it, -3 when the job is not active.
 */
export const MOVE_TO_FINISHED = `-- finish a job we hold the lock of
local holder = redis.call("GET", KEYS[5])
if not holder then
  return -2
end
if holder ~= ARGV[2] then
  return -6
end
if redis.call("LREM", KEYS[1], -1, ARGV[1]) == 0 then
  return -3
end
local jobKey = KEYS[3] .. ARGV[1]
redis.call("ZADD", KEYS[2], ARGV[4], ARGV[1])
redis.call("HSET", jobKey, "returnvalue", ARGV[3], "finishedOn", ARGV[4])
redis.call("XADD", KEYS[4], "*", "event", "completed", "jobId", ARGV[1],
  "returnvalue", ARGV[3])
redis.call("DEL", KEYS[5])
return 0
`;
