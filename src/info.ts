/**
 * INFO: the section builders, with Redis 7.0.15's sections, field names and
 * order (every field an idle 7.0.15 prints; the differential cases in
 * `tests/compat/cases/info.ts` compare them field by field). Figures come
 * from the engine (clock, clients, stats, memory, latency, databases) and
 * its host facts; fields of features resplite does not have report what a
 * Redis that never used them reports: persistence as a server that never
 * saved (`rdb_saves:0`, `rdb_last_save_time` the start time, `aof_enabled:0`),
 * replication as a master without replicas, no forks, no defragmentation, no
 * I/O threads, no modules, `cluster_enabled:0`.
 *
 * Known differences from Redis 7.0.15:
 * - `redis_build_id` is a constant, `gcc_version` 0.0.0, `executable` the
 *   runtime's path.
 * - `client_recent_max_input_buffer` / `_output_buffer` are the largest
 *   input and output held by a client now, not Redis's allocation sizes
 *   over the last seconds.
 * - `expired_stale_perc`, `expired_time_cap_reached_count`,
 *   `reply_buffer_shrinks` and `reply_buffer_expands` stay 0 (the active
 *   expiry keeps no such estimate; the reply buffer resizes its own way).
 *
 * @module
 */

import type { ServerServices } from "./client.ts";
import { asciiLower } from "./commands/spec.ts";
import { latencyStatsFields } from "./latency.ts";
import { percentiles } from "./config.ts";

/** Every section, in the order Redis prints them. */
export const INFO_SECTIONS = [
  "server",
  "clients",
  "memory",
  "persistence",
  "stats",
  "replication",
  "cpu",
  "modules",
  "commandstats",
  "errorstats",
  "latencystats",
  "cluster",
  "keyspace",
] as const;

/** A section name. */
export type InfoSection = typeof INFO_SECTIONS[number];

const DEFAULT_SECTIONS: readonly InfoSection[] = INFO_SECTIONS.filter((s) =>
  s !== "commandstats" && s !== "latencystats"
);

const TITLES: Record<InfoSection, string> = {
  server: "Server",
  clients: "Clients",
  memory: "Memory",
  persistence: "Persistence",
  stats: "Stats",
  replication: "Replication",
  cpu: "CPU",
  modules: "Modules",
  commandstats: "Commandstats",
  errorstats: "Errorstats",
  latencystats: "Latencystats",
  cluster: "Cluster",
  keyspace: "Keyspace",
};

/**
 * The sections an INFO call asks for: none means `default`; `all` is every
 * section, `everything` that plus module sections (none here);
 * `module_list` is `modules`; unknown names are ignored, case does not
 * matter.
 *
 * @param names the arguments after INFO
 * @returns the selected sections
 * @example
 * ```ts
 * import { selectSections } from "./info.ts";
 * console.assert(!selectSections([]).has("commandstats"));
 * console.assert(selectSections(["ALL"]).has("commandstats"));
 * console.assert(selectSections(["nosuch"]).size === 0);
 * ```
 */
export function selectSections(names: readonly string[]): Set<InfoSection> {
  const out = new Set<InfoSection>();
  if (names.length === 0) {
    for (const s of DEFAULT_SECTIONS) out.add(s);
    return out;
  }
  for (const raw of names) {
    const name = asciiLower(raw);
    if (name === "default") {
      for (const s of DEFAULT_SECTIONS) out.add(s);
    } else if (name === "all" || name === "everything") {
      for (const s of INFO_SECTIONS) out.add(s);
    } else if (name === "module_list") {
      // The modules section's other name, as in Redis's default set.
      out.add("modules");
    } else if ((INFO_SECTIONS as readonly string[]).includes(name)) {
      out.add(name as InfoSection);
    }
  }
  return out;
}

/**
 * The INFO text for some sections, `\r\n`-separated as Redis sends it.
 *
 * @param server the server to describe (an engine, or a command's view of it)
 * @param sections the sections, printed in Redis's order
 * @returns the text
 * @example
 * ```ts
 * import { Engine } from "./engine.ts";
 * import { infoText, selectSections } from "./info.ts";
 * const engine = new Engine();
 * const text = infoText(engine, selectSections(["server"]));
 * console.assert(text.startsWith("# Server\r\nredis_version:7.0.15\r\n"));
 * engine.close();
 * ```
 */
export function infoText(server: ServerServices, sections: ReadonlySet<InfoSection>): string {
  let out = "";
  let first = true;
  for (const section of INFO_SECTIONS) {
    if (!sections.has(section)) continue;
    if (!first) out += "\r\n";
    first = false;
    out += `# ${TITLES[section]}\r\n`;
    for (const [name, value] of BUILDERS[section](server)) out += `${name}:${value}\r\n`;
  }
  return out;
}

