/**
 * Every error text resplite puts on the wire, byte for byte as Redis 7.0.15
 * sends it (without the leading `-` and the trailing CRLF).
 *
 * Handlers throw {@linkcode ReplyError}; the dispatcher is the only place
 * that turns it into an error reply.
 *
 * @module
 */

/**
 * An error that is answered to the client as a RESP error reply.
 *
 * The message is the full error text including its code prefix
 * (`ERR`, `WRONGTYPE`, `NOAUTH`, ...).
 *
 * @example Throwing a Redis error from a handler
 * ```ts
 * import { ReplyError, Errors } from "./errors.ts";
 * const err = new ReplyError(Errors.notInteger);
 * console.assert(err.message === "ERR value is not an integer or out of range");
 * console.assert(err.code === "ERR");
 * ```
 */
export class ReplyError extends Error {
  /**
   * @param message the whole error text, such as `ERR syntax error`.
   */
  constructor(message: string) {
    super(message);
    this.name = "ReplyError";
  }

  /** The first word of the message (`ERR`, `WRONGTYPE`, ...), as INFO errorstats counts it. */
  get code(): string {
    return errorCode(this.message);
  }
}

/**
 * The first word of an error text, as Redis's errorstats groups it.
 *
 * @param message a full error text
 * @returns its code, such as `ERR` or `WRONGTYPE`
 * @example
 * ```ts
 * import { errorCode } from "./errors.ts";
 * console.assert(errorCode("WRONGTYPE Operation against a key") === "WRONGTYPE");
 * ```
 */
export function errorCode(message: string): string {
  const space = message.indexOf(" ");
  return space === -1 ? message : message.slice(0, space);
}

