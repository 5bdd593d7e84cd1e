// The delivery latency histogram's buckets. The delivery log's Lua observes each send's latency
// in the same step that marks it sent (no extra round trip), so the store owns the buckets and
// the metrics read them from here: a store never imports metrics.

/** Upper bounds (seconds) of the delivery latency histogram. */
export const LATENCY_BUCKETS: readonly number[] = [0.1, 0.5, 1, 5, 15, 60, 300, 1800];
