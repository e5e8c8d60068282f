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
import type { Args, CommandContext } from "./spec.ts";
import type { HandlerTable } from "./table.ts";

/**
 * The pubsub group's handlers, bound by name to the command table
 * (`table.json`), which gives each its arity, flags, key specs and docs.
 */
export const PUBSUB_HANDLERS: HandlerTable = {
  subscribe,
  unsubscribe,
  psubscribe,
  punsubscribe,
  publish,
  ssubscribe,
  sunsubscribe,
  spublish,
  "pubsub|channels": pubsubChannels,
  "pubsub|numpat": pubsubNumpat,
  "pubsub|numsub": pubsubNumsub,
  "pubsub|shardchannels": pubsubShardchannels,
  "pubsub|shardnumsub": pubsubShardnumsub,
  "pubsub|help": pubsubHelp,
};

/** SUBSCRIBE channel [channel ...], PSUBSCRIBE and SSUBSCRIBE alike. */
function subscribeGeneric(ctx: CommandContext, args: Args, kind: SubscriptionKind): Reply {
  const pubsub = ctx.server.pubsub;
  for (let i = 1; i < args.length; i++) pubsub.subscribe(ctx, kind, args.get(i), true);
  return NONE;
}

/** UNSUBSCRIBE [channel ...], PUNSUBSCRIBE and SUNSUBSCRIBE alike. */
function unsubscribeGeneric(ctx: CommandContext, args: Args, kind: SubscriptionKind): Reply {
  const pubsub = ctx.server.pubsub;
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
  return integer(ctx.server.pubsub.publish(args.get(1), args.get(2)));
}

/** SPUBLISH shardchannel message */
function spublish(ctx: CommandContext, args: Args): Reply {
  return integer(ctx.server.pubsub.publishShard(args.get(1), args.get(2)));
}

/** PUBSUB CHANNELS [pattern] and PUBSUB SHARDCHANNELS [pattern] alike. */
function channelsGeneric(ctx: CommandContext, args: Args, kind: "channel" | "shard"): Reply {
  if (args.length > 3) {
    throw new ReplyError(Errors.unknownSubcommandOrArgs(args.get(1), args.get(0)));
  }
  return bulks(ctx.server.pubsub.channels(kind, args.length === 3 ? args.get(2) : undefined));
}

/** PUBSUB NUMSUB [channel ...] and PUBSUB SHARDNUMSUB [shardchannel ...] alike. */
function numsubGeneric(ctx: CommandContext, args: Args, kind: "channel" | "shard"): Reply {
  const pubsub = ctx.server.pubsub;
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
  return integer(ctx.server.pubsub.size("pattern"));
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