type Fields = [name: string, value: string | number][];

const BUILDERS: Record<InfoSection, (server: ServerServices) => Fields> = {
  server,
  clients,
  memory,
  persistence,
  stats,
  replication,
  cpu,
  modules: () => [],
  commandstats,
  errorstats,
  latencystats: (e) =>
    latencyStatsFields(
      e.stats.commands,
      e.latency.tracking,
      percentiles(e.config.get("latency-tracking-info-percentiles")),
    ),
  cluster: () => [["cluster_enabled", 0]],
  keyspace,
};

/** Redis's bytesToHuman. */
function human(n: number): string {
  const units = ["K", "M", "G", "T", "P"];
  if (n < 1024) return `${n}B`;
  let d = n / 1024;
  for (const unit of units) {
    if (d < 1024 || unit === "P") return `${d.toFixed(2)}${unit}`;
    d /= 1024;
  }
  return `${n}B`;
}

function fixed2(n: number): string {
  return Number.isFinite(n) ? n.toFixed(2) : "0.00";
}

function multiplexing(os: string): string {
  const name = os.toLowerCase();
  if (name.startsWith("linux")) return "epoll";
  if (name.startsWith("darwin") || name.includes("bsd")) return "kqueue";
  if (name.startsWith("windows")) return "iocp";
  return "select";
}

function capitalised(os: string): string {
  return os.length === 0 ? os : os[0]!.toUpperCase() + os.slice(1);
}

function server(e: ServerServices): Fields {
  const now = e.clock.now();
  const uptime = Math.floor((now - e.startedAt) / 1000);
  const hz = e.config.number("hz");
  const os = e.host.os();
  return [
    ["redis_version", "7.0.15"],
    ["redis_git_sha1", "00000000"],
    ["redis_git_dirty", 0],
    // No build hash: the hex of "resplite", a constant as Redis's is per binary.
    ["redis_build_id", "726573706c697465"],
    ["redis_mode", "standalone"],
    ["os", capitalised(os)],
    ["arch_bits", 64],
    ["monotonic_clock", "POSIX clock_gettime"],
    ["multiplexing_api", multiplexing(os)],
    ["atomicvar_api", "c11-builtin"],
    ["gcc_version", "0.0.0"],
    ["process_id", e.host.pid()],
    ["process_supervised", "no"],
    ["run_id", e.runId],
    ["tcp_port", e.port],
    ["server_time_usec", Math.floor(now * 1000)],
    ["uptime_in_seconds", uptime],
    ["uptime_in_days", Math.floor(uptime / 86400)],
    ["hz", hz],
    ["configured_hz", hz],
    ["lru_clock", Math.floor(now / 1000) & 0xffffff],
    ["executable", e.host.executable()],
    ["config_file", e.configFile],
    ["io_threads_active", 0],
  ];
}

function clients(e: ServerServices): Fields {
  let maxIn = 0;
  let maxOut = 0;
  for (const c of e.clients.values()) {
    maxIn = Math.max(maxIn, c.transport.inputBuffered());
    maxOut = Math.max(maxOut, c.transport.outputBuffered());
  }
  return [
    ["connected_clients", e.clients.size],
    ["cluster_connections", 0],
    ["maxclients", e.config.get("maxclients")],
    ["client_recent_max_input_buffer", maxIn],
    ["client_recent_max_output_buffer", maxOut],
    ["blocked_clients", e.blocking.count + e.pause.heldCount],
    ["tracking_clients", e.tracking.clients],
    ["clients_in_timeout_table", e.blocking.withTimeout],
  ];
}

/**
 * INFO memory. `used_memory` is resplite's accounting (see `src/evict.ts`:
 * the heap at start-up, every key's estimate, the database tables and the
 * clients' buffers), the figure `maxmemory` is compared with once the
 * clients' buffers (`mem_not_counted_for_evict`) are taken off; RSS and the
 * V8 heap in use (`allocator_allocated`) are real readings.
 */
