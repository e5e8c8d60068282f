import assert from "node:assert/strict";
import { RawClient } from "../support/raw_client.ts";
import { hasRedisServer, startRealRedis } from "../support/server.ts";
import {
  _internals,
  formatLuaNumber,
  type LuaHost,
  LuaVm,
  type RunOptions,
} from "../../src/scripting/vm.ts";
import { sha1Hex } from "../../src/store/sha1.ts";
import { ReplyEncoder } from "../../src/resp/encoder.ts";
import { array, bulk, bulks, integer, NIL, type Reply, simple } from "../../src/resp/reply.ts";

function encode(reply: Reply, resp: 2 | 3): string {
  const enc = new ReplyEncoder();
  enc.write(reply, resp);
  let s = "";
  for (const b of enc.view()) s += String.fromCharCode(b);
  return s;
}

const ALL_BYTES = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join("");

/** Data loaded on the real server; the fake host answers the same commands. */
const SETUP = [
  ["SET", "s", "x"],
  ["HSET", "h", "a", "1"],
  ["SADD", "st", "m"],
  ["RPUSH", "l", "a", "b"],
  ["ZADD", "z", "1.5", "m"],
];

const fakeHost: LuaHost = {
  call(args: string[], resp: 2 | 3): Reply {
    if (args[0]?.toUpperCase() === "ECHO" && args.length === 2) return bulk(args[1]!);
    const key = args.join(" ").toUpperCase();
    switch (key) {
      case "PING":
        return simple("PONG");
      case "GET S":
        return bulk("x");
      case "GET NOKEY":
        return NIL;
      case "INCR S":
        return { kind: "error", message: "ERR value is not an integer or out of range" };
      case "HGETALL H":
        return { kind: "map", entries: [[bulk("a"), bulk("1")]] };
      case "SMEMBERS ST":
        return { kind: "set", items: [bulk("m")] };
      case "LRANGE L 0 -1":
        return bulks(["a", "b"]);
      case "ZSCORE Z M":
        return { kind: "double", value: 1.5 };
      case "ZRANGE Z 0 -1 WITHSCORES":
        return resp === 3
          ? array([array([bulk("m"), { kind: "double", value: 1.5 }])])
          : bulks(["m", "1.5"]);
      case "EXISTS S":
        return integer(1);
      case "LPOS L C":
        return NIL;
      case "NOSUCH":
        return { kind: "error", message: "ERR Unknown Redis command called from script" };
      default:
        return { kind: "error", message: `ERR fake host: ${args.join(" ")}` };
    }
  },
};

/**
 * Runs a script and decorates a raised error as the command layer does
 * (` script: <sha>, on <where>.`).
 */
function decorated(vm: LuaVm, body: string, options: RunOptions = {}): Reply {
  const c = vm.compile(body);
  if (!c.ok) return { kind: "error", message: c.message };
  try {
    const run = vm.start(c.ref, { host: fakeHost, ...options });
    let reply = run.resume();
    while (reply === undefined) reply = run.resume();
    if (reply.kind === "error" && run.where !== undefined) {
      return {
        kind: "error",
        message: `${reply.message} script: ${sha1Hex(body)}, on ${run.where}.`,
      };
    }
    return reply;
  } finally {
    vm.release(c.ref);
  }
}

