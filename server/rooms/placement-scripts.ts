import type { ClientContext, Result } from 'ioredis';

/**
 * Placement's state is a handful of keys under one hash tag, so each change below is one
 * Lua script: atomic on a standalone Redis and on a Cluster alike (one slot), with no lock
 * and no cross-slot transaction. Every script takes the same keys:
 *
 *   KEYS[1] hosts    hash hostId → HostRecord JSON (no rooms: those are in route)
 *   KEYS[2] seen     hash hostId → ms of its last register or heartbeat
 *   KEYS[3] suspect  hash hostId → ms its socket closed without a resume
 *   KEYS[4] load     hash hostId → rooms placed on it (kept with route, in the same script)
 *   KEYS[5] route    hash room → "hostId sessionId" (the relay's lookup)
 *   KEYS[6] waiting  set of rooms with no host (the Auto Scaling metric is its size)
 *   KEYS[7] failover set of waiting rooms whose host was lost (may take a standby)
 *   KEYS[8] health   hash hostId → its last heartbeat's {fps, cpu}
 */
export const PLACEMENT_KEY_COUNT = 8;

const LOAD_HOSTS = `
local function map(key)
  local t, raw = {}, redis.call('HGETALL', key)
  for i = 1, #raw, 2 do t[raw[i]] = raw[i + 1] end
  return t
end
`;

/**
 * ARGV: now, host timeout ms, '1' when the rooms are new (else ''), rooms to place (in
 * order). A new room joins the waiting set here, and only if no host takes it: a room
 * that a host has room for is never seen waiting (the Auto Scaling metric is that set's
 * size, and a scrape between an SADD and this script counted rooms that never waited).
 * Each room still waiting and not routed goes to the live, unsuspected host that is the
 * least full (rooms / capacity, half of this room counted; ties: the most free capacity,
 * then the smaller host id), so hosts of different sizes fill at the same rate — by most free capacity alone, a 16-room host took
 * every room until it was down to a 4-room host's free capacity (bench:fleet). A room that
 * lost its host prefers a standby, a new room never takes one. Returns room, hostId,
 * sessionId for each room looked at ('' '' when it keeps waiting).
 */
export const PLACE = `${LOAD_HOSTS}
local now, timeout = tonumber(ARGV[1]), tonumber(ARGV[2])
local seen, sus, load = map(KEYS[2]), map(KEYS[3]), map(KEYS[4])
local hosts = {}
local raw = redis.call('HGETALL', KEYS[1])
for i = 1, #raw, 2 do
  local id = raw[i]
  local at = tonumber(seen[id] or '0')
  if sus[id] == nil and now - at <= timeout then
    local h = cjson.decode(raw[i + 1])
    hosts[#hosts + 1] = { id = id, session = h.sessionId, capacity = h.capacity, free = h.capacity - tonumber(load[id] or '0'), standby = h.standby == true }
  end
end
local fresh = ARGV[3] == '1'
local out = {}
for i = 4, #ARGV do
  local room = ARGV[i]
  if (fresh or redis.call('SISMEMBER', KEYS[6], room) == 1) and redis.call('HEXISTS', KEYS[5], room) == 0 then
    local rescue = redis.call('SISMEMBER', KEYS[7], room) == 1
    local best = nil
    for _, h in ipairs(hosts) do
      if h.free > 0 and (rescue or not h.standby) then
        local better = best == nil
        if not better then
          -- (load + 1/2) / capacity, compared without dividing: Sainte-Laguë's rule, which
          -- favours neither big nor small hosts ((load + 1), "fill after taking it", put the
          -- biggest a room over their share halfway through bench:fleet's load).
          local mine = (2 * (h.capacity - h.free) + 1) * best.capacity
          local theirs = (2 * (best.capacity - best.free) + 1) * h.capacity
          if rescue and h.standby ~= best.standby then better = h.standby
          elseif mine ~= theirs then better = mine < theirs
          elseif h.free ~= best.free then better = h.free > best.free
          else better = h.id < best.id end
        end
        if better then best = h end
      end
    end
    if best then
      redis.call('HSET', KEYS[5], room, best.id .. ' ' .. best.session)
      redis.call('HINCRBY', KEYS[4], best.id, 1)
      redis.call('SREM', KEYS[6], room)
      redis.call('SREM', KEYS[7], room)
      best.free = best.free - 1
      out[#out + 1] = room; out[#out + 1] = best.id; out[#out + 1] = best.session
    else
      redis.call('SADD', KEYS[6], room)
      out[#out + 1] = room; out[#out + 1] = ''; out[#out + 1] = ''
    end
  end
end
return out
`;