function memory(e: ServerServices): Fields {
  const f = e.memory.figures();
  const used = f.used;
  const rss = f.rss;
  const heap = f.heap;
  const peak = f.peak;
  const net = used > f.startup ? used - f.startup : 1;
  const total = e.host.totalMemory?.() ?? 0;
  const maxmemory = e.config.number("maxmemory");
  const luaVm = e.scripting.evalVmMemory;
  const scripts = e.scripting.cachedScriptsMemory;
  // Functions' memory, estimated as Redis 7.0.15 grows it: its fresh VM and
  // empty registry, and about 1 KiB of VM and 200 bytes of registry per function.
  const functions = e.scripting.functions;
  const functionsVm = 33792 + 1024 * functions.functionCount;
  const functionsMemory = 200 + 40 * functions.libraryCount + 200 * functions.functionCount;
  return [
    ["used_memory", used],
    ["used_memory_human", human(used)],
    ["used_memory_rss", rss],
    ["used_memory_rss_human", human(rss)],
    ["used_memory_peak", peak],
    ["used_memory_peak_human", human(peak)],
    ["used_memory_peak_perc", `${fixed2((used * 100) / (peak || 1))}%`],
    ["used_memory_overhead", f.overhead],
    ["used_memory_startup", f.startup],
    ["used_memory_dataset", f.dataset],
    ["used_memory_dataset_perc", `${fixed2((f.dataset * 100) / net)}%`],
    ["allocator_allocated", heap],
    ["allocator_active", heap],
    ["allocator_resident", rss],
    ["total_system_memory", total],
    ["total_system_memory_human", human(total)],
    ["used_memory_lua", luaVm],
    ["used_memory_vm_eval", luaVm],
    ["used_memory_lua_human", human(luaVm)],
    ["used_memory_scripts_eval", scripts],
    ["number_of_cached_scripts", e.scripting.cachedScripts],
    ["number_of_functions", functions.nameCount],
    ["number_of_libraries", functions.libraryCount],
    ["used_memory_vm_functions", functionsVm],
    ["used_memory_vm_total", luaVm + functionsVm],
    ["used_memory_vm_total_human", human(luaVm + functionsVm)],
    ["used_memory_functions", functionsMemory],
    ["used_memory_scripts", scripts + functionsMemory],
    ["used_memory_scripts_human", human(scripts + functionsMemory)],
    ["maxmemory", maxmemory],
    ["maxmemory_human", human(maxmemory)],
    ["maxmemory_policy", e.config.get("maxmemory-policy")],
    ["allocator_frag_ratio", "1.00"],
    ["allocator_frag_bytes", 0],
    ["allocator_rss_ratio", fixed2(rss / (heap || 1))],
    ["allocator_rss_bytes", rss - heap],
    ["rss_overhead_ratio", "1.00"],
    ["rss_overhead_bytes", 0],
    ["mem_fragmentation_ratio", fixed2(rss / (used || 1))],
    ["mem_fragmentation_bytes", rss - used],
    ["mem_not_counted_for_evict", f.clients],
    ["mem_replication_backlog", 0],
    ["mem_total_replication_buffers", 0],
    ["mem_clients_slaves", 0],
    ["mem_clients_normal", f.clients],
    ["mem_cluster_links", 0],
    ["mem_aof_buffer", 0],
    ["mem_allocator", "libc"],
    ["active_defrag_running", 0],
    ["lazyfree_pending_objects", 0],
    ["lazyfreed_objects", 0],
  ];
}

function persistence(e: ServerServices): Fields {
  return [
    ["loading", 0],
    ["async_loading", 0],
    ["current_cow_peak", 0],
    ["current_cow_size", 0],
    ["current_cow_size_age", 0],
    ["current_fork_perc", "0.00"],
    ["current_save_keys_processed", 0],
    ["current_save_keys_total", 0],
    ["rdb_changes_since_last_save", e.changes],
    ["rdb_bgsave_in_progress", 0],
    ["rdb_last_save_time", Math.floor(e.startedAt / 1000)],
    ["rdb_last_bgsave_status", "ok"],
    ["rdb_last_bgsave_time_sec", -1],
    ["rdb_current_bgsave_time_sec", -1],
    ["rdb_saves", 0],
    ["rdb_last_cow_size", 0],
    ["rdb_last_load_keys_expired", 0],
    ["rdb_last_load_keys_loaded", 0],
    ["aof_enabled", 0],
    ["aof_rewrite_in_progress", 0],
    ["aof_rewrite_scheduled", 0],
    ["aof_last_rewrite_time_sec", -1],
    ["aof_current_rewrite_time_sec", -1],
    ["aof_last_bgrewrite_status", "ok"],
    ["aof_rewrites", 0],
    ["aof_rewrites_consecutive_failures", 0],
    ["aof_last_write_status", "ok"],
    ["aof_last_cow_size", 0],
    ["module_fork_in_progress", 0],
    ["module_fork_last_cow_size", 0],
  ];
}

function average(samples: readonly number[]): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (const s of samples) sum += s;
  return sum / samples.length;
}