/** Scripts whose reply must be byte-identical to real Redis's. */
const EXACT: string[] = [
  "return 1",
  "return 3.9",
  "return -3.9",
  "return 1e300",
  "return -1e300",
  "return 0/0",
  "return math.huge",
  "return 2147483647 + 2",
  "return 2^53 + 1",
  "return 9007199254740993",
  "return 'hello'",
  "return ''",
  "return true",
  "return false",
  "return nil",
  "return {1, 2, nil, 3}",
  "return {1, {2, 'x', {false, true}}, 'y'}",
  "return {}",
  "return {err = 'bad'}",
  "return {err = '-X y'}",
  "return {err = 'a\\r\\nb'}",
  "return {ok = 'fine'}",
  "return {ok = 'a\\r\\nb'}",
  "return {ok = 1}",
  "return {double = 3.5}",
  "return {double = 0.1}",
  "return {double = 1/0}",
  "return {big_number = '123456789012345678901234567890'}",
  "return {map = {a = 1}}",
  "return {verbatim_string = {format = 'txt', string = 'x\\r\\ny'}}",
  "return {verbatim_string = {format = 'txt'}}",
  "return {verbatim_string = 'x', 7}",
  "local t = {} local c = t for i = 1, 100 do c[1] = {} c = c[1] end return t",
  "return {1, 2, n = 3}",
  "return {set = {x = true}}",
  "return {map = {a = {1, 2}}, 'ignored'}",
  "return redis.error_reply('E1')",
  "return redis.error_reply('ERR x')",
  "return redis.status_reply('OK')",
  "return tostring(3.0) .. ' ' .. tostring(1e15) .. ' ' .. tostring(0.1) .. ' ' .. (10 / 3)",
  "return tostring(2^53) .. ' ' .. tostring(1/0) .. ' ' .. tostring(-1/0) .. ' ' .. (2^31)",
  "return tostring(1e14) .. ' ' .. tostring(123456789012345) .. ' ' .. tostring(0.0001) .. ' ' .. tostring(0.00001)",
  "return tostring(-2.5) .. ' ' .. 1e-310 .. ' ' .. 12345678901234.5 .. ' ' .. 100000000000000",
  "return string.format('%s %5.2f %d %x', 7.0, 2.5, 3, 255)",
  "return tostring(0xff) .. ' ' .. tostring(0xffffffff) .. ' ' .. tonumber('0x10') .. ' ' .. tonumber('  12  ')",
  "return tostring(tonumber('1e3')) .. ' ' .. ('10' + 5) .. ' ' .. 7 % 3 .. ' ' .. -7 % 3 .. ' ' .. 7.5 % 2",
  "return {unpack({1, 2, 3})}",
  "return loadstring('return 1 + 1')()",
  "return table.getn({1, 2, 3})",
  "return table.maxn({1, 2, [7] = 3})",
  "return math.mod(7, 3)",
  "return math.pow(2, 10)",
  "return math.ldexp(1, 4)",
  "return math.log10(1000)",
  "return gcinfo() > 0",
  "local n = 0 for w in string.gfind('a b c', '%a') do n = n + 1 end return n",
  "local t = {} table.foreachi({'a', 'b'}, function(i, v) t[#t + 1] = v .. i end) return t",
  "return _VERSION",
  "return tostring(getmetatable('').__index == string)",
  "return getmetatable(_G)",
  "return getmetatable(string) == nil",
  "local n = 0 for k in pairs(math) do n = n + 1 end return n > 10",
  "local t = rawset({}, 'a', 1) return t.a",
  "return setmetatable({}, {__index = function() return 5 end}).x",
  "return ('abc'):upper()",
  "return {type(unpack), type(loadstring), type(coroutine), type(load), type(select), type(collectgarbage)}",
  "return {rawget(_G, 'io'), rawget(_G, 'print'), rawget(_G, 'os'), rawget(_G, 'require')}",
  "return {rawget(_G, 'setfenv'), rawget(_G, 'getfenv'), rawget(_G, 'debug'), rawget(_G, 'package')}",
  "return {rawget(_G, 'loadfile'), rawget(_G, 'dofile'), rawget(_G, 'module'), rawget(_G, 'newproxy')}",
  "return {math.type, math.tointeger, math.maxinteger, string.pack, table.move, rawget(_G, 'utf8')}",
  "return KEYS[1] .. ARGV[1] .. #KEYS .. #ARGV",
  "return ARGV",
  "return {#ARGV[2], ARGV[2] == ARGV[3]}",
  "local t = {} for i = 0, 255 do t[#t + 1] = string.char(i) end return table.concat(t) == ARGV[2]",
  "local t = {} for i = 0, 255 do t[#t + 1] = string.char(i) end return table.concat(t)",
  "return {string.byte(ARGV[2], 1, 3), string.byte(ARGV[2], 255, 256)}",
  "local t = {} for i = 1, 10 do t[i] = i * 1.5 end return t",
  "local s = 0 for i = 1, 10 do s = s + i end return s",
  "return #'abc' * 1000000000",
  "return pcall(function() error({err = 'inner'}) end)",
  "local ok, e = pcall(function() local x = nil; return x.y end) return ok",
  "return select('#', 1, 2, 3)",
  "return redis.call('PING')",
  "return redis.call('GET', 's')",
  "return redis.call('GET', 'nokey')",
  "return {redis.call('GET', 'nokey')}",
  "return redis.pcall('INCR', 's')",
  "return redis.call('HGETALL', 'h')",
  "return redis.call('SMEMBERS', 'st')",
  "return redis.call('LRANGE', 'l', 0, -1)",
  "return redis.call('ZSCORE', 'z', 'm')",
  "return redis.call('ZRANGE', 'z', 0, -1, 'WITHSCORES')",
  "return redis.call('EXISTS', 's')",
  "return type(redis.call('GET', 'nokey'))",
  "local e = redis.pcall('INCR', 's') return e.err",
  "redis.setresp(3) return redis.call('HGETALL', 'h')",
  "redis.setresp(3) return redis.call('SMEMBERS', 'st')",
  "redis.setresp(3) return redis.call('ZSCORE', 'z', 'm')",
  "redis.setresp(3) return redis.call('ZRANGE', 'z', 0, -1, 'WITHSCORES')",
  "redis.setresp(3) return redis.call('GET', 'nokey')",
  "redis.setresp(3) return type(redis.call('GET', 'nokey'))",
  "redis.setresp(3) return redis.call('PING')",
  "redis.setresp(3) return redis.call('LRANGE', 'l', 0, -1)",
  "redis.setresp(3) local m = redis.call('HGETALL', 'h') return m.map.a",
  "redis.setresp(3) local s = redis.call('SMEMBERS', 'st') return tostring(s.set.m)",
  "redis.setresp(3) local d = redis.call('ZSCORE', 'z', 'm') return tostring(d.double)",
  "return redis.sha1hex('abc')",
  "return redis.sha1hex('')",
  "return {redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING}",
  "redis.log(redis.LOG_DEBUG, 'x', 1) return 1",
  "redis.setresp(3) return true",
  "redis.setresp(3) return false",
  "redis.setresp(3) return {true, false, 1}",
  "redis.setresp(3) return nil",
  // Redis 7.0's pcall gives an error table's err field
  "local ok, e = pcall(function() redis.call('INCR', 's') end) return {type(e), e}",
  "local ok, e = pcall(redis.call, 'INCR', 's') return {type(e), e}",
  "local ok, e = pcall(error, {err = 'x'}) return {type(e), e}",
  "local ok, e = pcall(error, {err = 5}) return {type(e), e}",
  "local ok, e = pcall(error, {}) return type(e)",
  "local ok, e = pcall(function() redis.setresp(9) end) return e",
  "local ok, e = pcall(error, 'q') return e",
  "local ok, e = pcall(error, 5) return {type(e), e}",
  "local ok, e = pcall(function() error(5) end) return {type(e), e}",
  "return {pcall(function() return 1, 2 end)}",
  "return select('#', pcall(error))",
  "local ok, e = xpcall(function() error({err = 'x'}) end, function(e) return e end) return type(e)",
  // 5.1's type error wording, pcall'd too
  "local x; return select(2, pcall(function() return x + 1 end))",
  "local t = {} return select(2, pcall(function() return t.a.b end))",
  "local x; return select(2, pcall(function() return x .. 'a' end))",
  "local x; return select(2, pcall(function() return #x end))",
  "local t = {} return select(2, pcall(function() return t:nomethod() end))",
  "return select(2, pcall(function() return ({}) + 1 end))",
  "local ok, e = pcall(function() local f; f() end) return e",
  // Lua 5.1's table order
  "local t = {} for k, v in pairs({'a', 'b', 'c', x = 1, y = 2}) do t[#t + 1] = k end return t",
  "return cjson.encode({name = 'x', delay = 5, attempts = 3, priority = 1, jobId = '12'})",
  "local t = {} for i = 10, 1, -1 do t[i] = i end local o = {} for k in pairs(t) do o[#o + 1] = k end return o",
  "return {#{1, nil, 3}, #{nil, nil, 3}, #{1, 2, nil}}",
  // 5.1's library functions truncate number arguments
  "return {string.sub('hello', 1.5, 3.7), string.rep('ab', 2.9), string.byte('abc', 1.9), string.char(65.7)}",
  "return {table.concat({1, 2, 3}, ',', 1.5, 2.5), select(1.5, 'a', 'b'), ('x'):rep(-1.5)}",
  "return {string.sub('hello', -2.5), string.sub('hello', '2.5'), string.sub('hello', '-2.5'), 7 % 2.5}",
  "return {string.sub('hello', 0/0), string.sub('hello', 1, 1e10), string.rep('x', 0/0), string.rep('x', -1e10)}",
  // numbers reach commands as %.17g
  "return redis.call('ECHO', 0.1)",
  "return redis.call('ECHO', 2^53)",
  "return redis.call('ECHO', 1/3)",
  "return redis.call('ECHO', 1e15)",
  "return redis.call('ECHO', -0.0)",
  "return redis.call('ECHO', 1/0)",
  "return redis.call('ECHO', -1/0)",
  "return redis.call('ECHO', 0/0)",
  "return redis.call('ECHO', 3)",
  // 5.1's math and table functions, and Redis's math.random
  "local t = {} for _, n in ipairs({'_G', 'string', 'table', 'math', 'coroutine'}) do local l = {} for k, v in pairs(n == '_G' and _G or _G[n]) do l[#l + 1] = k .. ':' .. type(v) end table.sort(l) t[#t + 1] = n .. '=' .. table.concat(l, ',') end return t",
  "return {math.random(1000000), math.random(1000000), math.random(5, 10), math.random(-5, 5), math.random(1.9)}",
  "return tostring(math.random())",
  "math.randomseed(42) return {math.random(1000000), math.random(1000000)}",
  "math.randomseed(-7) return tostring(math.random())",
  "return {pcall(math.random, 0)}",
  "return {pcall(math.random, 3, 1)}",
  "return {pcall(math.random, 1, 2, 3)}",
  "return {pcall(math.random, 2^31)}",
  "return math.log(8, 2)",
  "return tostring(math.log(8, 2)) .. ' ' .. tostring(math.log10(1000)) .. ' ' .. tostring(math.atan2(1, 2))",
  "return tostring(math.cosh(1)) .. ' ' .. tostring(math.sinh(1)) .. ' ' .. tostring(math.tanh(1))",
  "local m, e = math.frexp(8) local m2, e2 = math.frexp(-0.3) local m3, e3 = math.frexp(0) return tostring(m) .. ' ' .. e .. ' ' .. m2 .. ' ' .. e2 .. ' ' .. m3 .. ' ' .. e3",
  "local m, e = math.frexp(1e-310) return tostring(m) .. ' ' .. e",
  "return tostring(math.ldexp(0.5, 1024)) .. ' ' .. tostring(math.ldexp(1, -1074)) .. ' ' .. math.ldexp(3, 2)",
  "return {table.getn({1, 2, 3}), table.maxn({1, 2, [7.5] = 3}), table.maxn({})}",
  "return select(2, pcall(table.getn))",
  "return select(2, pcall(table.setn, {}))",
  "return select(2, pcall(math.pow, 'x'))",
  "return {select(2, pcall(math.pow, 'x', 1)), select(2, pcall(math.atan2, 1)), select(2, pcall(math.ldexp, 1))}",
  "return {select(2, pcall(math.fmod, 'x')), select(2, pcall(math.mod, 1)), math.fmod(-7, 3), math.mod(7.5, 2)}",
  "return {rawget(_G, 'redis') ~= nil, rawget(string, 'rep') ~= nil, rawget(_G, 'KEYS') ~= nil}",
  "return {type(next(_G)), type(next(string)), type(next(cjson)), next({}, nil)}",
  "return rawequal(_G, _G)",
  "return type(__redis__err__handler)",
  "return __redis__err__handler('x')",
  // reply helpers with bad arguments return an error table
  "return redis.error_reply()",
  "return redis.error_reply(5)",
  "return redis.status_reply({})",
  "return type(redis.error_reply())",
  "return redis.error_reply('')",
  "return redis.status_reply('')",
  "return redis.sha1hex(5)",
  "return redis.sha1hex({})",
  "return redis.setresp(2.5)",
  "return redis.setresp('3')",
  // the rest of the redis table
  "return {redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL}",
  "redis.set_repl(redis.REPL_ALL) return 1",
  "redis.set_repl(1.5) return 1",
  "return redis.set_repl('x')",
  "return {pcall(redis.set_repl, 9)}",
  "return {pcall(redis.set_repl)}",
  "return redis.replicate_commands()",
  "return type(redis.replicate_commands(1))",
  "return redis.breakpoint()",
  "return type(redis.breakpoint())",
  "return select('#', redis.debug('x', 1))",
  "return redis.acl_check_cmd('get', 'x')",
  "return {redis.REDIS_VERSION, redis.REDIS_VERSION_NUM}",
  "local t = {} for k in pairs(redis) do t[#t + 1] = k end table.sort(t) return t",
  "return type(redis.register_function)",
  // the libraries, through the VM
  "local r = {} for _, n in ipairs({'cjson', 'cmsgpack', 'bit', 'struct'}) do local t = {} for k, v in pairs(_G[n]) do t[#t + 1] = k .. ':' .. type(v) end table.sort(t) r[#r + 1] = n .. '=' .. table.concat(t, ',') end return r",
  "return cjson.encode({1, 2, 'x', {a = {b = true}}, cjson.null})",
  "return cjson.encode(ARGV[2])",
  'local t = cjson.decode(\'[1, 2.5, "x", null, {"a": [true, false]}]\') return {t[1], t[2], t[3], t[4] == cjson.null, t[5].a[1], t[5].a[2]}',
  "return {cjson.decode('[1,2,null]')}",
  "return cjson.decode('null') == cjson.null",
  "return {type(cjson.null), tostring(cjson.null)}",
  "return cjson.encode(1/3) .. ' ' .. cjson.encode(1e300) .. ' ' .. cjson.encode(-0)",
  "local c = cjson.new() c.encode_number_precision(3) return {c.encode(1/3), cjson.encode(1/3)}",
  "local c = cjson.new() c.x = 1 return c.x",
  "return {cjson._NAME, cjson._VERSION, cmsgpack._VERSION, cmsgpack._NAME}",
  "return select(2, pcall(cjson.decode, '{'))",
  "return select(2, pcall(cjson.encode, function() end))",
  "return cmsgpack.pack({1, 2, 3}, 'abc', 1.5, -1, 2^40, true, nil)",
  "return {cmsgpack.unpack(cmsgpack.pack(1, 'a', {10, 20}, false))}",
  "return {cmsgpack.unpack_one(cmsgpack.pack(7, 8, 9))}",
  "return {cmsgpack.unpack_limit(cmsgpack.pack(7, 8, 9), 2)}",
  "return cmsgpack.pack(ARGV[2])",
  "return {bit.band(0xff, 0x0f), bit.bor(1, 2), bit.bxor(5, 3), bit.bnot(0), bit.lshift(1, 31), bit.rshift(-1, 28), bit.arshift(-256, 4), bit.rol(1, 33), bit.ror(1, 1), bit.bswap(1)}",
  "return {bit.tohex(255), bit.tohex(-1, -4), bit.tobit(2^31), bit.band(1.5)}",
  "return struct.pack('>I2i4bB', 258, -2, -1, 255) .. struct.pack('<d', 1.5) .. struct.pack('s', 'ab')",
  "return {struct.unpack('>I2', 'ab')}",
  "return {struct.unpack('<i4', struct.pack('<i4', -123456))}",
  "return {struct.size('>I2i4d'), struct.size('c10')}",
  "local t = {} t[1] = t return select(2, pcall(cjson.encode, t))",
];

