// Every Redis key Crier uses, in one place. All live under the configured prefix. The table in
// docs/architecture.md says the same and test/architecture/key-map.test.ts keeps it true:
// a new key needs a row there. "No TTL" keys live until deleted.
//
//   <p>:ann:<id>                 hash    "data": the announcement JSON (rewritten by an edit, a retraction
//                                        and the desk's reschedule), "status", "completedAt" once final,
//                                        "rev" (content version), "revision", "retracted", and
//                                        "history:<n>" -> JSON { revision, kind, at, by, notice } per
//                                        revision, "expiresAtMs"; TTL delivery.retentionDays once final,
//                                        or until expiresAtMs when later (renewed by a correction,
//                                        removed while a retry runs)
//   <p>:annindex                 zset    announcement ids by creation time (ms); an expired one's entry
//                                        is dropped when a listing meets it
//   <p>:cor:<annId>:<rev>:<ch>   hash    recipient id -> JSON DeliveryRecord of the correction of revision
//                                        <rev> (kind edit, notice or retract); TTL delivery.retentionDays
//   <p>:idem:<sha256 of key>     string  JSON { id, bodyHash } for an Idempotency-Key, EX 1 day
//   <p>:dlv:<annId>:<channel>    hash    recipient id -> JSON DeliveryRecord; TTL delivery.retentionDays
//                                        (or until the announcement's expiresAt when later), set on its
//                                        first record, renewed by a correction
//   <p>:cnt:<annId>              hash    "<channel>|<status>" -> count, "<channel>|total", "*|<status>" and
//                                        "*|total" over all channels, "_fanout_pending": channels whose
//                                        fan-out has not finished (set to the channel count on save;
//                                        completion waits for 0); the corrections' "r<rev>:<channel>|<status>",
//                                        "r<rev>:*|<status>" and "_cfan_pending|r<rev>"; TTL as ann
//   <p>:fan:<annId>              hash    "<channel>" -> "c" + the next recipient-page cursor, or "done"
//                                        ("r<rev>:<channel>": a correction's scan cursor of the log);
//                                        TTL delivery.retentionDays once a channel's fan-out finishes
//   <p>:events                   stream  delivery and announcement state changes, for watchers and the
//                                        alerts consumer group; capped (MAXLEN ~100000), no TTL
//   <p>:sub:<id>                 hash    one subscriber
//   <p>:subaddr:<ch>:<address>   string  subscriber id of an address (uniqueness)
//   <p>:subs:<channel>           zset    active subscribers of a channel, score = sequence
//   <p>:subseq                   string  subscriber sequence counter
//   <p>:subsecret                string  HMAC secret of subscription tokens when the config sets none:
//                                        random, written once with SET NX so every process shares it
//   <p>:subthrottle:<id>         string  confirmation requests of a subscriber this hour (TTL 1 h)
//   <p>:subrate:<ip>:<window>    string  POST /api/subscribers requests of one client IP in one
//                                        fixed minute window (TTL 2 min)
//   <p>:subevents                list    recent subscribe/unsubscribe events, JSON, newest first,
//                                        capped; they name the subscriber id, never the address
//   <p>:rss:items                zset    announcement ids in the feed, score = publish time (ms), capped
//   <p>:rate:<name>              string  limiter state (GCRA theoretical arrival time), PX about one
//                                        interval; <name> is a channel, or "<channel>:<recipient id>"
//   <p>:stats                    hash    fleet-wide counters behind GET /metrics (src/metrics/stats.ts), no TTL:
//                                        "dlv|<channel>|<status>" deliveries that entered queued/sent/failed/skipped
//                                        (the delivery Lua); "retry|<channel>", "rlwait_ms|<channel>",
//                                        "lat|<channel>|<le>" (one latency bucket, not cumulative),
//                                        "lat_sum_ms|<channel>", "lat_n|<channel>" (the delivery worker)
//   <p>:tgparts:<deliveryId>     hash    Telegram part number -> message_id (a retry skips sent parts),
//                                        TTL delivery.retentionDays
//   <p>:tgupdate:<updateId>      string  Telegram update seen (NX, 24 h): each update handled once
//   <p>:admsess:<sha256 of id>   string  dashboard session JSON { name, role, csrf, expiresAt }, EX 12 h
//                                        (the cookie holds the id; Redis only its hash)
//   <p>:admlogin:<ip>            string  failed dashboard sign-ins from an address, EX 15 min
//   <p>:alertthrottle:<channel>  string  id of the announcement an alert mail named this channel for
//                                        (TTL alerts.perChannelMinutes)
//   <p>:alertstreak:<channel>    string  ms of the first failed attempt since the channel's last success (TTL 1 day)
//   <p>:alertlog                 list    recent alerts, JSON, newest first, capped: the dashboard's banner
//   <p>:acct:<id>                string  JSON of a desk account (name, e-mail, role, scrypt hash, disabled, language)
//   <p>:acctmail:<e-mail>        string  account id of a lower-cased e-mail address (uniqueness)
//   <p>:accts                    zset    account ids by creation time (ms)
//   <p>:acctlink:<sha256>        string  account id behind a one-time set-password link, EX 72 h
//   <p>:acctfail:<sha256 of mail> string failed sign-ins for one e-mail address, EX 15 min
//   <p>:draft:<id>               string  JSON of a desk draft (the form as typed, state, comment)
//   <p>:drafts                   zset    draft ids by last change (ms)
//   <p>:tpl:<id>                 string  JSON of a desk template (a name and the compose form's fields)
//   <p>:tpls                     zset    template ids by creation time (ms)
//   <p>:bull:<queue>:…           BullMQ's own keys (queues dispatch, deliver-<channel>, alerts,
//                                        deliver-confirmations)
//
// Keys that end in an id (ann:, sub:, dlv:, …) hold nothing else under that stem, so no id can
// ever collide with a fixed key (a subscriber once got the id "seq" and overwrote the counter).
export type Keys = ReturnType<typeof makeKeys>;

