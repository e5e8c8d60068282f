import assert from "node:assert/strict";
import { RawClient } from "../support/raw_client.ts";
import { hasRedisServer, startRealRedis } from "../support/server.ts";
import { _internals, formatLuaNumber, type LuaHost, LuaVm } from "../../src/scripting/vm.ts";
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
      default:
        return { kind: "error", message: `ERR fake host: ${args.join(" ")}` };
    }
  },
};

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

Deno.test("redis.call number arguments use %.14g; redis.log reaches the host", () => {
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
    assert.deepEqual(seen, ["SET", "1.5", "3", "1e+15", "9.007199254741e+15"]);
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
            const head = `-${got.message} script: `;
            assert.equal(want.slice(0, head.length), head, `${script}: ${want}`);
          }
        }
      }
    } finally {
      vm.close();
      c.close();
    }
  },
});