function stats(e: ServerServices): Fields {
  const s = e.stats;
  return [
    ["total_connections_received", s.totalConnections],
    ["total_commands_processed", s.totalCommands],
    ["instantaneous_ops_per_sec", Math.floor(average(s.opsSamples))],
    ["total_net_input_bytes", s.netInputBytes],
    ["total_net_output_bytes", s.netOutputBytes],
    ["total_net_repl_input_bytes", 0],
    ["total_net_repl_output_bytes", 0],
    ["instantaneous_input_kbps", fixed2(average(s.inputKbpsSamples))],
    ["instantaneous_output_kbps", fixed2(average(s.outputKbpsSamples))],
    ["instantaneous_input_repl_kbps", "0.00"],
    ["instantaneous_output_repl_kbps", "0.00"],
    ["rejected_connections", s.rejectedConnections],
    ["sync_full", 0],
    ["sync_partial_ok", 0],
    ["sync_partial_err", 0],
    ["expired_keys", s.expiredKeys],
    ["expired_stale_perc", "0.00"],
    ["expired_time_cap_reached_count", 0],
    ["expire_cycle_cpu_milliseconds", Math.floor(s.expireCycleUsec / 1000)],
    ["evicted_keys", s.evictedKeys],
    ["evicted_clients", 0],
    ["total_eviction_exceeded_time", 0],
    ["current_eviction_exceeded_time", 0],
    ["keyspace_hits", s.keyspaceHits],
    ["keyspace_misses", s.keyspaceMisses],
    ["pubsub_channels", e.pubsub.size("channel")],
    ["pubsub_patterns", e.pubsub.size("pattern")],
    ["pubsubshard_channels", e.pubsub.size("shard")],
    ["latest_fork_usec", 0],
    ["total_forks", 0],
    ["migrate_cached_sockets", 0],
    ["slave_expires_tracked_keys", 0],
    ["active_defrag_hits", 0],
    ["active_defrag_misses", 0],
    ["active_defrag_key_hits", 0],
    ["active_defrag_key_misses", 0],
    ["total_active_defrag_time", 0],
    ["current_active_defrag_time", 0],
    ["tracking_total_keys", e.tracking.totalKeys],
    ["tracking_total_items", e.tracking.totalItems],
    ["tracking_total_prefixes", e.tracking.totalPrefixes],
    ["unexpected_error_replies", 0],
    ["total_error_replies", s.totalErrorReplies],
    ["dump_payload_sanitizations", 0],
    ["total_reads_processed", s.totalReads],
    ["total_writes_processed", s.totalWrites],
    ["io_threaded_reads_processed", 0],
    ["io_threaded_writes_processed", 0],
    ["reply_buffer_shrinks", 0],
    ["reply_buffer_expands", 0],
  ];
}

function replication(e: ServerServices): Fields {
  return [
    ["role", "master"],
    ["connected_slaves", 0],
    ["master_failover_state", "no-failover"],
    ["master_replid", e.replId],
    ["master_replid2", "0000000000000000000000000000000000000000"],
    ["master_repl_offset", 0],
    ["second_repl_offset", -1],
    ["repl_backlog_active", 0],
    ["repl_backlog_size", 1048576],
    ["repl_backlog_first_byte_offset", 0],
    ["repl_backlog_histlen", 0],
  ];
}

function cpu(e: ServerServices): Fields {
  const [sys, user] = e.host.cpu();
  return [
    ["used_cpu_sys", sys.toFixed(6)],
    ["used_cpu_user", user.toFixed(6)],
    ["used_cpu_sys_children", "0.000000"],
    ["used_cpu_user_children", "0.000000"],
    ["used_cpu_sys_main_thread", sys.toFixed(6)],
    ["used_cpu_user_main_thread", user.toFixed(6)],
  ];
}

function commandstats(e: ServerServices): Fields {
  const out: Fields = [];
  for (const [name, s] of e.stats.commands) {
    if (s.calls === 0 && s.failedCalls === 0 && s.rejectedCalls === 0) continue;
    const perCall = s.calls === 0 ? 0 : s.usec / s.calls;
    out.push([
      `cmdstat_${name}`,
      `calls=${s.calls},usec=${Math.round(s.usec)},usec_per_call=${
        fixed2(perCall)
      },rejected_calls=${s.rejectedCalls},failed_calls=${s.failedCalls}`,
    ]);
  }
  return out;
}

function errorstats(e: ServerServices): Fields {
  const codes = [...e.stats.errors.keys()].sort();
  return codes.map((code) => [`errorstat_${code}`, `count=${e.stats.errors.get(code)}`]);
}

function keyspace(e: ServerServices): Fields {
  const out: Fields = [];
  for (let i = 0; i < e.databases; i++) {
    const db = e.db(i);
    if (db.size === 0) continue;
    out.push([
      `db${i}`,
      `keys=${db.size},expires=${db.expiresCount},avg_ttl=${
        db.expiresCount === 0 ? 0 : db.averageTtl()
      }`,
    ]);
  }
  return out;
}
