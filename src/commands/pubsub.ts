/**
 * The pubsub command group: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE,
 * PUNSUBSCRIBE, PUBLISH, the sharded SSUBSCRIBE, SUNSUBSCRIBE and SPUBLISH,
 * and the PUBSUB container (CHANNELS, NUMSUB, NUMPAT, SHARDCHANNELS,
 * SHARDNUMSUB, HELP).
 *
 * (Un)subscribe confirmations are pushed one per channel, as Redis writes
 * them, so the handlers themselves answer nothing. In RESP2 a subscribed
 * client may only run the commands the dispatcher's pub/sub gate lets
 * through.
 *
 * Known differences from Redis 7.0.15: PUBSUB CHANNELS and an UNSUBSCRIBE
 * without arguments list channels in subscription order, where Redis follows
 * its hash table's order. Inside MULTI/EXEC the confirmations of a SUBSCRIBE
 * go out before the EXEC reply rather than inside it (Redis's own output
 * there is not a well-formed reply either).
 *
 * @module
 */

import { Errors, ReplyError } from "../errors.ts";
import { array, bulk, bulks, integer, NONE, type Reply, simple } from "../resp/reply.ts";
import type { SubscriptionKind } from "../pubsub.ts";
import type { Args, CommandContext, CommandFlag, CommandSpec, Handler, KeySpec } from "./spec.ts";

const SUBSCRIBE_FLAGS: readonly CommandFlag[] = ["pubsub", "noscript", "loading", "stale"];
const PUBLISH_FLAGS: readonly CommandFlag[] = ["pubsub", "loading", "stale", "fast"];
const PUBSUB_SUB_FLAGS: readonly CommandFlag[] = ["pubsub", "loading", "stale"];

/** Shard channels are named like keys (for cluster slots) but are not keys. */
const SHARD_CHANNELS: readonly KeySpec[] = [
  { flags: ["NOT_KEY"], begin: { index: 1 }, find: { range: [-1, 1, 0] } },
];
const SHARD_CHANNEL: readonly KeySpec[] = [
  { flags: ["NOT_KEY"], begin: { index: 1 }, find: { range: [0, 1, 0] } },
];

/** A pubsub-group spec with the group's defaults. */
function spec(
  name: string,
  arity: number,
  flags: readonly CommandFlag[],
  doc: { summary: string; since: string; complexity: string },
  handler: Handler,
  extra: Partial<Pick<CommandSpec, "keys" | "keySpecs">> = {},
): CommandSpec {
  return {
    name,
    arity,
    flags,
    acl: [],
    keys: [0, 0, 0],
    doc: { group: "pubsub", ...doc },
    handler,
    ...extra,
  };
}

const PUBSUB_SUBCOMMANDS: readonly CommandSpec[] = [
  spec("pubsub|channels", -2, PUBSUB_SUB_FLAGS, {
    summary: "List active channels",
    since: "2.8.0",
    complexity:
      "O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)",
  }, pubsubChannels),
  spec("pubsub|numpat", 2, PUBSUB_SUB_FLAGS, {
    summary: "Get the count of unique patterns pattern subscriptions",
    since: "2.8.0",
    complexity: "O(1)",
  }, pubsubNumpat),
  spec("pubsub|help", 2, ["loading", "stale"], {
    summary: "Show helpful text about the different subcommands",
    since: "6.2.0",
    complexity: "O(1)",
  }, pubsubHelp),
  spec("pubsub|shardchannels", -2, PUBSUB_SUB_FLAGS, {
    summary: "List active shard channels",
    since: "7.0.0",
    complexity:
      "O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).",
  }, pubsubShardchannels),
  spec("pubsub|shardnumsub", -2, PUBSUB_SUB_FLAGS, {
    summary: "Get the count of subscribers for shard channels",
    since: "7.0.0",
    complexity:
      "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels",
  }, pubsubShardnumsub),
  spec("pubsub|numsub", -2, PUBSUB_SUB_FLAGS, {
    summary: "Get the count of subscribers for channels",
    since: "2.8.0",
    complexity: "O(N) for the NUMSUB subcommand, where N is the number of requested channels",
  }, pubsubNumsub),
];