/**
 * ARGV: hostId, HostRecord JSON, sessionId, now. The host is alive and unsuspected; when it
 * comes back on a new session its rooms are routed to that session. Its load is recounted
 * from the routes. Returns [1 if the session changed, rooms of the host…].
 */
export const REGISTER = `
local id, session = ARGV[1], ARGV[3]
local prev = redis.call('HGET', KEYS[1], id)
redis.call('HSET', KEYS[1], id, ARGV[2])
redis.call('HSET', KEYS[2], id, ARGV[4])
redis.call('HDEL', KEYS[3], id)
local changed = 0
if prev and cjson.decode(prev).sessionId ~= session then changed = 1 end
local out = { changed }
local routes = redis.call('HGETALL', KEYS[5])
for i = 1, #routes, 2 do
  local host = string.match(routes[i + 1], '^(%S+)')
  if host == id then
    out[#out + 1] = routes[i]
    if changed == 1 then redis.call('HSET', KEYS[5], routes[i], id .. ' ' .. session) end
  end
end
redis.call('HSET', KEYS[4], id, #out - 1)
return out
`;

/**
 * ARGV: now, host timeout ms, grace ms. Drops hosts silent past the timeout or suspect past
 * the grace; their rooms wait again (as failover rooms). Returns, per lost host:
 * hostId, n, its n rooms.
 */
export const SWEEP = `${LOAD_HOSTS}
local now, timeout, grace = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local seen, sus = map(KEYS[2]), map(KEYS[3])
local lost = {}
for _, id in ipairs(redis.call('HKEYS', KEYS[1])) do
  local at = tonumber(seen[id] or '0')
  local left = sus[id] and tonumber(sus[id])
  if now - at > timeout or (left ~= nil and now - left >= grace) then lost[id] = {} end
end
if next(lost) == nil then return {} end
local routes = redis.call('HGETALL', KEYS[5])
for i = 1, #routes, 2 do
  local host = string.match(routes[i + 1], '^(%S+)')
  local rooms = lost[host]
  if rooms then
    rooms[#rooms + 1] = routes[i]
    redis.call('HDEL', KEYS[5], routes[i])
    redis.call('SADD', KEYS[6], routes[i])
    redis.call('SADD', KEYS[7], routes[i])
  end
end
local out = {}
for id, rooms in pairs(lost) do
  for k = 1, 4 do redis.call('HDEL', KEYS[k], id) end
  redis.call('HDEL', KEYS[8], id)
  out[#out + 1] = id
  out[#out + 1] = #rooms
  for _, r in ipairs(rooms) do out[#out + 1] = r end
end
return out
`;

/** ARGV: room. No longer placed nor waiting; returns the route it had, or nil. */
export const RELEASE = `
redis.call('SREM', KEYS[6], ARGV[1])
redis.call('SREM', KEYS[7], ARGV[1])
local r = redis.call('HGET', KEYS[5], ARGV[1])
if not r then return false end
redis.call('HDEL', KEYS[5], ARGV[1])
local host = string.match(r, '^(%S+)')
if redis.call('HEXISTS', KEYS[4], host) == 1 then redis.call('HINCRBY', KEYS[4], host, -1) end
return r
`;

type Keys8 = [string, string, string, string, string, string, string, string];

declare module 'ioredis' {
  interface RedisCommander<Context extends ClientContext = { type: 'default' }> {
    livehostPlace(...args: [...Keys8, number, number, '1' | '', ...string[]]): Result<string[], Context>;
    livehostRegisterHost(...args: [...Keys8, string, string, string, number]): Result<Array<string | number>, Context>;
    livehostSweepHosts(...args: [...Keys8, number, number, number]): Result<Array<string | number>, Context>;
    livehostReleaseRoom(...args: [...Keys8, string]): Result<string | null, Context>;
  }
}
