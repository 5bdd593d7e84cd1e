// Every Redis key Crier uses, in one place. All live under the configured prefix.
//
//   <p>:ann:<id>                 string  JSON of the stored announcement
//   <p>:annindex                 zset    announcement ids by creation time (ms)
//   <p>:idem:<key>               string  JSON { id, bodyHash } for Idempotency-Key
//   <p>:dlv:<annId>:<channel>    hash    recipient id -> JSON DeliveryRecord
//   <p>:cnt:<annId>              hash    "<channel>|<status>" -> count, "<channel>|total"
//   <p>:fan:<annId>              hash    "<channel>" -> next recipient cursor, or "done"
//   <p>:events                   stream  delivery state changes, for watchers
//   <p>:sub:<id>                 hash    one subscriber
//   <p>:subaddr:<ch>:<address>   string  subscriber id of an address (uniqueness)
//   <p>:subs:<channel>           zset    active subscribers of a channel, score = sequence
//   <p>:subseq                   string  subscriber sequence counter
//   <p>:rss:items                zset    announcement ids in the feed, score = publish time (ms)
//   <p>:rate:<name>              string  limiter state (GCRA theoretical arrival time)
//   <p>:bull:<queue>:…           BullMQ's own keys
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
    idempotency: (key: string) => `${prefix}:idem:${key}`,
    deliveries: (annId: string, channel: string) => `${prefix}:dlv:${annId}:${channel}`,
    counters: (annId: string) => `${prefix}:cnt:${annId}`,
    fanout: (annId: string) => `${prefix}:fan:${annId}`,
    events: `${prefix}:events`,
    subscriber: (id: string) => `${prefix}:sub:${id}`,
    subscriberByAddress: (channel: string, address: string) => `${prefix}:subaddr:${channel}:${address}`,
    activeSubscribers: (channel: string) => `${prefix}:subs:${channel}`,
    subscriberSeq: `${prefix}:subseq`,
    rssItems: `${prefix}:rss:items`,
    rate: (name: string) => `${prefix}:rate:${name}`,
  };
}