/** The pubsub group's command table. */
export const PUBSUB_COMMANDS: readonly CommandSpec[] = [
  spec("subscribe", -2, SUBSCRIBE_FLAGS, {
    summary: "Listen for messages published to the given channels",
    since: "2.0.0",
    complexity: "O(N) where N is the number of channels to subscribe to.",
  }, subscribe),
  spec("unsubscribe", -1, SUBSCRIBE_FLAGS, {
    summary: "Stop listening for messages posted to the given channels",
    since: "2.0.0",
    complexity: "O(N) where N is the number of clients already subscribed to a channel.",
  }, unsubscribe),
  spec("psubscribe", -2, SUBSCRIBE_FLAGS, {
    summary: "Listen for messages published to channels matching the given patterns",
    since: "2.0.0",
    complexity: "O(N) where N is the number of patterns the client is already subscribed to.",
  }, psubscribe),
  spec("punsubscribe", -1, SUBSCRIBE_FLAGS, {
    summary: "Stop listening for messages posted to channels matching the given patterns",
    since: "2.0.0",
    complexity:
      "O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client).",
  }, punsubscribe),
  spec("publish", 3, PUBLISH_FLAGS, {
    summary: "Post a message to a channel",
    since: "2.0.0",
    complexity:
      "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).",
  }, publish),
  spec(
    "ssubscribe",
    -2,
    SUBSCRIBE_FLAGS,
    {
      summary: "Listen for messages published to the given shard channels",
      since: "7.0.0",
      complexity: "O(N) where N is the number of shard channels to subscribe to.",
    },
    ssubscribe,
    { keys: [1, -1, 1], keySpecs: SHARD_CHANNELS },
  ),
  spec(
    "sunsubscribe",
    -1,
    SUBSCRIBE_FLAGS,
    {
      summary: "Stop listening for messages posted to the given shard channels",
      since: "7.0.0",
      complexity: "O(N) where N is the number of clients already subscribed to a shard channel.",
    },
    sunsubscribe,
    { keys: [1, -1, 1], keySpecs: SHARD_CHANNELS },
  ),
  spec(
    "spublish",
    3,
    PUBLISH_FLAGS,
    {
      summary: "Post a message to a shard channel",
      since: "7.0.0",
      complexity:
        "O(N) where N is the number of clients subscribed to the receiving shard channel.",
    },
    spublish,
    { keys: [1, 1, 1], keySpecs: SHARD_CHANNEL },
  ),
  {
    name: "pubsub",
    arity: -2,
    flags: [],
    acl: [],
    keys: [0, 0, 0],
    doc: {
      summary: "A container for Pub/Sub commands",
      since: "2.8.0",
      group: "pubsub",
      complexity: "Depends on subcommand.",
    },
    subcommands: PUBSUB_SUBCOMMANDS,
  },
];

/** SUBSCRIBE channel [channel ...], PSUBSCRIBE and SSUBSCRIBE alike. */
function subscribeGeneric(ctx: CommandContext, args: Args, kind: SubscriptionKind): Reply {
  const pubsub = ctx.engine.pubsub;
  for (let i = 1; i < args.length; i++) pubsub.subscribe(ctx, kind, args.get(i), true);
  return NONE;
}

/** UNSUBSCRIBE [channel ...], PUNSUBSCRIBE and SUNSUBSCRIBE alike. */
function unsubscribeGeneric(ctx: CommandContext, args: Args, kind: SubscriptionKind): Reply {
  const pubsub = ctx.engine.pubsub;
  if (args.length === 1) pubsub.unsubscribeAll(ctx, kind, true);
  else for (let i = 1; i < args.length; i++) pubsub.unsubscribe(ctx, kind, args.get(i), true);
  return NONE;
}

/** SUBSCRIBE channel [channel ...] */
function subscribe(ctx: CommandContext, args: Args): Reply {
  return subscribeGeneric(ctx, args, "channel");
}

/** UNSUBSCRIBE [channel [channel ...]] */
function unsubscribe(ctx: CommandContext, args: Args): Reply {
  return unsubscribeGeneric(ctx, args, "channel");
}

