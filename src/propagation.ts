/**
 * The one write path out of the engine, as Redis's `propagate()` /
 * `alsoPropagate()`: every change to the dataset leaves as an ordered
 * stream of effect commands, which the AOF, the replication backlog and a
 * test journal subscribe to.
 *
 * What a command did is recorded while it runs (its own argument vector,
 * or the deterministic form its handler chose: relative TTLs as absolute
 * ones, SPOP as SREM, blocking pops as their non-blocking forms) and
 * emitted when the unit it belongs to ends: the command itself, or the
 * whole EXEC. A unit of more than one effect is wrapped in MULTI / EXEC,
 * and every sink gets a SELECT before an effect in another database than
 * the one it last saw (before the MULTI for the first effect, inside it for
 * the others, as Redis 7.0.15 writes its AOF). A key a command finds
 * expired is deleted in that command's unit, before its own effect; writes
 * no client sent (active expiry, evicted keys, blocked clients served) are
 * units of their own.
 * A command that changes nothing propagates nothing.
 *
 * With no sink subscribed nothing is recorded: the hot path pays one check.
 *
 * @module
 */

/** A consumer of the effect stream (AOF, replication backlog, journal). */
export interface EffectSink {
  /**
   * Which stream it is: the AOF's or the replicas' (a script's
   * `redis.set_repl` sends a command to one of them only); left out, it
   * gets every effect (a journal).
   */
  readonly target?: "aof" | "replica";
  /**
   * Receives the next command of the stream: an effect, or the SELECT,
   * MULTI and EXEC around effects.
   *
   * @param argv the command, binary strings, name first
   */
  write(argv: readonly string[]): void;
}

/** An effect recorded and not yet emitted. */
interface Pending {
  readonly db: number;
  readonly argv: readonly string[];
  /** Where it goes: {@linkcode PROPAGATE_AOF} and / or {@linkcode PROPAGATE_REPL}. */
  readonly targets: number;
}

/** An effect for the AOF (Redis's PROPAGATE_AOF, a script's `redis.REPL_AOF`). */
export const PROPAGATE_AOF = 1;
/** An effect for the replicas (Redis's PROPAGATE_REPL, `redis.REPL_REPLICA`). */
export const PROPAGATE_REPL = 2;
/** An effect for both (`redis.REPL_ALL`, every effect but a script's). */
export const PROPAGATE_ALL = 3;

interface Subscriber {
  readonly sink: EffectSink;
  /** The targets it takes effects for. */
  readonly mask: number;
  /** The database the sink last saw selected; -1 before the first effect. */
  db: number;
}

const MULTI: readonly string[] = Object.freeze(["MULTI"]);
const EXEC: readonly string[] = Object.freeze(["EXEC"]);

/**
 * The engine's effect stream.
 *
 * @example Recording a command's effect
 * ```ts
 * import { Propagation } from "./propagation.ts";
 * const p = new Propagation();
 * const seen: string[] = [];
 * p.subscribe({ write: (argv) => seen.push(argv.join(" ")) });
 * p.add(0, ["SET", "k", "v"]);
 * p.add(0, ["DEL", "j"]);
 * p.flush();
 * console.assert(seen.join("|") === "SELECT 0|MULTI|SET k v|DEL j|EXEC");
 * ```
 */
export class Propagation {
  #subscribers: Subscriber[] = [];
  #pending: Pending[] = [];
  /** What the running command propagates instead of its arguments, if its handler said. */
  #replacement: (readonly string[])[] | undefined;
  #prevented = false;
  #forced = false;
  /** Whether the current unit leaves without MULTI / EXEC around it. */
  #unwrapped = false;

  /** Whether anything listens: handlers may skip building effects when not. */
  get active(): boolean {
    return this.#subscribers.length > 0;
  }

  /**
   * Subscribes a sink to every effect from now on.
   *
   * @param sink the consumer
   * @returns a function that unsubscribes it
   */
  subscribe(sink: EffectSink): () => void {
    const mask = sink.target === "aof"
      ? PROPAGATE_AOF
      : sink.target === "replica"
      ? PROPAGATE_REPL
      : PROPAGATE_ALL;
    const subscriber: Subscriber = { sink, mask, db: -1 };
    this.#subscribers = [...this.#subscribers, subscriber];
    return () => {
      this.#subscribers = this.#subscribers.filter((s) => s !== subscriber);
    };
  }