/**
 * Scripts that fail: real Redis answers `-` + our message +
 * ` script: <sha>, on @user_script:<n>.` (runtime) or
 * `-ERR Error compiling script (new function): ` + our message (compile).
 */
const FAILING: string[] = [
  "x = 1",
  "_G.x = 1",
  "redis = 1",
  "string.x = 1",
  "redis.call = nil",
  "math.pi = 3",
  "table.x = 1",
  "return rawset(_G, 'x', 1)",
  "rawset(string, 'x', 1)",
  "setmetatable(_G, {})",
  "return y",
  "return _G.zz",
  "error('boom')",
  "\nerror('on line 2')",
  "return error({err = 'x'})",
  "return error({err = 'ERR custom'})",
  "return 'a' .. nil",
  "return redis.call('INCR', 's')",
  "return redis.call()",
  "return redis.pcall()",
  "return redis.call({})",
  "return redis.call('GET', true)",
  "return redis.pcall('GET', {})",
  "table.setn({}, 1)",
  "redis.setresp(4)",
  "redis.setresp()",
  "redis.log()",
  "redis.log('x', 'y')",
  "redis.log(9, 'y')",
  "return io.write('x')",
  "print('x')",
  "return os.time()",
  "return require('x')",
  "return setfenv(1, {})",
  "return 1//2",
  "goto x",
  "::a:: return 1",
  "return 1 +",
  "return 'unfinished",
  "local t = {} return t.x.y",
  "local x; return x + 1",
  "local x; return x .. 'a'",
  "local x; return (function() return x.y end)()",
  "return ARGV.x.y",
  "return #nil",
  "return {} < {}",
  "return 1 < 'x'",
  "local t = setmetatable({}, {__index = function() error('deep') end}) return t.x",
  // error values and positions (the decoration's `on <where>`)
  "error(true)",
  "error()",
  "error(5)",
  "error('x', 2)",
  "error('x', 0)",
  "error({err = 5})",
  "error({err = 'x', source = 'S', line = 9})",
  "return error('tail')",
  "return error({err = 'tail'})",
  "return rawset(string, 'x', 1)",
  "return setmetatable(math, {})",
  "return string.rep()",
  "return ('x'):rep()",
  "return table.concat({{}})",
  "local t = {} t[nil] = 1",
  "local f = coroutine.wrap(function() error('in co') end) f()",
  "\nlocal x = 1\nredis.call('nosuch')",
  "\n\nreturn redis.call('nosuch')",
  "local function f()\n  error('in f')\nend\nf()",
  "local function f()\n  return x_missing\nend\nreturn f()",
  "local function f()\n  redis.call('INCR', 's')\nend\n\nf()",
  "local = 1",
  "return 1 end",
  "for",
  "return math.log10('x')",
  "return table.setn({}, 1)",
  "return redis.sha1hex()",
  "return redis.sha1hex(1, 2)",
  // the rest of the redis table
  "redis.set_repl()",
  "redis.set_repl(1, 2)",
  "redis.set_repl(99)",
  "redis.set_repl(-1)",
  "redis.set_repl(4)",
  "return redis.acl_check_cmd()",
  "return redis.acl_check_cmd({})",
  "return redis.acl_check_cmd('get', {})",
  "return redis.register_function('f', function() end)",
  "redis.REPL_ALL = 1",
  // the libraries
  "cjson.x = 1",
  "cjson = 1",
  "bit.band = nil",
  "rawset(cjson, 'x', 1)",
  "return cjson.encode()",
  "return cjson.decode('{')",
  "return cjson.decode('[1,')",
  "return cjson.encode(function() end)",
  "return cjson.encode_number_precision(20)",
  "return cjson.decode()",
  "return bit.tohex()",
  "return bit.band('x')",
  "return struct.pack('>i')",
  "return struct.unpack('>i4', 'ab')",
  "return struct.pack('y', 1)",
  "return cmsgpack.unpack()",
  "return cmsgpack.unpack_limit('a')",
];