/** PSUBSCRIBE pattern [pattern ...] */
function psubscribe(ctx: CommandContext, args: Args): Reply {
  return subscribeGeneric(ctx, args, "pattern");
}

/** PUNSUBSCRIBE [pattern [pattern ...]] */
function punsubscribe(ctx: CommandContext, args: Args): Reply {
  return unsubscribeGeneric(ctx, args, "pattern");
}

/** SSUBSCRIBE shardchannel [shardchannel ...] */
function ssubscribe(ctx: CommandContext, args: Args): Reply {
  return subscribeGeneric(ctx, args, "shard");
}

/** SUNSUBSCRIBE [shardchannel [shardchannel ...]] */
function sunsubscribe(ctx: CommandContext, args: Args): Reply {
  return unsubscribeGeneric(ctx, args, "shard");
}

/** PUBLISH channel message */
function publish(ctx: CommandContext, args: Args): Reply {
  return integer(ctx.engine.pubsub.publish(args.get(1), args.get(2)));
}

/** SPUBLISH shardchannel message */
function spublish(ctx: CommandContext, args: Args): Reply {
  return integer(ctx.engine.pubsub.publishShard(args.get(1), args.get(2)));
}

/** PUBSUB CHANNELS [pattern] and PUBSUB SHARDCHANNELS [pattern] alike. */
function channelsGeneric(ctx: CommandContext, args: Args, kind: "channel" | "shard"): Reply {
  if (args.length > 3) {
    throw new ReplyError(Errors.unknownSubcommandOrArgs(args.get(1), args.get(0)));
  }
  return bulks(ctx.engine.pubsub.channels(kind, args.length === 3 ? args.get(2) : undefined));
}

/** PUBSUB NUMSUB [channel ...] and PUBSUB SHARDNUMSUB [shardchannel ...] alike. */
function numsubGeneric(ctx: CommandContext, args: Args, kind: "channel" | "shard"): Reply {
  const pubsub = ctx.engine.pubsub;
  const items: Reply[] = [];
  for (let i = 2; i < args.length; i++) {
    const name = args.get(i);
    items.push(bulk(name), integer(pubsub.subscriberCount(kind, name)));
  }
  return array(items);
}

/** PUBSUB CHANNELS [pattern] */
function pubsubChannels(ctx: CommandContext, args: Args): Reply {
  return channelsGeneric(ctx, args, "channel");
}

/** PUBSUB SHARDCHANNELS [pattern] */
function pubsubShardchannels(ctx: CommandContext, args: Args): Reply {
  return channelsGeneric(ctx, args, "shard");
}

/** PUBSUB NUMSUB [channel [channel ...]] */
function pubsubNumsub(ctx: CommandContext, args: Args): Reply {
  return numsubGeneric(ctx, args, "channel");
}

/** PUBSUB SHARDNUMSUB [shardchannel [shardchannel ...]] */
function pubsubShardnumsub(ctx: CommandContext, args: Args): Reply {
  return numsubGeneric(ctx, args, "shard");
}

/** PUBSUB NUMPAT */
function pubsubNumpat(ctx: CommandContext, _args: Args): Reply {
  return integer(ctx.engine.pubsub.size("pattern"));
}

const PUBSUB_HELP: readonly Reply[] = [
  "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "CHANNELS [<pattern>]",
  "    Return the currently active channels matching a <pattern> (default: '*').",
  "NUMPAT",
  "    Return number of subscriptions to patterns.",
  "NUMSUB [<channel> ...]",
  "    Return the number of subscribers for the specified channels, excluding",
  "    pattern subscriptions(default: no channels).",
  "SHARDCHANNELS [<pattern>]",
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  "SHARDNUMSUB [<shardchannel> ...]",
  "    Return the number of subscribers for the specified shard level channel(s)",
  "HELP",
  "    Prints this help.",
].map(simple);

/** PUBSUB HELP */
function pubsubHelp(_ctx: CommandContext, _args: Args): Reply {
  return array(PUBSUB_HELP);
}