/** Fixed error texts, verbatim from Redis 7.0.15. */
export const Errors = {
  syntax: "ERR syntax error",
  notInteger: "ERR value is not an integer or out of range",
  notFloat: "ERR value is not a valid float",
  wrongType: "WRONGTYPE Operation against a key holding the wrong kind of value",
  noSuchKey: "ERR no such key",
  noAuth: "NOAUTH Authentication required.",
  wrongPass: "WRONGPASS invalid username-password pair or user is disabled.",
  authNoPassword:
    "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?",
  dbIndexOutOfRange: "ERR DB index is out of range",
  invalidDbIndex: "ERR invalid DB index",
  sameObject: "ERR source and destination objects are the same",
  invalidExpire: (command: string): string => `ERR invalid expire time in '${command}' command`,
  overflow: "ERR increment or decrement would overflow",
  nanOrInfinity: "ERR increment would produce NaN or Infinity",
  decrementOverflow: "ERR decrement would overflow",
  lcsWrongType: "ERR The specified keys must contain string values",
  lcsIdxAndLen: "ERR If you want both the length and indexes, please just use IDX.",
  lcsTooBig: "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len",
  notIntegerHash: "ERR hash value is not an integer",
  stringTooLong: "ERR string exceeds maximum allowed size (proto-max-bulk-len)",
  offsetOutOfRange: "ERR offset is out of range",
  invalidCursor: "ERR invalid cursor",
  mustBePositive: "ERR value is out of range, must be positive",
  outOfRangeLong:
    "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
  numkeysNotPositive: "ERR numkeys should be greater than 0",
  tooManyNumkeys: "ERR Number of keys can't be greater than number of args",
  limitNegative: "ERR LIMIT can't be negative",
  /** Not a Redis text: a random-member reply longer than resplite builds. */
  replyTooLarge: "ERR reply would be too large (resplite limits it to 2^26 elements)",
  timeoutNegative: "ERR timeout is negative",
  timeoutNotFloat: "ERR timeout is not a float or out of range",
  indexOutOfRange: "ERR index out of range",
  countNotPositive: "ERR count should be greater than 0",
  lposRankZero:
    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
  lposCountNegative: "ERR COUNT can't be negative",
  lposMaxlenNegative: "ERR MAXLEN can't be negative",
  sortScoresNotDouble: "ERR One or more scores can't be converted into double",
  unblocked: "UNBLOCKED client unblocked via CLIENT UNBLOCK",
  unblockReason: "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR",
  nxXxGtLt: "ERR NX and XX, GT or LT options at the same time are not compatible",
  gtLtNx: "ERR GT, LT, and/or NX options at the same time are not compatible",
  noProto: "NOPROTO unsupported protocol version",
  configSetUnknown: (name: string): string =>
    sanitize(`ERR Unknown option or number of arguments for CONFIG SET - '${name}'`),
  configSetFailed: (name: string, detail: string): string =>
    sanitize(`ERR CONFIG SET failed (possibly related to argument '${name}') - ${detail}`),
  configNoFile: "ERR The server is running without a config file",
  configRewriteFailed: (reason: string): string => sanitize(`ERR Rewriting config file: ${reason}`),
  invalidCommandSpecified: "ERR Invalid command specified",
  commandHasNoKeys: "ERR The command has no key arguments",
  commandArgCount: "ERR Invalid number of arguments specified for command",
  commandInvalidArgs: "ERR Invalid arguments specified for command",
  noShutdownInProgress: "ERR No shutdown in progress.",
  shutdownFailed: "ERR Errors trying to SHUTDOWN. Check logs.",
  invalidFirstDbIndex: "ERR invalid first DB index",
  invalidSecondDbIndex: "ERR invalid second DB index",
  helloProtoNotInteger: "ERR Protocol version is not an integer or out of range",
  helloSyntax: (option: string): string => sanitize(`ERR Syntax error in HELLO option '${option}'`),
  helloNoAuth:
    "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time",
  clientNameInvalid: "ERR Client names cannot contain spaces, newlines or special characters.",
  noSuchClient: "ERR No such client",
  clientIdNotPositive: "ERR client-id should be greater than 0",
  invalidClientId: "ERR Invalid client ID",
  unknownClientType: (type: string): string => sanitize(`ERR Unknown client type '${type}'`),
  noSuchUser: (user: string): string => sanitize(`ERR No such user '${user}'`),
  gtAndLt: "ERR GT and LT options at the same time are not compatible",
  intOutOfRange: "ERR value is out of range, value must between -2147483648 and 2147483647",
  unsupportedOption: (option: string): string => sanitize(`ERR Unsupported option ${option}`),
  lfuNotSelected:
    "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.",
  lfuSelected:
    "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.",
  oom: "OOM command not allowed when used memory > 'maxmemory'.",
  unknownCommand: (name: string, args: readonly string[]): string => {
    let list = "";
    for (let i = 0; i < args.length && list.length < 128; i++) {
      list += `'${args[i]!.slice(0, 128 - list.length)}' `;
    }
    return sanitize(
      `ERR unknown command '${name.slice(0, 128)}', with args beginning with: ${list}`,
    );
  },
  unknownSubcommand: (sub: string, container: string): string =>
    sanitize(
      `ERR unknown subcommand '${sub.slice(0, 128)}'. Try ${container.toUpperCase()} HELP.`,
    ),
  unknownSubcommandOrArgs: (sub: string, container: string): string =>
    sanitize(
      `ERR unknown subcommand or wrong number of arguments for '${
        sub.slice(0, 128)
      }'. Try ${container.toUpperCase()} HELP.`,
    ),
  wrongArity: (fullName: string): string =>
    `ERR wrong number of arguments for '${fullName}' command`,
  protocol: (detail: string): string => `ERR Protocol error: ${detail}`,
  /** The details of `Errors.protocol`, as the request decoder reports them. */
  protocolDetail: {
    tooBigInline: "too big inline request",
    unbalancedQuotes: "unbalanced quotes in request",
    tooBigMultibulk: "too big mbulk count string",
    invalidMultibulk: "invalid multibulk length",
    unauthMultibulk: "unauthenticated multibulk length",
    tooBigBulkCount: "too big bulk count string",
    expectedDollar: (got: string): string => `expected '$', got '${got}'`,
    invalidBulk: "invalid bulk length",
    unauthBulk: "unauthenticated bulk length",
  },
  maxClients: "ERR max number of clients reached",
  bitOffset: "ERR bit offset is not an integer or out of range",
  bitValue: "ERR bit is not an integer or out of range",
  bitposBit: "ERR The bit argument must be 1 or 0.",
  bitopNotOneKey: "ERR BITOP NOT must be called with a single source key.",
  bitfieldType:
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.",
  bitfieldOverflow: "ERR Invalid OVERFLOW type specified",
  bitfieldReadOnly: "ERR BITFIELD_RO only supports the GET subcommand",
  hllWrongType: "WRONGTYPE Key is not a valid HyperLogLog string value.",
  hllCorrupt: "INVALIDOBJ Corrupted HLL object detected",
  pfdebugNoKey: "ERR The specified key does not exist",
  pfdebugNotSparse: "ERR HLL encoding is not sparse",
  pfdebugUnknown: (sub: string): string => sanitize(`ERR Unknown PFDEBUG subcommand '${sub}'`),
  /** PFSELFTEST's failure, with its detail. */
  hllTestFailed: (detail: string): string => `ERR TESTFAILED ${detail}`,
  hashNotFloat: "ERR hash value is not a float",
  hashIncrNanOrInfinity: "ERR value is NaN or Infinity",
  hashRandCountRange:
    "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
  hashRandCountOverflow: "ERR value is out of range",
  hfeExpireNegative: "ERR invalid expire time, must be >= 0",
  hfeFieldsMissing: "ERR Mandatory argument FIELDS is missing or not at the right position",
  hfeNumFieldsExpire: "ERR Parameter `numFields` should be greater than 0",
  hfeNumFieldsRead: "ERR Number of fields must be a positive integer",
  hfeNumFieldsMismatch: "ERR The `numfields` parameter must match the number of arguments",
  zsetMinMaxNotFloat: "ERR min or max is not a float",
  zsetLexRangeItem: "ERR min or max not valid string range item",
  zsetNaN: "ERR resulting score is not a number (NaN)",
  zaddXxNx: "ERR XX and NX options at the same time are not compatible",
  zaddGtLtNx: "ERR GT, LT, and/or NX options at the same time are not compatible",
  zaddIncrPair: "ERR INCR option supports a single increment-element pair",
  zrangeLimit:
    "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
  zrangeBylexWithscores: "ERR syntax error, WITHSCORES not supported in combination with BYLEX",
  zsetWeightNotFloat: "ERR weight value is not a float",
  /** ZUNION / ZINTER / ZDIFF (and STORE forms), ZINTERCARD with numkeys below 1. */
  zsetNumkeysNeeded: (command: string): string =>
    `ERR at least 1 input key is needed for '${command}' command`,
  geoInvalidLonLat: (lon: string, lat: string): string =>
    `ERR invalid longitude,latitude pair ${lon},${lat}`,
  geoMemberUnknown: "ERR could not decode requested zset member",
  geoUnit: "ERR unsupported unit provided. please use M, KM, FT, MI",
  geoRadiusNotFloat: "ERR need numeric radius",
  geoWidthNotFloat: "ERR need numeric width",
  geoHeightNotFloat: "ERR need numeric height",
  geoRadiusNegative: "ERR radius cannot be negative",
  geoBoxNegative: "ERR height or width cannot be negative",
  geoCountNotPositive: "ERR COUNT must be > 0",
  geoAnyWithoutCount: "ERR the ANY argument requires COUNT argument",
  /** `what`: `GEOSEARCHSTORE` or `STORE option in GEORADIUS`. */
  geoStoreWithOptions: (what: string): string =>
    `ERR ${what} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`,
  /** `command`: the command name as the client sent it. */
  geoFromRequired: (command: string): string =>
    sanitize(`ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${command}`),
  geoByRequired: (command: string): string =>
    sanitize(`ERR exactly one of BYRADIUS and BYBOX can be specified for ${command}`),
  pubsubContext: (command: string): string =>
    `ERR Can't execute '${command}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
  trackingRedirectTwice: "ERR A client can only redirect to a single other client",
  trackingRedirectMissing: "ERR The client ID you want redirect to does not exist",
  trackingPrefixNeedsBcast: "ERR PREFIX option requires BCAST mode to be enabled",
  trackingSwitchBcast:
    "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.",
  trackingOptWithBcast: "ERR OPTIN and OPTOUT are not compatible with BCAST",
  trackingOptinAndOptout: "ERR You can't specify both OPTIN mode and OPTOUT mode",
  trackingSwitchOpt:
    "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.",
  trackingPrefixOverlapsExisting: (prefix: string, existing: string): string =>
    sanitize(
      `ERR Prefix '${prefix}' overlaps with an existing prefix '${existing}'. Prefixes for a single client must not overlap.`,
    ),
  trackingPrefixOverlapsGiven: (prefix: string, other: string): string =>
    sanitize(
      `ERR Prefix '${prefix}' overlaps with another provided prefix '${other}'. Prefixes for a single client must not overlap.`,
    ),
  cachingNotTracking:
    "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled",
  cachingYesNeedsOptin:
    "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.",
  cachingNoNeedsOptout:
    "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.",
  multiNested: "ERR MULTI calls can not be nested",
  execWithoutMulti: "ERR EXEC without MULTI",
  discardWithoutMulti: "ERR DISCARD without MULTI",
  watchInsideMulti: "ERR WATCH inside MULTI is not allowed",
  execAbort: "EXECABORT Transaction discarded because of previous errors.",
  /** EXEC itself rejected by a gate: `reason` is the gate's error without its `ERR `. */
  execAbortBecause: (reason: string): string =>
    `EXECABORT Transaction discarded because of: ${reason}`,
  notAllowedInMulti: "ERR Command not allowed inside a transaction",
  replicaKeyspace: "ERR Replica can't interact with the keyspace",
  monitorDenyBlocking: "ERR MONITOR isn't allowed for DENY BLOCKING client",
  pauseMode: "ERR CLIENT PAUSE mode must be WRITE or ALL",
  timeoutNotInteger: "ERR timeout is not an integer or out of range",
  internal: (detail: string): string => `ERR internal error: ${detail}`,
  debugNotAllowed:
    'ERR DEBUG command not allowed. If the enable-debug-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.',
  debugProtocolType:
    "ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false",
  resp2NotSupported: "ERR RESP2 is not supported by this command",
  slowlogCount: "ERR count should be greater than or equal to -1",
  latencyNoSamples: (event: string): string =>
    sanitize(`ERR No samples available for event '${event}'`),
  moduleNotAllowed:
    'ERR MODULE command not allowed. If the enable-module-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.',
  moduleLoad: "ERR Error loading the extension. Please check the server logs.",
  moduleUnloadNoSuch: "ERR Error unloading module: no such module with that name",
} as const;

/**
 * Redis replaces CR and LF with spaces in texts that echo user input
 * (addReplyErrorFormat).
 *
 * @param text the error text
 * @returns the text as sent
 * @example
 * ```ts
 * import { sanitize } from "./errors.ts";
 * console.assert(sanitize("ERR a\r\nb") === "ERR a  b");
 * ```
 */
export function sanitize(text: string): string {
  return text.replace(/[\r\n]/g, " ");
}

/**
 * A binary string as Redis's `%s` prints it: up to its first NUL byte.
 *
 * @param s the string
 * @returns the text before any NUL
 * @example
 * ```ts
 * import { cText } from "./errors.ts";
 * console.assert(cText("ab\0cd") === "ab");
 * ```
 */
export function cText(s: string): string {
  const nul = s.indexOf("\0");
  return nul === -1 ? s : s.slice(0, nul);
}