Deno.test("formatLuaNumber matches %.14g", () => {
  const cases: [number, string][] = [
    [3, "3"],
    [1e15, "1e+15"],
    [1e14, "1e+14"],
    [123456789012345, "1.2345678901234e+14"],
    [0.1, "0.1"],
    [10 / 3, "3.3333333333333"],
    [0.0001, "0.0001"],
    [0.00001, "1e-05"],
    [-2.5, "-2.5"],
    [2 ** 53, "9.007199254741e+15"],
    [1e300, "1e+300"],
    [Infinity, "inf"],
    [-Infinity, "-inf"],
    [NaN, "-nan"],
    [-0, "-0"],
    [0, "0"],
    [99999999999999.9, "1e+14"],
    [12345678901234.5, "12345678901234"],
  ];
  for (const [n, s] of cases) assert.equal(formatLuaNumber(n), s, String(n));
});

Deno.test("5.1 syntax check skips strings and comments", () => {
  const { check51 } = _internals;
  assert.equal(check51("return '//' .. \"a//b\" -- x // y\n"), null);
  assert.equal(check51("--[==[ // ]==] return [[ & | ~ :: ]]"), null);
  assert.equal(check51("return 1 ~= 2"), null);
  assert.equal(check51("local t = {goto_x = 1} return t.goto_x"), null);
  assert.equal(check51("return 1.5e-3 .. 0x1f"), null);
  assert.equal(check51("\n\nreturn 1 // 2"), "user_script:3: unexpected symbol near '/'");
  assert.equal(check51("return ~1"), "user_script:1: unexpected symbol near '~'");
  assert.equal(check51("return 1 << 2"), "user_script:1: unexpected symbol near '<'");
});