export function makeKeys(prefix: string) {
  return {
    prefix,
    bullPrefix: `${prefix}:bull`,
    announcement: (id: string) => `${prefix}:ann:${id}`,
    announcementIndex: `${prefix}:annindex`,
    corrections: (annId: string, revision: number, channel: string) => `${prefix}:cor:${annId}:${revision}:${channel}`,
    idempotency: (key: string) => `${prefix}:idem:${key}`,
    deliveries: (annId: string, channel: string) => `${prefix}:dlv:${annId}:${channel}`,
    counters: (annId: string) => `${prefix}:cnt:${annId}`,
    fanout: (annId: string) => `${prefix}:fan:${annId}`,
    events: `${prefix}:events`,
    subscriber: (id: string) => `${prefix}:sub:${id}`,
    subscriberByAddress: (channel: string, address: string) => `${prefix}:subaddr:${channel}:${address}`,
    activeSubscribers: (channel: string) => `${prefix}:subs:${channel}`,
    subscriberSeq: `${prefix}:subseq`,
    subscriptionSecret: `${prefix}:subsecret`,
    confirmationThrottle: (id: string) => `${prefix}:subthrottle:${id}`,
    subscribeRate: (ip: string, window: number) => `${prefix}:subrate:${ip}:${window}`,
    subscriptionEvents: `${prefix}:subevents`,
    rssItems: `${prefix}:rss:items`,
    rate: (name: string) => `${prefix}:rate:${name}`,
    stats: `${prefix}:stats`,
    telegramParts: (deliveryId: string) => `${prefix}:tgparts:${deliveryId}`,
    telegramUpdate: (updateId: number | string) => `${prefix}:tgupdate:${updateId}`,
    adminSession: (idHash: string) => `${prefix}:admsess:${idHash}`,
    adminLoginFailures: (ip: string) => `${prefix}:admlogin:${ip}`,
    alertThrottle: (channel: string) => `${prefix}:alertthrottle:${channel}`,
    alertLog: `${prefix}:alertlog`,
    alertStreak: (channel: string) => `${prefix}:alertstreak:${channel}`,
    account: (id: string) => `${prefix}:acct:${id}`,
    accountByEmail: (email: string) => `${prefix}:acctmail:${email}`,
    accountIndex: `${prefix}:accts`,
    accountLink: (hash: string) => `${prefix}:acctlink:${hash}`,
    accountFailures: (emailHash: string) => `${prefix}:acctfail:${emailHash}`,
    draft: (id: string) => `${prefix}:draft:${id}`,
    draftIndex: `${prefix}:drafts`,
    template: (id: string) => `${prefix}:tpl:${id}`,
    templateIndex: `${prefix}:tpls`,
  };
}