  /**
   * Records an effect in the current unit (Redis's alsoPropagate).
   *
   * @param db the database it applies to
   * @param argv the command
   */
  add(db: number, argv: readonly string[]): void {
    if (this.#subscribers.length === 0) return;
    this.#pending.push({ db, argv, targets: PROPAGATE_ALL });
  }

  /**
   * Emits one effect as a unit of its own, before whatever the current
   * unit has recorded (a key the cron found expired).
   *
   * @param db the database
   * @param argv the command
   */
  emit(db: number, argv: readonly string[]): void {
    if (this.#subscribers.length === 0) return;
    this.#send([{ db, argv, targets: PROPAGATE_ALL }]);
  }

  /**
   * Starts a command: clears what a handler said about its own
   * propagation.
   */
  beginCommand(): void {
    this.#replacement = undefined;
    this.#prevented = false;
    this.#forced = false;
    this.#unwrapped = false;
  }

  /**
   * Called by a handler: the running command propagates even if it changed
   * nothing (Redis's forceCommandPropagation: FLUSHALL of an empty server).
   */
  force(): void {
    this.#forced = true;
  }

  /** Whether the running command asked to propagate whatever it changed. */
  get forced(): boolean {
    return this.#forced;
  }

  /**
   * Called by a handler: the running command propagates these commands
   * instead of its own arguments (Redis's rewriteClientCommandVector; more
   * than one for a command whose effect takes several, such as SPOP with a
   * count). Ignored when nothing changed.
   *
   * @param argv the commands, in order
   */
  rewrite(...argv: (readonly string[])[]): void {
    if (this.#subscribers.length === 0) return;
    this.#replacement = argv;
  }

  /** Called by a handler: the running command propagates nothing of its own. */
  prevent(): void {
    this.#prevented = true;
  }

  /**
   * Called by a handler of a command that touches arbitrary keys (SCAN,
   * RANDOMKEY: Redis's CMD_TOUCHES_ARBITRARY_KEYS) when it runs on its own,
   * not queued in a transaction: its unit (the keys it found expired) is
   * not wrapped in MULTI / EXEC, as active expiry's deletions are not.
   */
  unwrap(): void {
    this.#unwrapped = true;
  }

  /**
   * Records the running command's own effect, once it changed the dataset:
   * its rewrite if the handler gave one, else its arguments.
   *
   * @param db the database it ran in
   * @param argv its arguments
   * @param targets where it goes (a script's `redis.set_repl`): both by
   *   default; none records nothing
   */
  commandDone(db: number, argv: readonly string[], targets = PROPAGATE_ALL): void {
    if (this.#subscribers.length === 0 || this.#prevented || targets === 0) return;
    const replacement = this.#replacement;
    if (replacement === undefined) this.#pending.push({ db, argv, targets });
    else for (const r of replacement) this.#pending.push({ db, argv: r, targets });
    this.#replacement = undefined;
  }

  /** Ends the current unit: emits what it recorded, in MULTI / EXEC if more than one. */
  flush(): void {
    const pending = this.#pending;
    const wrap = !this.#unwrapped;
    this.#unwrapped = false;
    if (pending.length === 0) return;
    this.#pending = [];
    this.#send(pending, wrap);
  }

  #send(effects: readonly Pending[], multi = true): void {
    // Wrapped by the unit's size over every target, as Redis decides (a
    // target may then get MULTI / EXEC around fewer effects).
    const wrap = multi && effects.length > 1;
    for (const s of this.#subscribers) {
      if (wrap) {
        // MULTI goes to the first effect's database, as Redis sends it.
        const first = effects[0]!.db;
        if (s.db !== first) {
          s.sink.write(["SELECT", String(first)]);
          s.db = first;
        }
        s.sink.write(MULTI);
      }
      for (const { db, argv, targets } of effects) {
        if ((targets & s.mask) === 0) continue;
        if (s.db !== db) {
          s.sink.write(["SELECT", String(db)]);
          s.db = db;
        }
        s.sink.write(argv);
      }
      if (wrap) s.sink.write(EXEC);
    }
  }
}