Deno.test("bytes 0-255 round-trip through the VM both ways", () => {
  const vm = new LuaVm();
  try {
    let seen: string[] = [];
    const host: LuaHost = {
      call(args) {
        seen = args;
        return bulk(args[1]!);
      },
    };
    const r = vm.eval("return redis.call('ECHO', ARGV[1])", { argv: [ALL_BYTES], host });
    assert.deepEqual(seen, ["ECHO", ALL_BYTES]);
    assert.deepEqual(r, bulk(ALL_BYTES));
    const body = "return '" + ALL_BYTES.replace(/[\\'\r\n]/g, (c) => `\\${c.charCodeAt(0)}`) +
      "'";
    assert.deepEqual(vm.eval(body), bulk(ALL_BYTES));
  } finally {
    vm.close();
  }
});

Deno.test("redis.call number arguments use %.17g; redis.log reaches the host", () => {
  const vm = new LuaVm();
  try {
    let seen: string[] = [];
    const logs: [number, string][] = [];
    const host: LuaHost = {
      call(args) {
        seen = args;
        return simple("OK");
      },
      log(level, message) {
        logs.push([level, message]);
      },
    };
    vm.eval("redis.call('SET', 1.5, 3, 1e15, 2^53) redis.log(redis.LOG_WARNING, 'a', 2)", {
      host,
    });
    assert.deepEqual(seen, ["SET", "1.5", "3", "1000000000000000", "9007199254740992"]);
    assert.deepEqual(logs, [[3, "a 2"]]);
  } finally {
    vm.close();
  }
});

Deno.test("interrupt hook aborts a busy script, even through pcall", () => {
  const vm = new LuaVm({ hookInterval: 1000 });
  try {
    let checks = 0;
    const r = vm.eval("while true do pcall(function() while true do end end) end", {
      interrupt: () => ++checks >= 5 ? "ERR Script killed by user with SCRIPT KILL..." : null,
    });
    assert.deepEqual(r, {
      kind: "error",
      message: "ERR Script killed by user with SCRIPT KILL...",
    });
    assert.ok(checks >= 5);
    // the VM stays usable, and the hook is off again
    assert.deepEqual(vm.eval("return 7"), integer(7));
  } finally {
    vm.close();
  }
});

Deno.test("compiled scripts are kept and reusable; state is per VM", () => {
  const a = new LuaVm();
  const b = new LuaVm();
  try {
    const c = a.compile("return #ARGV");
    assert.ok(c.ok);
    if (!c.ok) return;
    assert.deepEqual(a.run(c.ref, { argv: ["1", "2"] }), integer(2));
    assert.deepEqual(a.run(c.ref, {}), integer(0));
    a.release(c.ref);
    assert.deepEqual(b.eval("return KEYS[1]"), NIL);
    assert.deepEqual(a.compile("return +"), {
      ok: false,
      message: "user_script:1: unexpected symbol near '+'",
    });
    a.close();
    assert.throws(() => a.eval("return 1"), /closed/);
  } finally {
    a.close();
    b.close();
  }
});

Deno.test({
  name: "script results convert as real Redis 7.0.15 (RESP2 and RESP3)",
  ignore: !hasRedisServer(),
  async fn() {
    await using real = await startRealRedis();
    const c = await RawClient.connect(real.port);
    const vm = new LuaVm();
    try {
      for (const cmd of SETUP) await c.call(...cmd);
      const argv = ["a", ALL_BYTES, ALL_BYTES];
      for (const resp of [2, 3] as const) {
        await c.call("HELLO", String(resp));
        for (const script of EXACT) {
          const want = await c.call("EVAL", script, "1", "k1", ...argv);
          const got = vm.eval(script, { keys: ["k1"], argv, host: fakeHost });
          assert.equal(encode(got, resp), want, `RESP${resp} ${script}`);
        }
        for (const script of FAILING) {
          const want = await c.call("EVAL", script, "0");
          const got = vm.eval(script, { host: fakeHost });
          assert.equal(got.kind, "error", script);
          if (got.kind !== "error") continue;
          if (want.startsWith("-ERR Error compiling script (new function): ")) {
            assert.equal(
              want,
              `-ERR Error compiling script (new function): ${got.message}\r\n`,
              script,
            );
          } else if (!want.includes(" script: ")) {
            // an error table returned by the script (redis.pcall)
            assert.equal(encode(got, resp), want, script);
          } else {
            assert.equal(encode(decorated(vm, script), resp), want, script);
          }
        }
      }
    } finally {
      vm.close();
      c.close();
    }
  },
});

Deno.test("start/resume: a run yields at interrupt checks when asked, and finishes", () => {
  const vm = new LuaVm({ hookInterval: 1000 });
  try {
    const c = vm.compile("local n = 0\nfor i = 1, 200000 do n = n + 1 end\nreturn n");
    assert.ok(c.ok);
    if (!c.ok) return;
    let yes = true;
    const run = vm.start(c.ref, { shouldYield: () => yes });
    let yields = 0;
    let reply = run.resume();
    while (reply === undefined) {
      yields++;
      if (yields === 5) yes = false;
      reply = run.resume();
    }
    assert.equal(yields, 5);
    assert.deepEqual(reply, integer(200000));
    assert.equal(run.where, undefined);
    assert.throws(() => run.resume(), /already over/);
    // a killed run reports where it stopped, as Redis decorates SCRIPT KILL's error
    const busy = vm.compile("local i = 0\nwhile true do i = i + 1 end");
    assert.ok(busy.ok);
    if (!busy.ok) return;
    let checks = 0;
    const killed = vm.start(busy.ref, {
      interrupt: () => ++checks > 3 ? "ERR Script killed by user with SCRIPT KILL..." : null,
      shouldYield: () => true,
    });
    let r = killed.resume();
    while (r === undefined) r = killed.resume();
    assert.deepEqual(r, {
      kind: "error",
      message: "ERR Script killed by user with SCRIPT KILL...",
    });
    assert.equal(killed.where, "@user_script:2");
    // inside pcall (a C boundary in Redis's terms) the run still yields
    const wrapped = vm.compile(
      "return pcall(function() local n = 0 for i = 1, 50000 do n = n + 1 end return n end)",
    );
    assert.ok(wrapped.ok);
    if (!wrapped.ok) return;
    let ys = 0;
    const w = vm.start(wrapped.ref, { shouldYield: () => ys < 3 });
    let wr = w.resume();
    while (wr === undefined) {
      ys++;
      wr = w.resume();
    }
    assert.equal(ys, 3);
    assert.deepEqual(wr, integer(1));
  } finally {
    vm.close();
  }
});

Deno.test("asFunction: a function ref gets the keys and args tables; errors carry where", () => {
  const vm = new LuaVm();
  try {
    const lib = vm.loadLibrary(
      "#!lua name=l\nredis.register_function('f', function(keys, args)\n" +
        "  if args[1] == 'fail' then error('no') end\n  return {keys[1], args[2], #keys, #args}\nend)",
    );
    assert.ok(lib.ok);
    if (!lib.ok) return;
    const ref = lib.functions[0]!.ref;
    const ok = vm.start(ref, { asFunction: true, keys: ["k"], argv: ["a", "b"] });
    assert.deepEqual(ok.resume(), array([bulk("k"), bulk("b"), integer(1), integer(2)]));
    const bad = vm.start(ref, { asFunction: true, argv: ["fail"] });
    assert.deepEqual(bad.resume(), { kind: "error", message: "ERR user_function:3: no" });
    assert.equal(bad.where, "@user_function:3");
    vm.release(ref);
  } finally {
    vm.close();
  }
});

Deno.test("set_repl and acl_check_cmd reach the host", () => {
  const vm = new LuaVm();
  try {
    const repl: number[] = [];
    const acl: string[][] = [];
    const host: LuaHost = {
      call: () => simple("OK"),
      setRepl: (flags) => repl.push(flags),
      aclCheck: (args) => {
        acl.push(args);
        if (args[0] === "nosuch") return "ERR Invalid command passed to redis.acl_check_cmd()";
        return args[0] === "get";
      },
    };
    assert.deepEqual(
      vm.eval(
        "redis.set_repl(redis.REPL_AOF) redis.set_repl(redis.REPL_NONE) redis.set_repl(2.9) " +
          "pcall(redis.set_repl, 7) return {redis.acl_check_cmd('get', 1.5), redis.acl_check_cmd('set', 'k', 'v')}",
        { host },
      ),
      array([integer(1), NIL]),
    );
    assert.deepEqual(repl, [1, 0, 2]);
    assert.deepEqual(acl, [["get", "1.5"], ["set", "k", "v"]]);
    assert.deepEqual(vm.eval("return redis.acl_check_cmd('nosuch')", { host }), {
      kind: "error",
      message: "ERR Invalid command passed to redis.acl_check_cmd()",
    });
    // without a host callback: every command allowed, set_repl ignored
    assert.deepEqual(vm.eval("redis.set_repl(0) return redis.acl_check_cmd('x')"), integer(1));
  } finally {
    vm.close();
  }
});

Deno.test("cjson configuration is per VM; cjson.new tables are separate", () => {
  const a = new LuaVm();
  const b = new LuaVm();
  try {
    a.eval("cjson.encode_number_precision(3)");
    assert.deepEqual(a.eval("return cjson.encode(1/3)"), bulk("0.333"));
    assert.deepEqual(b.eval("return cjson.encode(1/3)"), bulk("0.33333333333333"));
    assert.deepEqual(
      a.eval("local c = cjson.new() return c.encode(1/3) .. ' ' .. tostring(c.null == cjson.null)"),
      bulk("0.33333333333333 true"),
    );
  } finally {
    a.close();
    b.close();
  }
});

/** string.format items (and errors) compared with real Redis's Lua 5.1 over C's printf. */
const FORMAT_SCRIPT = `
local cases = {
 {'%d', 3}, {'%d', -3.7}, {'%5d|', 42}, {'%-5d|', 42}, {'%05d', -42}, {'%+d', 5}, {'% d', 5}, {'%.3d', 7}, {'%x', 255}, {'%X', 255}, {'%#x', 255}, {'%o', 8}, {'%#o', 8}, {'%x', -1}, {'%u', -1}, {'%d', 2^63}, {'%d', 0/0}, {'%x', 2^64},
 {'%f', 1.5}, {'%.2f', 2.675}, {'%.0f', 2.5}, {'%.0f', 3.5}, {'%10.3f|', -3.14159}, {'%-10.3f|', 3.14159}, {'%010.3f', -3.14159}, {'%+.1f', 2.25}, {'%f', 1e300}, {'%.20f', 0.1}, {'%f', 1/0}, {'%f', -1/0}, {'%f', 0/0}, {'%#.0f', 3},
 {'%e', 12345.678}, {'%.2e', 0}, {'%E', 1e-300}, {'%.0e', 15}, {'%#.0e', 15}, {'%g', 100000}, {'%g', 1000000}, {'%g', 1e-5}, {'%g', 0.0001}, {'%.3g', 1234.5}, {'%#g', 1}, {'%G', 1e-10}, {'%g', 0/0}, {'%G', 1/0}, {'%.17g', 0.1}, {'%.14g', 2^53}, {'%10.4g|', math.pi}, {'%-10g|', 2.5}, {'%g', 5e-324}, {'%.0g', 0.5}, {'%.99f', 1},
 {'%s', 'abc'}, {'%5s|', 'ab'}, {'%-5s|', 'ab'}, {'%.2s', 'abcdef'}, {'%s', 1.5}, {'%s', 1e15}, {'%5s', 'a\\0b'}, {'%q', 'a\\0b\\n"\\\\\\r\\t'}, {'%q', 1/3}, {'%c', 65}, {'%5c|', 66}, {'%c', 0}, {'%c', 256 + 65}, {'%i', 3.9}, {'%%', nil},
 {'%x', 0/0}, {'%x', 1/0}, {'%x', -1/0}, {'%u', -2^63}, {'%u', 2^63}, {'%d', -1/0}, {'%5.3s|', 'abcdef'}, {'%05s|', 'ab'}, {'%+x', 5}, {'%05.1f|', 1/0}, {'%#.3x', 1}, {'%.0d|', 0}, {'%#o', 0}, {'%+5s', 'a'}, {'%e', 0/0}, {'%E', -1/0}, {'%#.3g', 0.0001}, {'%.3g', 0.0001}, {'%g', 123456789}, {'%5c|', 0}, {'%-3c|', 0}, {'%.3f', 1e-7}, {'%.15g', 0.1}, {'%.10e', 1/3}, {'%g', 1e15}, {'%g', 1e16}, {'%.0e', 0.5}, {'%.0f', 0.5}, {'%.0f', 1.5}, {'%5.0f|', -0.4}, {'%s', string.rep('x', 120) .. '\\0y'}, {'%.3s', string.rep('ab', 60)},
}
local out = {}
for i, c in ipairs(cases) do
  local ok, r = pcall(string.format, c[1], c[2])
  out[#out + 1] = i .. '[' .. c[1] .. ']=' .. tostring(ok) .. ':' .. tostring(r)
end
for _, f in ipairs({'%y', '%------d', '%100d', '%.100f', '%', '%5', '%ld'}) do
  local ok, r = pcall(string.format, f, 1)
  out[#out + 1] = '[' .. f .. ']=' .. tostring(ok) .. ':' .. tostring(r)
end
local ok, r = pcall(string.format, '%d') out[#out + 1] = tostring(r)
ok, r = pcall(string.format, '%d', 'x') out[#out + 1] = tostring(r)
ok, r = pcall(string.format, '%s', {}) out[#out + 1] = tostring(r)
ok, r = pcall(string.format) out[#out + 1] = tostring(r)
ok, r = pcall(string.format, '%d', '10') out[#out + 1] = tostring(r)
return table.concat(out, '\\n')
`;

Deno.test({
  name: "string.format matches Redis's (C printf)",
  ignore: !hasRedisServer(),
  async fn() {
    await using real = await startRealRedis();
    const c = await RawClient.connect(real.port);
    const vm = new LuaVm();
    try {
      const want = await c.call("EVAL", FORMAT_SCRIPT, "0");
      assert.ok(want.startsWith("$"), want);
      assert.equal(encode(vm.eval(FORMAT_SCRIPT), 2), want);
    } finally {
      vm.close();
      c.close();
    }
  },
});

Deno.test("a JavaScript exception inside the VM becomes a Lua error; the VM stays usable", () => {
  const vm = new LuaVm();
  try {
    const host: LuaHost = {
      call() {
        throw new Error("boom");
      },
    };
    assert.deepEqual(vm.eval("return redis.call('PING')", { host }), {
      kind: "error",
      message: "ERR internal error: boom",
    });
    assert.deepEqual(
      vm.eval("local ok, e = pcall(redis.call, 'PING') return {tostring(ok), e}", { host }),
      array([bulk("false"), bulk("internal error: boom")]),
    );
    assert.deepEqual(
      vm.eval("pcall(string.rep) return string.format('% d|%+.1f', 5, 2.25)"),
      bulk(" 5|+2.2"),
    );
  } finally {
    vm.close();
  }
});
